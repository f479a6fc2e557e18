// End-of-charge benchmark over the curve corpus: our detector beside the fixed rules.
// Prints wrong outcomes, early cut-offs, minutes from true full to cut-off, false trips,
// and replay throughput.

import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { spawnSync } from "node:child_process"
import { CurveSample, parseCurveCsv } from "../sim/csv"
import { replayCurve, ReplayResult } from "../sim/curve-replay"
import { CORPUS_VERSION } from "../sim/corpus"
import { FIXED_RULES, fixedRuleStop } from "./baseline"

export interface CorpusEntry {
    file: string
    family: string
    description?: string
    expected: string
    t_full_s?: number | null
    t_event_s?: number | null
    healthy?: boolean
    never_full?: boolean
    /** the charger model's parameters: lead-acid ones have `stages`, lithium ones `chem` */
    params?: Record<string, unknown>
}

/** The profile an order for this curve would carry when the rider or operator says the battery's chemistry. */
export function chemistryProfile(e: CorpusEntry): string {
    if (e.params && "stages" in e.params) return "lead_acid"
    if (e.params && "chem" in e.params) return "lithium"
    return "auto"
}

export const CORPUS_DIR = "out/corpus"

export function loadCorpus(dir = CORPUS_DIR, seed?: number): { entries: CorpusEntry[]; curves: Map<string, CurveSample[]> } {
    const index = join(dir, "index.json")
    // a corpus another version of the generator wrote (a checkout's cached out/) is written again
    let raw = existsSync(index) ? JSON.parse(readFileSync(index, "utf8")) : null
    if (raw?.version !== CORPUS_VERSION) {
        const args = ["tsx", "sim/corpus.ts", "--out", dir]
        if (seed !== undefined) args.push("--seed", String(seed))
        const r = spawnSync("npx", args, { stdio: "inherit" })
        if (r.status !== 0) throw new Error("corpus generation failed")
        raw = JSON.parse(readFileSync(index, "utf8"))
    }
    const entries: CorpusEntry[] = Array.isArray(raw) ? raw : raw.curves
    const curves = new Map<string, CurveSample[]>()
    for (const e of entries) curves.set(e.file, parseCurveCsv(readFileSync(join(dir, e.file), "utf8")))
    return { entries, curves }
}

/** The outcome a correct controller reaches on this curve (aged batteries: not full). */
export function expectedOutcome(e: CorpusEntry): string {
    if (e.never_full) return "max_duration"
    return e.expected
}

/** When a cut is early: before full, before the unplug, before the fault began. */
export function earliestCorrectStop(e: CorpusEntry): number | null {
    const exp = expectedOutcome(e)
    if (exp === "full") return e.t_full_s ?? null
    if (exp === "unplugged" || exp === "short" || exp === "overload") return e.t_event_s ?? null
    return null
}

export interface ChargeRow {
    entry: CorpusEntry
    result: ReplayResult
    wrong: boolean
    early: boolean
    lateMin: number | null
    falseTrip: boolean
}

export function judge(e: CorpusEntry, r: ReplayResult): ChargeRow {
    const exp = expectedOutcome(e)
    const got = r.outcome ?? "none"
    // an aged battery that is never full must not be called full; running to the end of a
    // curve shorter than the maximum duration is right for it
    const wrong = exp === "max_duration" ? got === "full" || got === "unplugged" : got !== exp
    const earliest = earliestCorrectStop(e)
    const early = r.stop_s !== null && earliest !== null && r.stop_s < earliest
    const lateMin = exp === "full" && got === "full" && e.t_full_s != null && r.stop_s !== null ? (r.stop_s - e.t_full_s) / 60 : null
    const falseTrip = e.healthy !== false && (got === "short" || got === "overload")
    return { entry: e, result: r, wrong, early, lateMin, falseTrip }
}

