// Three-stage lead-acid chargers whose float is pulse maintenance, drawn from the corpus's own
// recipe (sim/chargers/recipes.ts "la-pulse") but with pulses faster and nearer the level the
// charger stepped from than the corpus draws (it draws a pulse every 30-600 s, of 3-15 % of the
// bulk current): a pulse every 15-60 s, on for 10-45 % of it, at 40-95 % of the current the
// charger switched to float at. A 1 s meter, from a fixed seed. A BMS balancing toggles the
// draw within seconds and must not read as full; pulses this fast come near that
// (docs/detector.md, "flicker").

import { RECIPES } from "../sim/chargers/recipes"
import { simulate } from "../sim/chargers/simulate"
import { LeadAcidParams } from "../sim/chargers/leadacid"
import { Rng } from "../sim/chargers/rng"
import { replayCurve } from "../sim/curve-replay"
import { LAST_FULL_S } from "../sim/corpus"
import { judgeLate, LateRow, lateMinutes } from "./late-rows"

const PULSE = RECIPES.find(r => r[0] === "la-pulse")![2]

/** The `k`th charge from `seed`, its pulse period drawn between `fromS` and `toS` (null: not full in time). */
function pulsed(seed: number, k: number, fromS: number, toS: number): LateRow | null {
    const s = seed + k * 13
    const r = PULSE(new Rng(s))
    const q = new Rng(s + 7)
    const p = (r.charger as unknown as { p: LeadAcidParams }).p
    p.pulseEveryS = q.uniform(fromS, toS)
    p.pulseOnS = q.uniform(0.1, 0.45) * p.pulseEveryS
    p.pulseFrac = q.uniform(0.4, 0.95) * p.iFloatSwitchFrac
    const sim = simulate(r.charger, r.mains, r.simulateS, r.events, r.meter, new Rng(s + 1), 0)
    const full = sim.fullAt
    if (full === null || full > LAST_FULL_S) return null
    return judgeLate(replayCurve(sim.samples.filter(x => x.t_s <= full + r.tailS)), full)
}

export function printPulseFloatBench(curves = 100, seed = 20261206) {
    console.log(`\n## Pulse-maintenance floats faster than the corpus's (seed ${seed}, ${curves} charges a row, 1 s meter): minutes from full to cut-off\n`)
    console.log("| pulse every | curves | early (target 0) | not cut as full | median | worst |")
    console.log("|---|---|---|---|---|---|")
    for (const [fromS, toS] of [
        [15, 20],
        [20, 30],
        [30, 60],
    ]) {
        const rows: LateRow[] = []
        for (let k = 0; rows.length < curves; k++) {
            const row = pulsed(seed + fromS, k, fromS, toS)
            if (row) rows.push(row)
        }
        const { late, at } = lateMinutes(rows)
        console.log(`| ${fromS}-${toS} s | ${curves} | ${rows.filter(r => r.early).length} | ${curves - late.length - rows.filter(r => r.early).length} | ${at(0.5)} | ${at(1)} |`)
    }
}
