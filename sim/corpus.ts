// npm run corpus -- --out <dir> [--seed N]
// Writes the charge-curve corpus: one CSV per curve (t_s,power_w,current_a,voltage_v) and
// index.json with each curve's family, parameters, expected outcome and ground truth.
// Deterministic: the same seed writes the same files.

import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { formatCurveCsv } from "./csv"
import { RECIPES, Recipe, RecipeMaker } from "./chargers/recipes"
import { Rng } from "./chargers/rng"
import { simulate } from "./chargers/simulate"
import { LithiumCharger } from "./chargers/lithium"

export interface ManifestEntry {
    file: string
    family: string
    description: string
    params: Record<string, number | string | boolean>
    expected: Recipe["expected"]
    t_full_s: number | null
    t_event_s: number | null
    healthy: boolean
    never_full: boolean
    samples: number
    sample_s: number
}

/**
 * The generator's version, written in index.json: a corpus written by another version is written
 * again (bench/charge.ts), not read with what it lacks. 2: the chargers' input-filter current.
 * 3: pulls and batteries taken off on sparse meters (appended: the curves before are as they were).
 */
export const CORPUS_VERSION = 3

/** defaultConfig().maxDurationMin: every session ends by then, whatever the battery does. */
const MAX_SESSION_S = 720 * 60
/** A charge full later than half an hour before the board's maximum session is no "full" case (benches drawing charges of their own keep to it too). */
export const LAST_FULL_S = MAX_SESSION_S - 1800

type Variant = (r: Recipe, rng: Rng, fullAt: number | null) => Recipe | null

const base = (name: string): RecipeMaker => RECIPES.find(r => r[0] === name)![2]
const anyLi: RecipeMaker = rng => base(rng.pick(["li-basic", "li-basic", "li-fan", "li-small24", "li-dual", "lfp", "li-laststep"]))(rng)
/** Lead-acid is what most riders own: half the variants are built on it. */
const anyLa: RecipeMaker = rng => base(rng.pick(["la-3stage", "la-2stage", "la-pulse", "la-already-full"]))(rng)
const anyCharge: RecipeMaker = rng => (rng.chance(0.5) ? anyLi(rng) : anyLa(rng))

function chargeSpan(fullAt: number | null): number {
    return fullAt ?? 4 * 3600
}

/** An irregular meter: one mean sample every 5-10 minutes. */
function sparse(r: Recipe): Recipe {
    r.meter.sampleS = 300
    r.meter.sampleMaxS = 600
    r.family += "+sparse"
    r.description += "; an irregular meter (smart-plug export, report on change): one mean sample every 5-10 minutes"
    return r
}

/** The rider pulls the charger out mid-charge. */
const pulledOut: Variant = (r, rng, full) => {
    if (full === null) return null
    r.events.unplugAtS = Math.round(rng.uniform(0.1, 0.95) * full)
    r.eventAtS = r.events.unplugAtS
    r.expected = "unplugged"
    r.family = "unplug"
    r.description = "rider pulls the charger out mid-charge (" + r.description + ")"
    return r
}

/** The rider takes the battery off a lithium charger that stays plugged in. */
const batteryTakenOff: Variant = (r, rng, full) => {
    if (full === null) return null
    r.events.removeBatteryAtS = Math.round(rng.uniform(0.1, 0.9) * full)
    r.events.removedIdleW = (r.charger as LithiumCharger).p.idleW + rng.uniform(0, 1)
    r.eventAtS = r.events.removeBatteryAtS
    r.expected = "unplugged"
    r.family = "battery-removed"
    r.description = "rider takes the battery off a charger that stays plugged (a step to its idle draw)"
    return r
}