function median(xs: number[]): number {
    if (!xs.length) return NaN
    const s = [...xs].sort((a, b) => a - b)
    return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** profiled: each order carries its curve's chemistryProfile, else every order is auto. */
export function runChargeBench(dir = CORPUS_DIR, seed?: number, profiled = false) {
    const { entries, curves } = loadCorpus(dir, seed)
    const rows: ChargeRow[] = []
    let samples = 0
    const t0 = process.hrtime.bigint()
    for (const e of entries) {
        const c = curves.get(e.file)!
        samples += c.length
        rows.push(judge(e, replayCurve(c, profiled ? { profile: chemistryProfile(e) } : {})))
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9
    const late = rows.map(r => r.lateMin).filter((x): x is number => x !== null)
    const fullCurves = entries.filter(e => expectedOutcome(e) === "full")

    const baselines = FIXED_RULES.map(rule => {
        let early = 0
        let wrong = 0
        const lateB: number[] = []
        for (const e of entries) {
            const stop = fixedRuleStop(curves.get(e.file)!, rule)
            const exp = expectedOutcome(e)
            const earliest = earliestCorrectStop(e)
            if (exp === "full") {
                if (stop === null) wrong++
                else if (e.t_full_s != null) {
                    if (stop < e.t_full_s) early++
                    else lateB.push((stop - e.t_full_s) / 60)
                }
            } else if (stop !== null && earliest !== null && stop < earliest) early++
        }
        return { rule, early, wrong, lateB }
    })
    return { rows, entries, samples, secs, late, fullCurves, baselines }
}

export function printChargeBench(dir = CORPUS_DIR) {
    const b = runChargeBench(dir)
    const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "-")
    const byFamily = new Map<string, number>()
    for (const e of b.entries) byFamily.set(e.family, (byFamily.get(e.family) ?? 0) + 1)
    console.log(`\n## End of charge (${b.entries.length} curves, ${b.fullCurves.length} ending full; families: ${[...byFamily].map(([f, n]) => `${f} ${n}`).join(", ")})\n`)
    console.log("| detector | wrong outcomes | early cut-offs | full->cut median (min) | full->cut worst (min) | false trips |")
    console.log("|---|---|---|---|---|---|")
    const wrong = b.rows.filter(r => r.wrong).length
    const early = b.rows.filter(r => r.early).length
    const falseTrips = b.rows.filter(r => r.falseTrip).length
    console.log(`| ours | ${wrong} | ${early} | ${fmt(median(b.late))} | ${fmt(Math.max(...b.late))} | ${falseTrips} |`)
    for (const x of b.baselines) console.log(`| ${x.rule.name} | ${x.wrong} (never cut) | ${x.early} | ${fmt(median(x.lateB))} | ${fmt(Math.max(...x.lateB))} | n/a |`)
    console.log(`\nreplay throughput: ${Math.round(b.samples / b.secs).toLocaleString("en")} samples/s (${b.samples} samples in ${b.secs.toFixed(2)} s)`)
    const bad = b.rows.filter(r => r.wrong || r.early || r.falseTrip)
    if (bad.length) {
        console.log("\nmisjudged curves:")
        for (const r of bad)
            console.log(
                `  ${r.entry.file} [${r.entry.family}] expected ${expectedOutcome(r.entry)}${r.entry.t_full_s != null ? ` full@${r.entry.t_full_s}s` : ""}${r.entry.t_event_s != null ? ` event@${r.entry.t_event_s}s` : ""}: got ${r.result.outcome} at ${r.result.stop_s}s${r.early ? " (EARLY)" : ""} - ${r.result.detail}`
            )
    }
    const perFamily = new Map<string, number[]>()
    for (const r of b.rows) {
        if (r.lateMin === null) continue
        const f = r.entry.family.split("+")[0]
        perFamily.set(f, [...(perFamily.get(f) ?? []), r.lateMin])
    }
    console.log("\nfull->cut by family (median / worst min): " + [...perFamily].map(([f, xs]) => `${f} ${fmt(median(xs))}/${fmt(Math.max(...xs))}`).join(", "))
    const worst = b.rows
        .filter(r => r.lateMin !== null)
        .sort((x, y) => y.lateMin! - x.lateMin!)
        .slice(0, 5)
    console.log("\nslowest full detections:")
    for (const r of worst) console.log(`  ${r.entry.file} [${r.entry.family}]: ${r.lateMin!.toFixed(1)} min after full`)
    return b
}

/**
 * Seeds the detector's constants were tuned on (their curves were looked at). Every other
 * seed is for judging: the per-family table below pools JUDGING_SEEDS, never these. Seeds
 * 101-108 were the first judging set; one of their failures was looked at (it showed a bug in
 * the flattening test's noise margin), so the set was retired; 109-116 judged next, and their
 * early cut (a two-stage curve on a 5 s meter) was looked at and fixed with 101-116 all used as
 * tuning seeds. 117-124 judge since: the figures printed for them were run once after each
 * change to the detector (the flattening fit by least squares was built looking at 1-3 and
 * 101-116 only).
 */
export const TUNING_SEEDS = [1, 2, 3]
export const RETIRED_SEEDS = [101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116]
export const JUDGING_SEEDS = [117, 118, 119, 120, 121, 122, 123, 124]

/** A curve read as a smart plug's 5-10 min means (irregular) or 5 min means. */
const SPARSE = (family: string) => family.includes("+sparse") || family.includes("+5min")

/** The families the targets are judged per, each a test on a corpus entry's family string. */
export const FAMILY_GROUPS: [string, (family: string) => boolean][] = [
    ["lead-acid three-stage", f => f.startsWith("leadacid-3stage")],
    ["lead-acid two-stage", f => f.startsWith("leadacid-2stage")],
    ["lead-acid pulse maintenance", f => f.startsWith("leadacid-pulse")],
    ["lead-acid already full", f => f.startsWith("leadacid-already-full")],
    ["LiFePO4", f => f.startsWith("lifepo4")],
    ["lithium last step (1/4 of plateau)", f => f.startsWith("li-laststep")],
    ["lithium (other NMC families)", f => f.startsWith("li-") && !f.startsWith("li-laststep") && !f.startsWith("li-aged")],
    ["sparse sampling (5-10 min, 5 min)", SPARSE],
    ["noisy meter", f => f.includes("+noisy")],
    ["brownouts", f => f.includes("+brownout")],
    ["aged pack (never full)", f => f.startsWith("li-aged")],
    ["unplug / battery removed", f => f.startsWith("unplug") || f.startsWith("battery-removed")],
    ["no load, short, overload", f => f === "no-load" || f === "short" || f === "overload"],
]

/** Targets per family (DESIGN.md): 0 early, 0 wrong, median <= 3 min, worst <= 20 min, 0 false trips. */
export function printFamilyTable(seeds: number[], profiled = false) {
    const rows: ChargeRow[] = []
    for (const seed of seeds) rows.push(...runChargeBench(`out/corpus-s${seed}`, seed, profiled).rows)
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "-")
    console.log(
        `\n## End of charge per charger family, judging seeds ${seeds.join(", ")} (never looked at while tuning; tuning seeds: ${TUNING_SEEDS.join(", ")} and ${RETIRED_SEEDS[0]}-${RETIRED_SEEDS[RETIRED_SEEDS.length - 1]}), ${profiled ? "each order carrying its battery's chemistry as its profile (lithium, lead_acid)" : "every order auto (no profile)"}\n`
    )
    console.log("| family | curves | wrong (target 0) | early (target 0) | full->cut median (<= 3 min) | worst (<= 20 min) | false trips (0) | meets targets |")
    console.log("|---|---|---|---|---|---|---|---|")
    const line = (name: string, g: ChargeRow[]) => {
        const late = g.map(r => r.lateMin).filter((x): x is number => x !== null)
        const wrong = g.filter(r => r.wrong).length
        const early = g.filter(r => r.early).length
        const trips = g.filter(r => r.falseTrip).length
        const med = median(late)
        const worst = late.length ? Math.max(...late) : NaN
        const ok = wrong === 0 && early === 0 && trips === 0 && (!late.length || (med <= 3 && worst <= 20))
        console.log(`| ${name} | ${g.length} | ${wrong} | ${early} | ${f(med)} | ${f(worst)} | ${trips} | ${ok ? "yes" : "NO"} |`)
    }
    for (const [name, test] of FAMILY_GROUPS) {
        const g = rows.filter(r => test(r.entry.family))
        if (!g.length) continue
        line(name, g)
        // a family read by both kinds of meter, apart: what a 5-10 min mean cannot show is no
        // measure of the rules on a meter that reads every few seconds
        const often = g.filter(r => !SPARSE(r.entry.family))
        const sparse = g.filter(r => SPARSE(r.entry.family))
        if (often.length && sparse.length) {
            line("&nbsp;&nbsp;read every 1-10 s", often)
            line("&nbsp;&nbsp;read every 5-10 min", sparse)
        }
    }
    const bad = rows.filter(r => r.wrong || r.early || r.falseTrip || (r.lateMin !== null && r.lateMin > 20))
    if (bad.length) {
        console.log("\nmisjudged on judging seeds:")
        for (const r of bad.slice(0, 20))
            console.log(
                `  [${r.entry.family}] expected ${expectedOutcome(r.entry)}: got ${r.result.outcome} ${r.lateMin !== null ? r.lateMin.toFixed(1) + " min after full" : ""}${r.early ? " (EARLY)" : ""}`
            )
    }
    return rows
}

