// Charges whose taper is interrupted by something other than the charger terminating, from a
// fixed seed, read by a 1 s meter with 1 % + 0.15 W of noise unless said: minutes from full to
// cut-off.
// - paused: the charger stops for 10-28 s (a BMS opening, a restart after a mains blip the meter
//   never saw) once or twice in its taper, then takes the taper up again; or once for 15-110 s,
//   read by a smart plug as a mean every 5 or 10 minutes;
// - fan off: a charger's fan (3-10 W) turns off once the taper is under 1.5x its termination
//   level to 30 % of the plateau, before the charger terminates (the fan's step must not be
//   confirmed as the charger's: docs/detector.md, "a step the draw goes on falling after");
// - two loads off: a second 3-10 W load turns off 20-110 s after the first (a known limit: its
//   step reads as the charger's own, docs/detector.md).
// The charges: test/shared/scenarios.ts randomCharge (lithium CC/CV and three-stage lead-acid).

import { replayCurve } from "../sim/curve-replay"
import { Lcg, noisySeconds, plugMeans, randomCharge } from "../test/shared/scenarios"
import { judgeLate, LateRow, lateMinutes } from "./late-rows"

function paused(rng: Lcg, k: number): LateRow {
    const c = randomCharge(rng, k)
    const pauses: [number, number][] = []
    for (let i = 0; i < (k % 3 === 0 ? 2 : 1); i++) {
        const at = c.ccS + 60 + rng.next() * (c.fullS - 90 - c.ccS)
        pauses.push([at, at + 10 + rng.next() * 18])
    }
    const power = (t: number) => (pauses.some(p => t >= p[0] && t < p[1]) ? 0.3 : c.power(t))
    return judgeLate(replayCurve(noisySeconds(rng, power, c.fullS + 5400)), c.fullS)
}

function pausedSparse(rng: Lcg, k: number): LateRow {
    const c = randomCharge(rng, k)
    const at = c.ccS + 60 + rng.next() * (c.fullS - 90 - c.ccS)
    const until = at + 15 + rng.next() * 95
    const power = (t: number) => (t >= at && t < until ? 0.3 : c.power(t))
    return judgeLate(replayCurve(plugMeans(rng, power, k, c.fullS + 7200)), c.fullS)
}

/** n small loads inside the charger (3-10 W each, a fan) stop mid-taper: the first at a fraction
 * of the plateau between the charger's termination level and 30 %, each other 20-110 s after
 * the one before. */
function loadsOff(rng: Lcg, k: number, n: number): LateRow {
    const c = randomCharge(rng, k)
    const watts: number[] = []
    for (let i = 0; i < n; i++) watts.push(3 + rng.next() * 7)
    const offs = [Math.min(c.taperAt(0.3 - rng.next() * 0.28), c.fullS - 60)]
    for (let i = 1; i < n; i++) offs.push(Math.min(offs[i - 1] + 20 + rng.next() * 90, c.fullS - 5))
    const power = (t: number) => {
        let w = c.power(t)
        for (let i = 0; i < n; i++) if (t < offs[i]) w += watts[i]
        return w
    }
    return judgeLate(replayCurve(noisySeconds(rng, power, c.fullS + 5400)), c.fullS)
}

function summary(name: string, rows: LateRow[]): string {
    const { late, at } = lateMinutes(rows)
    return `| ${name} | ${rows.length} | ${rows.filter(r => r.early).length} | ${rows.length - late.length - rows.filter(r => r.early).length} | ${at(0.5)} | ${at(1)} | ${late.filter(x => x > 20).length} |`
}

export function printInterruptionBench(curves = 600, seed = 20261205) {
    const rng = new Lcg(seed)
    const p: LateRow[] = []
    const f: LateRow[] = []
    for (let k = 0; k < curves; k++) p.push(paused(rng, k))
    for (let k = 0; k < curves / 2; k++) f.push(loadsOff(rng, k, 1))
    // a generator of its own: the rows above keep their draws
    const sparseRng = new Lcg(seed + 1)
    const ps: LateRow[] = []
    for (let k = 0; k < curves / 2; k++) ps.push(pausedSparse(sparseRng, k))
    const twoRng = new Lcg(seed + 2)
    const two: LateRow[] = []
    for (let k = 0; k < curves / 2; k++) two.push(loadsOff(twoRng, k, 2))
    console.log(`\n## Tapers interrupted by something other than the charger terminating (seed ${seed}): minutes from full to cut-off\n`)
    console.log("| interruption | curves | early (target 0) | not full | median | worst | over 20 min |")
    console.log("|---|---|---|---|---|---|---|")
    console.log(summary("the charger pauses 10-28 s once or twice in its taper", p))
    console.log(summary("the charger pauses 15-110 s once in its taper, read as 5 or 10 min means", ps))
    console.log(summary("a 3-10 W fan turns off mid-taper", f))
    console.log(summary("two 3-10 W loads turn off mid-taper, 20-110 s apart", two))
}