/** Variants that add rider actions, faults, mains and meter effects on top of a base charge. */
const VARIANTS: [string, number, RecipeMaker, Variant][] = [
    [
        "brownout",
        8,
        anyCharge,
        (r, rng, full) => {
            const dropout = rng.chance(0.5)
            const n = rng.int(1, 3)
            const span = chargeSpan(full)
            const b = []
            for (let i = 0; i < n; i++) b.push({ atS: rng.uniform(300, span * 0.95), durationS: rng.uniform(5, 60), volts: rng.uniform(170, 195) })
            ;(r.mains as any).brownouts.push(...b)
            const p = (r.charger as any).p
            p.brownout = dropout ? { dropoutV: 196, restartS: rng.uniform(2, 30) } : { dropoutV: 0, restartS: 0 }
            r.family += dropout ? "+brownout-dropout" : "+brownout"
            r.description += dropout ? "; mains brownouts, the charger drops out and soft-starts again" : "; mains brownouts, constant-power charger"
            return r
        },
    ],
    [
        "noisy",
        6,
        anyCharge,
        (r, rng, full) => {
            const span = chargeSpan(full)
            r.meter.noiseW = rng.uniform(0.3, 1)
            r.meter.noisePct = rng.uniform(0.01, 0.03)
            r.meter.glitchesAtS = [rng.int(200, span), rng.int(200, span), rng.int(200, span + 1200)]
            r.meter.silences = [
                [rng.int(200, span), 60],
                [rng.int(200, span + 600), 60],
            ]
            r.family += "+noisy"
            r.description += "; noisy meter, single-sample glitches, silent for a minute twice"
            return r
        },
    ],
    [
        "smartplug-5min",
        6,
        anyCharge,
        r => {
            r.meter.sampleS = 300
            r.family += "+5min"
            r.description += "; recorded by a smart plug, one mean sample per 5 minutes"
            return r
        },
    ],
    ["sparse", 10, anyCharge, r => sparse(r)],
    [
        "meter-5s",
        4,
        anyCharge,
        r => {
            r.meter.sampleS = 5
            r.family += "+5s"
            return r
        },
    ],
    [
        "aged",
        5,
        rng => base("li-basic")(rng),
        (r, rng) => {
            const p = (r.charger as LithiumCharger).p
            p.leakFrac = rng.uniform(0.2, 0.5)
            r.family = "li-aged"
            r.description = "aged pack: the taper flattens at 20-50 % of the plateau and never reaches termination (not full)"
            r.expected = "max_duration"
            r.neverFull = true
            r.simulateS = 12.2 * 3600
            r.meter.sampleS = 10
            return r
        },
    ],
    ["unplug", 8, anyCharge, pulledOut],
    ["battery-removed", 5, anyLi, batteryTakenOff],
    [
        "no-load",
        6,
        anyLi,
        (r, rng) => {
            const empty = rng.chance(0.33)
            r.events.removeBatteryAtS = 0
            r.events.removedIdleW = empty ? 0 : rng.uniform(0.3, 6)
            r.charger = empty ? null : r.charger
            r.expected = "no_load"
            r.family = "no-load"
            r.description = empty ? "nothing plugged in" : "charger plugged in without a battery (idle draw only)"
            r.simulateS = 20 * 60
            return r
        },
    ],
    [
        "short",
        3,
        anyLi,
        (r, rng, full) => {
            r.events.shortAtS = Math.round(rng.uniform(60, chargeSpan(full) * 0.8))
            r.events.shortW = rng.uniform(3500, 9000)
            r.eventAtS = r.events.shortAtS
            r.expected = "short"
            r.healthy = false
            r.family = "short"
            r.description = "short circuit during the charge"
            return r
        },
    ],
    [
        "overload",
        3,
        anyLi,
        (r, rng, full) => {
            r.events.overloadAtS = rng.chance(0.5) ? 0 : Math.round(rng.uniform(60, chargeSpan(full) * 0.8))
            r.events.overloadW = rng.uniform(1200, 2500)
            r.eventAtS = r.events.overloadAtS
            r.expected = "overload"
            r.healthy = false
            r.family = "overload"
            r.description = "a heater or faulty charger drawing 1200-2500 W"
            return r
        },
    ],
    // (added after the others: every curve before them is written as it was)
    [
        "unplug-sparse",
        5,
        anyCharge,
        (r, rng, full) => {
            const u = pulledOut(r, rng, full)
            return u && sparse(u)
        },
    ],
    [
        "removed-sparse",
        3,
        anyLi,
        (r, rng, full) => {
            const u = batteryTakenOff(r, rng, full)
            return u && sparse(u)
        },
    ],
]