/** The same detector on corpora it was never looked at with: other seeds of the generator. */
export function printGeneralisation(seeds: number[]) {
    console.log("\n## Corpus seeds one by one\n")
    console.log("| seed | curves | wrong | early cut-offs | full->cut median | worst (all) | worst (lithium) | worst (lead-acid) | false trips |")
    console.log("|---|---|---|---|---|---|---|---|---|")
    for (const seed of seeds) {
        const b = runChargeBench(`out/corpus-s${seed}`, seed)
        const notTwoStage = b.rows.filter(r => r.lateMin !== null && !r.entry.family.startsWith("leadacid-")).map(r => r.lateMin!)
        const leadAcid = b.rows.filter(r => r.lateMin !== null && r.entry.family.startsWith("leadacid-")).map(r => r.lateMin!)
        const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "-")
        console.log(
            `| ${seed}${TUNING_SEEDS.includes(seed) ? " (tuning)" : ""} | ${b.entries.length} | ${b.rows.filter(r => r.wrong).length} | ${b.rows.filter(r => r.early).length} | ${f(median(b.late))} | ${f(Math.max(...b.late))} | ${f(Math.max(...notTwoStage))} | ${f(Math.max(...leadAcid))} | ${b.rows.filter(r => r.falseTrip).length} |`
        )
    }
}
