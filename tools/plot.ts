// npm run plot -- <curve.csv | trace.json> --out <file.svg> [--config <file.json>]
// Draws a charge curve (replayed through the core, the decision marked) or a session's power
// trace (hex chunks from the ended record, per-minute mean with its min-max band) as an SVG
// for support staff: "why did my charge stop?"
import { readFileSync, writeFileSync } from "node:fs"
import { parseCurveCsv } from "../sim/csv"
import { replayCurve, replayOptionsFromJson, ReplayOptions } from "../sim/curve-replay"
import { decodeTrace } from "../src/core/trace"

const USAGE = "usage: npm run plot -- <curve.csv | trace.json> --out <file.svg> [--config <file.json>]"

function fail(msg: string): never {
    process.stderr.write(`plot: ${msg}\n${USAGE}\n`)
    process.exit(2)
}

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
        const band = s.max.map((v, i) => `${i ? "L" : "M"}${x(s.t[i]).toFixed(1)},${y(v).toFixed(1)}`).join(" ") + " " + [...s.min].reverse().map((v, j) => `L${x(s.t[s.t.length - 1 - j]).toFixed(1)},${y(v).toFixed(1)}`).join(" ") + " Z"
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
        parts.push(`<text x="${Math.min(x(marker.t) + 4, W - 300)}" y="44" fill="#d62728" class="decision-label">${escapeXml(marker.label)}</text>`)
    }
    parts.push("</svg>")
    return parts.join("\n")
}

function escapeXml(s: string): string {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
}

function main() {
    const args = process.argv.slice(2)
    let input: string | undefined
    let out: string | undefined
    let config: string | undefined
    for (let i = 0; i < args.length; i++) {
        if (args[i] === "--out") out = args[++i]
        else if (args[i] === "--config") config = args[++i]
        else if (args[i].startsWith("--")) fail(`unknown option ${args[i]}`)
        else input = args[i]
    }
    if (!input || !out) fail("an input file and --out are required")
    let text: string
    try {
        text = readFileSync(input, "utf8")
    } catch (e: any) {
        fail(e.message)
    }
    let svg: string
    if (input.endsWith(".json")) {
        let rec: any
        try {
            rec = JSON.parse(text)
        } catch (e: any) {
            fail(`${input}: ${e.message}`)
        }
        const chunks: string[] = Array.isArray(rec) ? rec : rec.trace
        if (!Array.isArray(chunks) || chunks.some(c => typeof c !== "string" || !/^[0-9a-f]*$/.test(c) || c.length % 6 !== 0))
            fail(`${input}: expected a list of hex trace chunks (or {"trace": [...], "min", "reason", "stopMin"})`)
        // minutes a row covers (the trace event's `min`; 1 when not given)
        const step = Array.isArray(rec) || rec.min === undefined ? 1 : rec.min
        if (!(Number.isInteger(step) && step >= 1)) fail(`${input}: "min" must be a whole number of minutes per row`)
        const rows = decodeTrace(chunks)
        const series: Series = { t: rows.map((_, i) => (i + 0.5) * step), mean: rows.map(r => r[0]), min: rows.map(r => r[1]), max: rows.map(r => r[2]) }
        const marker = rec.reason ? { t: rec.stopMin ?? rows.length * step, label: `${rec.reason}${rec.detail ? ": " + rec.detail : ""}` } : null
        svg = svgPlot(series, `session trace (${rows.length * step} min${step > 1 ? `, ${step} min a row` : ""})`, marker)
    } else {
        let opts: ReplayOptions = {}
        if (config) {
            try {
                opts = replayOptionsFromJson(JSON.parse(readFileSync(config, "utf8")))
            } catch (e: any) {
                fail(`${config}: ${e.message}`)
            }
        }
        let samples
        try {
            samples = parseCurveCsv(text)
        } catch (e: any) {
            fail(`${input}: ${e.message}`)
        }
        const r = replayCurve(samples, opts)
        const series: Series = { t: samples.map(s => s.t_s / 60), mean: samples.map(s => s.power_w) }
        const marker = r.stop_s !== null ? { t: r.stop_s / 60, label: `${r.reason} at ${(r.stop_s / 3600).toFixed(2)} h: ${r.detail}` } : null
        svg = svgPlot(series, `${input} (replayed: ${r.outcome ?? "no decision"}, ${r.energy_wh} Wh)`, marker)
    }
    writeFileSync(out, svg)
    console.log(JSON.stringify({ svg: out }))
}

main()
