// npm run replay -- <curve.csv> [--config <file.json>]
// Prints one JSON line: {"outcome", "stop_s", "energy_wh", "reason", "detail", "missing"}; "missing"
// names the columns the file left empty (power-only exports: ["current_a","voltage_v"]). Exit 2 on bad input.
import { readFileSync } from "node:fs"
import { missingColumns, parseCurveCsv } from "../sim/csv"
import { replayCurve, replayOptionsFromJson, ReplayOptions } from "../sim/curve-replay"

function fail(msg: string): never {
    process.stderr.write(`replay: ${msg}\n`)
    process.exit(2)
}

const args = process.argv.slice(2)
let file: string | undefined
let configFile: string | undefined
for (let i = 0; i < args.length; i++) {
    if (args[i] === "--config") configFile = args[++i] ?? fail("--config needs a file")
    else if (args[i].startsWith("--")) fail(`unknown option ${args[i]}\nusage: npm run replay -- <curve.csv> [--config <file.json>]`)
    else if (file) fail("only one curve file")
    else file = args[i]
}
if (!file) fail("usage: npm run replay -- <curve.csv> [--config <file.json>]")

let opts: ReplayOptions = {}
if (configFile) {
    let json: unknown
    try {
        json = JSON.parse(readFileSync(configFile, "utf8"))
    } catch (e: any) {
        fail(`${configFile}: ${e.message}`)
    }
    try {
        opts = replayOptionsFromJson(json)
    } catch (e: any) {
        fail(`${configFile}: ${e.message}`)
    }
}
let text: string
try {
    text = readFileSync(file, "utf8")
} catch (e: any) {
    fail(`${file}: ${e.message}`)
}
let samples
try {
    samples = parseCurveCsv(text)
} catch (e: any) {
    fail(`${file}: ${e.message}`)
}
try {
    console.log(JSON.stringify({ ...replayCurve(samples, opts), missing: missingColumns(samples) }))
} catch (e: any) {
    fail(e.message)
}
