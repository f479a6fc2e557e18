// npm run replay -- <curve.csv | folder>... [--config <file.json>] [--profile auto|lithium|lead_acid]
// Prints one JSON line a curve: {"outcome", "stop_s", "energy_wh", "reason", "detail", "missing"}
// ("file" first when there are several); "missing" names the columns the file left empty
// (power-only exports: ["current_a","voltage_v"]). A folder stands for its .csv files, in name
// order. A file that cannot be read, or a folder with none, is named on stderr and the others
// still replay; exit 2 if any could not (or on a bad option or config).
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { missingColumns, parseCurveCsv, printable } from "../sim/csv"
import { replayCurve, replayOptionsFromJson, replayProfile, ReplayOptions } from "../sim/curve-replay"

/** Every line to stderr goes through here: a file's name or text may carry control characters. */
function warn(msg: string) {
    process.stderr.write(`replay: ${printable(msg, 400)}\n`)
}

function fail(msg: string, usage = false): never {
    warn(msg)
    if (usage) process.stderr.write(`${USAGE}\n`)
    process.exit(2)
}

const args = process.argv.slice(2)
const files: string[] = []
let configFile: string | undefined
let profile: string | undefined
const USAGE = "usage: npm run replay -- <curve.csv | folder>... [--config <file.json>] [--profile auto|lithium|lead_acid]"
for (let i = 0; i < args.length; i++) {
    if (args[i] === "--config") configFile = args[++i] ?? fail("--config needs a file")
    else if (args[i] === "--profile") profile = args[++i] ?? fail("--profile needs auto, lithium or lead_acid")
    else if (args[i].startsWith("--")) fail(`unknown option ${args[i]}`, true)
    else files.push(args[i])
}
if (!files.length) fail("no curve given", true)

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
/** The curve files an argument stands for: itself, or a folder's .csv files in name order. */
function curvesOf(arg: string): string[] {
    let dir = false
    try {
        dir = statSync(arg).isDirectory()
    } catch {
        // not there: reading it says so
    }
    if (!dir) return [arg]
    const found = readdirSync(arg)
        .filter(n => n.toLowerCase().endsWith(".csv"))
        .sort()
        .map(n => join(arg, n))
    if (!found.length) {
        warn(`${arg}: no .csv files in this folder`)
        bad = true
    }
    return found
}

// an argument that stood for no curve, or a curve that could not be replayed: exit 2
let bad = false
const curves = files.flatMap(curvesOf)
for (const file of curves) {
    try {
        const samples = parseCurveCsv(readFileSync(file, "utf8"))
        const result = { ...replayCurve(samples, opts), missing: missingColumns(samples) }
        console.log(JSON.stringify(curves.length > 1 ? { file, ...result } : result))
    } catch (e: any) {
        warn(`${file}: ${e.message}`)
        bad = true
    }
}
if (bad) process.exit(2)
