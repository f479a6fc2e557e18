// npm run plot -- <curve.csv | trace.json> --out <file.svg> [--config <file.json>]
// Draws a charge curve (replayed through the core, the decision marked) or a session's power
// trace (hex chunks from the ended record, per-minute mean with its min-max band) as an SVG
// for support staff: "why did my charge stop?"
import { readFileSync, writeFileSync } from "node:fs"
import { parseCurveCsv, printable } from "../sim/csv"
import { replayCurve, replayOptionsFromJson, ReplayOptions } from "../sim/curve-replay"
import { decodeTrace } from "../src/core/trace"
import { Series, svgPlot } from "./plot-svg"

const USAGE = "usage: npm run plot -- <curve.csv | trace.json> --out <file.svg> [--config <file.json>]"

function fail(msg: string): never {
    process.stderr.write(`plot: ${printable(msg, 400)}\n${USAGE}\n`)
    process.exit(2)
}

/** Points drawn at most: a 1 s curve of 12 hours becomes buckets with their mean and min-max band. */
const MAX_POINTS = 1200

function curveSeries(t: number[], p: number[]): Series {
    if (t.length <= MAX_POINTS) return { t, mean: p }
    const n = Math.ceil(t.length / MAX_POINTS)
    const s: Series = { t: [], mean: [], min: [], max: [] }
    for (let i = 0; i < t.length; i += n) {
        const xs = p.slice(i, i + n)
        s.t.push(t[Math.min(i + (n >> 1), t.length - 1)])
        s.mean.push(Math.round((xs.reduce((a, x) => a + x, 0) / xs.length) * 10) / 10)
        s.min!.push(Math.min(...xs))
        s.max!.push(Math.max(...xs))
    }
    return s
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
        const series = curveSeries(
            samples.map(s => s.t_s / 60),
            samples.map(s => s.power_w)
        )
        const marker = r.stop_s !== null ? { t: r.stop_s / 60, label: `${r.reason} at ${(r.stop_s / 3600).toFixed(2)} h: ${r.detail}` } : null
        svg = svgPlot(series, `${input} (replayed: ${r.outcome ?? "no decision"}, ${r.energy_wh} Wh)`, marker)
    }
    writeFileSync(out, svg)
    console.log(JSON.stringify({ svg: out }))
}

main()
