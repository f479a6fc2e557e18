// npm run replay -- <curve.csv> [--config <file.json>] [--profile auto|lithium|lead_acid]
// Prints one JSON line: {"outcome", "stop_s", "energy_wh", "reason", "detail", "missing"}; "missing"
// names the columns the file left empty (power-only exports: ["current_a","voltage_v"]). Exit 2 on bad input.
import { readFileSync } from "node:fs"
import { missingColumns, parseCurveCsv } from "../sim/csv"
import { replayCurve, replayOptionsFromJson, replayProfile, ReplayOptions } from "../sim/curve-replay"

function fail(msg: string): never {
    process.stderr.write(`replay: ${msg}\n`)
    process.exit(2)
}

const args = process.argv.slice(2)
let file: string | undefined
let configFile: string | undefined
let profile: string | undefined
const USAGE = "usage: npm run replay -- <curve.csv> [--config <file.json>] [--profile auto|lithium|lead_acid]"
for (let i = 0; i < args.length; i++) {
    if (args[i] === "--config") configFile = args[++i] ?? fail("--config needs a file")
    else if (args[i] === "--profile") profile = args[++i] ?? fail("--profile needs auto, lithium or lead_acid")
    else if (args[i].startsWith("--")) fail(`unknown option ${args[i]}\n${USAGE}`)
    else if (file) fail("only one curve file")
    else file = args[i]
}
if (!file) fail(USAGE)

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
if (profile !== undefined) {
    try {
        opts.profile = replayProfile(profile, "--profile")
    } catch (e: any) {
        fail(e.message)
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
