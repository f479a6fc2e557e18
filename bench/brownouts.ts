// Mains brownouts near the end of a charge, where the detector is judging whether the draw has
// settled: the corpus's own charger recipes (lead-acid two-stage, already full, three-stage,
// pulse float; lithium, LiFePO4, last step, maintenance), each with 1-3 sags to 170-195 V for
// 5-60 s between 60 % and 120 % of the charge's time to full, half of the chargers dropping out
// and soft-starting again. The corpus draws its brownouts anywhere in the charge. A 1 s meter,
// from a fixed seed: a brownout holds every judgement (docs/detector.md, "brownout"). The meter
// reads no current, so a last-step charger switching off to ~0 W reads as a pull, as it does
// without a brownout (the "ended as something else" column).

import { RECIPES } from "../sim/chargers/recipes"
import { simulate } from "../sim/chargers/simulate"
import { Rng } from "../sim/chargers/rng"
import { replayCurve } from "../sim/curve-replay"
import { LAST_FULL_S } from "../sim/corpus"
import { judgeLate, LateRow, lateMinutes } from "./late-rows"

const NAMES = ["la-2stage", "la-already-full", "la-3stage", "la-pulse", "li-basic", "lfp", "li-laststep", "li-maint"]

/** The `k`th charge from `seed` (null: not full in time), and whether it ended as something else than full. */
function sagged(seed: number, k: number): (LateRow & { wrong: boolean }) | null {
    const s = seed + k * 17
    const make = RECIPES.find(r => r[0] === NAMES[k % NAMES.length])![2]
    // the undisturbed charge's full time places the sags
    const probe = make(new Rng(s))
    const fullAt = simulate(probe.charger, probe.mains, probe.simulateS, probe.events, probe.meter, new Rng(s + 1)).fullAt
    if (fullAt === null || fullAt > LAST_FULL_S) return null
    const r = make(new Rng(s))
    const q = new Rng(s + 2)
    const sags = q.int(1, 3)
    for (let i = 0; i < sags; i++) r.mains.brownouts.push({ atS: q.uniform(0.6, 1.2) * fullAt, durationS: q.uniform(5, 60), volts: q.uniform(170, 195) })
    const p = (r.charger as unknown as { p: { brownout: { dropoutV: number; restartS: number } } }).p
    p.brownout = q.chance(0.5) ? { dropoutV: 196, restartS: q.uniform(2, 30) } : { dropoutV: 0, restartS: 0 }
    const sim = simulate(r.charger, r.mains, r.simulateS, r.events, r.meter, new Rng(s + 1))
    const full = sim.fullAt
    if (full === null || full > LAST_FULL_S) return null
    const out = replayCurve(sim.samples.filter(x => x.t_s <= full + r.tailS))
    return { ...judgeLate(out, full), wrong: out.outcome !== null && out.outcome !== "full" }
}

export function printBrownoutBench(curves = 400, seed = 20261206) {
    console.log(`\n## Mains brownouts near full (seed ${seed}, 1 s meter): minutes from full to cut-off\n`)
    console.log("| charges | early (target 0) | ended as something else | not cut within the curve | median | 90th percentile | worst | over 20 min |")
    console.log("|---|---|---|---|---|---|---|---|")
    const rows: (LateRow & { wrong: boolean })[] = []
    for (let k = 0; rows.length < curves; k++) {
        const row = sagged(seed, k)
        if (row) rows.push(row)
    }
    const { late, at } = lateMinutes(rows)
    const early = rows.filter(r => r.early).length
    const wrong = rows.filter(r => r.wrong && !r.early).length
    console.log(`| ${curves} | ${early} | ${wrong} | ${curves - late.length - early - wrong} | ${at(0.5)} | ${at(0.9)} | ${at(1)} | ${late.filter(x => x > 20).length} |`)
}
