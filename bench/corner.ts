// Lithium charges drawn as session.test's random property draws them (plateau, taper, the
// fraction the charger terminates at, its idle draw, noise and one glitch), from a fixed seed:
// minutes from full to cut-off. Apart: chargers that terminate at or near their own idle draw,
// so no step down shows (the taper stops at a corner, docs/detector.md "flattening"): uniform
// draws seldom land there, fast-check's draws (biased to the ranges' ends) often do.

import { lithiumFullS, noisyLithiumW, runSocket, Lcg } from "../test/shared/scenarios"
import { LateRow, lateMinutes } from "./late-rows"

const IDLES = [0, 0.7, 5]

/**
 * One charge in the property's ranges (plateau 60-900 W, taper 10-50 min, termination at 4-20 %
 * of the plateau). `corner`: a charger that terminates at 0.4-2 times its own idle draw of 2-8 W
 * (no step down to judge; its plateau follows, at least 60 W and 12.5 times the idle); else the
 * property's idle draws.
 */
async function draw(rng: Lcg, corner: boolean): Promise<LateRow> {
    const tauS = 600 + Math.floor(rng.next() * 2401)
    let cut = 0.04 + rng.next() * 0.16
    let idle = IDLES[Math.floor(rng.next() * IDLES.length)]
    let plateauW = 60 + Math.floor(rng.next() * 841)
    while (corner) {
        cut = 0.04 + rng.next() * 0.16
        idle = 2 + rng.next() * 6
        plateauW = (idle * (0.4 + rng.next() * 1.6)) / cut
        // an idle over the low band (12 % of the plateau) is never judged; the property's is at most 8 %
        if (plateauW >= 60 && idle <= 0.08 * plateauW) break
    }
    const power = noisyLithiumW(1 + Math.floor(rng.next() * 1e6), plateauW, tauS, cut, idle)
    const full = lithiumFullS(plateauW, 3600, tauS, cut)
    const r = await runSocket(power, full + 7200, 1, null, false, async () => {})
    return { lateMin: r.reason === "full" ? (r.stopS - full) / 60 : null, early: r.stopS >= 0 && r.stopS < full }
}

function summary(name: string, rows: LateRow[]): string {
    const { late, at } = lateMinutes(rows)
    return `| ${name} | ${rows.length} | ${rows.filter(r => r.early).length} | ${rows.filter(r => r.lateMin === null).length} | ${at(0.5)} | ${at(0.9)} | ${at(1)} | ${late.filter(x => x > 20).length} |`
}

export async function printCornerBench(draws = 300, seed = 20261204) {
    const rng = new Lcg(seed)
    const plain: LateRow[] = []
    const corner: LateRow[] = []
    for (let i = 0; i < draws; i++) plain.push(await draw(rng, false))
    for (let i = 0; i < draws; i++) corner.push(await draw(rng, true))
    console.log(`\n## Lithium charges drawn like session.test's property (seed ${seed}): minutes from full to cut-off\n`)
    console.log("| draws | curves | early (target 0) | not cut within 2 h | median (<= 3) | 90th percentile | worst (<= 20) | over 20 min |")
    console.log("|---|---|---|---|---|---|---|---|")
    console.log(summary("the property's ranges, drawn uniformly", plain))
    console.log(summary("terminating at 0.4-2 times its own idle draw of 2-8 W (no step down)", corner))
}