/**
 * The current a charger's mains input filter draws while plugged in (A at 230 V): an X2
 * capacitor of 0.1-0.47 uF draws 7-34 mA at 50 Hz. Some chargers have none, and some meters
 * read no current under a threshold (their anti-creep): a third read none.
 */
function inputFilterA(rng: Rng): number {
    return rng.chance(0.35) ? 0 : Math.round(rng.uniform(0.005, 0.035) * 10000) / 10000
}

function build(make: RecipeMaker, variant: Variant | null, seed: number): { r: Recipe; fullAt: number | null } | null {
    // probe the undisturbed charge for its full time, then build the same charge again with events
    const probe = make(new Rng(seed))
    const probed = simulate(probe.charger, probe.mains, probe.simulateS, probe.events, probe.meter, new Rng(seed + 1))
    const r = make(new Rng(seed))
    const out = variant ? variant(r, new Rng(seed + 2), probed.fullAt) : r
    return out ? { r: out, fullAt: probed.fullAt } : null
}

export function generateCorpus(outDir: string, seed = 1): ManifestEntry[] {
    mkdirSync(outDir, { recursive: true })
    const entries: ManifestEntry[] = []
    let k = 0
    const jobs: [string, RecipeMaker, Variant | null][] = []
    for (const [name, count, make] of RECIPES) for (let i = 0; i < count; i++) jobs.push([name, make, null])
    for (const [name, count, make, v] of VARIANTS) for (let i = 0; i < count; i++) jobs.push([name, make, v])
    for (const [name, make, variant] of jobs) {
        const s = seed * 100003 + k * 7919
        k++
        const built = build(make, variant, s)
        if (!built) continue
        const { r } = built
        // from a generator of its own: the power readings stay as they were without it
        const filterA = inputFilterA(new Rng(s + 3))
        const sim = simulate(r.charger, r.mains, r.simulateS, r.events, r.meter, new Rng(s + 1), filterA)
        const truthFull = r.expected === "full" ? sim.fullAt : null
        if (r.expected === "full" && truthFull === null) continue // did not finish within the simulated span
        // a charge that needs longer than the board's maximum session is not a "full" case
        if (r.expected === "full" && truthFull! > LAST_FULL_S) continue
        const end = r.neverFull ? Infinity : r.expected === "full" ? truthFull! + r.tailS : (r.eventAtS ?? 0) + 30 * 60
        const samples = sim.samples.filter(x => x.t_s <= end)
        const file = `${String(entries.length + 1).padStart(3, "0")}-${name}.csv`
        writeFileSync(join(outDir, file), formatCurveCsv(samples))
        entries.push({
            file,
            family: r.family,
            description: r.description,
            params: r.charger ? { ...r.charger.params(), filterA } : {},
            expected: r.expected,
            t_full_s: truthFull,
            t_event_s: r.eventAtS ?? null,
            healthy: r.healthy,
            never_full: !!r.neverFull,
            samples: samples.length,
            sample_s: r.meter.sampleS,
        })
    }
    writeFileSync(join(outDir, "index.json"), JSON.stringify({ version: CORPUS_VERSION, seed, curves: entries }, null, 1))
    return entries
}

if (process.argv[1] && /corpus\.ts$/.test(process.argv[1])) {
    const args = process.argv.slice(2)
    let out = "out/corpus"
    let seed = 1
    for (let i = 0; i < args.length; i++) {
        if (args[i] === "--out") out = args[++i]
        else if (args[i] === "--seed") seed = Number(args[++i])
        else {
            console.error(`corpus: unknown argument ${args[i]}\nusage: npm run corpus -- --out <dir> [--seed N]`)
            process.exit(2)
        }
    }
    if (!Number.isInteger(seed)) {
        console.error("corpus: --seed must be an integer")
        process.exit(2)
    }
    const e = generateCorpus(out, seed)
    console.log(`wrote ${e.length} curves to ${out}`)
}
