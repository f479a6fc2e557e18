// Two-stage lead-acid tapers that are not one exponential: the constant-voltage current decays
// as two, a slower one holding part of the excess (a real battery's acceptance has more than
// one time constant; the corpus's two-stage charger has one). From a fixed seed, a 1 s meter
// with 1 % + 0.15 W of noise: minutes from full to cut-off. Full, as in the corpus: the excess
// over the float draw down to a tenth of it. The flattening fit (docs/detector.md) models one
// exponential onto a floor: a slower tail it has not seen yet reads as a floor, so these show
// how far that assumption carries.

import { replayCurve } from "../sim/curve-replay"
import { Lcg, noisySeconds, twoExpExcessW, twoExpFullS } from "../test/shared/scenarios"
import { LateRow, lateMinutes } from "./late-rows"

/** A row, and the excess still over the float draw when it was cut (a share of that draw). */
type TailRow = LateRow & { excessAtCut: number | null }

/** One charge: the slower exponential holds `share` of the excess, `ratio` times slower (at most 2 h). */
function tailed(rng: Lcg, share: number, ratio: number): TailRow {
    const u = (a: number, b: number) => a + (b - a) * rng.next()
    const plateauW = u(60, 400)
    const ccS = u(1800, 10800)
    const tauS = u(1200, 4800)
    const slowS = Math.min(7200, ratio * tauS)
    const floorW = u(0.02, 0.06) * plateauW + u(1, 4)
    const excess = (t: number) => twoExpExcessW(t, plateauW, ccS, tauS, slowS, share, floorW)
    const fullS = twoExpFullS(plateauW, ccS, tauS, slowS, share, floorW)
    const power = (t: number) => (t < 3 ? 0 : t < ccS ? plateauW : floorW + excess(t))
    const r = replayCurve(noisySeconds(rng, power, fullS + 5400))
    return {
        early: r.stop_s !== null && r.stop_s < fullS,
        lateMin: r.outcome === "full" ? (r.stop_s! - fullS) / 60 : null,
        excessAtCut: r.stop_s !== null ? excess(r.stop_s) / floorW : null,
    }
}

export function printLongTailBench(curves = 100, seed = 20261205) {
    console.log(`\n## Two-stage tapers decaying as two exponentials (seed ${seed}, ${curves} charges a row): minutes from full to cut-off\n`)
    console.log(
        "| the slower exponential's share of the excess at the plateau's end, how much slower | early (target 0) | earliest (min before full) | the excess left then (of the float draw) | not full | median | worst | over 20 min |"
    )
    console.log("|---|---|---|---|---|---|---|---|")
    for (const [share, ratio] of [
        [0, 1],
        [0.1, 2],
        [0.1, 3],
        [0.3, 2],
        [0.3, 3],
    ]) {
        // each row draws its own charges from the same seed: the rows differ only in the tail
        const rng = new Lcg(seed)
        const rows: TailRow[] = []
        for (let k = 0; k < curves; k++) rows.push(tailed(rng, share, ratio))
        const cutEarly = rows.filter(r => r.early)
        const early = cutEarly.length
        const { late, at } = lateMinutes(rows.filter(r => !r.early))
        const earliest = cutEarly.reduce((m, r) => Math.max(m, -r.lateMin!), 0)
        const excessLeft = cutEarly.reduce((m, r) => Math.max(m, r.excessAtCut!), 0.1)
        const name = share ? `${share * 100} %, ${ratio} times` : "none (one exponential, as the corpus)"
        console.log(
            `| ${name} | ${early} | ${early ? earliest.toFixed(1) : "-"} | ${early ? "up to " + Math.round(excessLeft * 100) + " %" : "-"} | ${rows.length - late.length - early} | ${at(0.5)} | ${at(1)} | ${late.filter(x => x > 20).length} |`
        )
    }
}
