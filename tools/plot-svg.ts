// The picture `npm run plot` draws: a power series as an SVG, a decision marked on it.

export interface Series {
    t: number[] // minutes
    mean: number[]
    min?: number[]
    max?: number[]
}

export function svgPlot(s: Series, title: string, marker: { t: number; label: string } | null): string {
    const W = 900
    const H = 360
    const L = 60
    const B = 40
    const tMax = Math.max(1, ...s.t)
    const pMax = Math.max(1, ...(s.max ?? s.mean)) * 1.1
    const x = (t: number) => L + ((W - L - 20) * t) / tMax
    const y = (p: number) => H - B - ((H - B - 30) * p) / pMax
    const line = (vs: number[]) => vs.map((v, i) => `${i ? "L" : "M"}${x(s.t[i]).toFixed(1)},${y(v).toFixed(1)}`).join(" ")
    const parts: string[] = []
    parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`)
    parts.push(`<rect width="${W}" height="${H}" fill="white"/>`)
    parts.push(`<text x="${L}" y="18" font-size="14">${escapeXml(title)}</text>`)
    if (s.min && s.max) {
        const band =
            s.max.map((v, i) => `${i ? "L" : "M"}${x(s.t[i]).toFixed(1)},${y(v).toFixed(1)}`).join(" ") +
            " " +
            [...s.min]
                .reverse()
                .map((v, j) => `L${x(s.t[s.t.length - 1 - j]).toFixed(1)},${y(v).toFixed(1)}`)
                .join(" ") +
            " Z"
        parts.push(`<path d="${band}" fill="#9ecae1" stroke="none" class="band"/>`)
    }
    parts.push(`<path d="${line(s.mean)}" fill="none" stroke="#08519c" stroke-width="1.5" class="power"/>`)
    parts.push(`<line x1="${L}" y1="${H - B}" x2="${W - 20}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="30" x2="${L}" y2="${H - B}" stroke="black"/>`)
    for (let k = 0; k <= 4; k++) {
        const p = (pMax * k) / 4
        parts.push(`<text x="${L - 6}" y="${y(p) + 4}" text-anchor="end">${p.toFixed(0)} W</text>`)
        const t = (tMax * k) / 4
        parts.push(`<text x="${x(t)}" y="${H - B + 16}" text-anchor="middle">${(t / 60).toFixed(1)} h</text>`)
    }
    if (marker) {
        parts.push(`<line x1="${x(marker.t)}" y1="30" x2="${x(marker.t)}" y2="${H - B}" stroke="#d62728" stroke-dasharray="4 3" class="decision"/>`)
        // beside the line on the side with more room, wrapped to fit inside the picture
        const mx = x(marker.t)
        const right = W - 8 - (mx + 4) >= mx - 4 - 8
        const room = right ? W - 8 - (mx + 4) : mx - 4 - 8
        const lines = wrap(marker.label, Math.max(10, Math.floor(room / CHAR_PX)))
        const spans = lines.map((l, i) => `<tspan x="${(right ? mx + 4 : mx - 4).toFixed(1)}" dy="${i ? 14 : 0}">${escapeXml(l)}</tspan>`).join("")
        parts.push(`<text y="44" fill="#d62728" text-anchor="${right ? "start" : "end"}" class="decision-label">${spans}</text>`)
    }
    parts.push("</svg>")
    return parts.join("\n")
}

/** widest character of the 12 px sans-serif font, as an upper bound of a label's width (px) */
export const CHAR_PX = 7.5

/** `s` in lines of at most `n` characters, broken at spaces where it can be */
export function wrap(s: string, n: number): string[] {
    const out: string[] = []
    let line = ""
    for (const word of s.split(" ")) {
        for (let w = word; w.length > 0;) {
            const piece = w.slice(0, n)
            w = w.slice(piece.length)
            if (line && line.length + 1 + piece.length > n) {
                out.push(line)
                line = ""
            }
            line = line ? line + " " + piece : piece
        }
    }
    if (line) out.push(line)
    return out
}

function escapeXml(s: string): string {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
}
