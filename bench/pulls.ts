// A rider pulling the charger out before the battery is full, from a fixed seed: the session
// must end `unplugged`, never `full` (the rider told the battery is full, billed and refunded
// as if it were). The corpus's unplug family reads its pulls with 1 s meters only; here they are
// also read as a smart plug's 5 or 10 min means, where a pull and a LiFePO4 knee between two
// readings look alike (docs/detector.md, "Sparse and irregular meters"): a rule that took such a
// fall for the knee would be paid for in this table's sparse rows. Each row's charges are read
// for an auto order and for orders whose profile is lithium or lead_acid (docs/detector.md:
// what each profile decides where the draw cannot).
// The charges: test/shared/scenarios.ts randomCharge (lithium CC/CV and three-stage lead-acid),
// pulled at a random moment in the second half of the plateau, or in the taper while it draws
// 30-100 % of the plateau, or under 30 % (down to the charger's termination level), a minute or
// more before full; the draw is 0 W after it. The 1 s rows are read again by a meter that also
// reads current, the charger's input filter drawing 20 mA while it is plugged in (before it
// starts too) and none after the pull (docs/detector.md, "Seen plugged in before it started").
import { replayCurve, ReplayOptions } from "../sim/curve-replay"
import { Lcg, noisySeconds, plugMeans, randomCharge } from "../test/shared/scenarios"
import { CurveSample } from "../sim/csv"

const WHERE = ["the plateau", "the taper, 30-100 % of the plateau", "the taper, under 30 %"]

const METERS = ["1 s", "5 or 10 min means", "1 s, with current (a 20 mA filter)"]

/** The `k`th charge of a row, pulled: its meter's readings (`meter`: an index in METERS). */
function pulled(rng: Lcg, k: number, where: number, meter: number): CurveSample[] {
    const c = randomCharge(rng, k)
    const u = rng.next()
    const at = where === 0 ? c.ccS / 2 + (u * c.ccS) / 2 : Math.min(c.taperAt(where === 1 ? 1 - 0.7 * u : 0.3 * u), c.fullS - 60)
    const power = (t: number) => (t < at ? c.power(t) : 0)
    if (meter === 1) return plugMeans(rng, power, k, at + 7200)
    const samples = noisySeconds(rng, power, at + 3600)
    if (meter === 2) for (const x of samples) x.current_a = x.t_s < at ? Math.hypot(c.power(x.t_s) / 230, 0.02) : 0
    return samples
}

const PROFILES: ReplayOptions[] = [{}, { profile: "lithium" }, { profile: "lead_acid" }]

/** How a row's charges end, for each of PROFILES: the outcomes, in the row's order. */
function row(seed: number, where: number, meter: number, curves: number): string[][] {
    const rng = new Lcg(seed)
    const out = PROFILES.map((): string[] => [])
    for (let k = 0; k < curves; k++) {
        // each charge read once, replayed for every profile
        const samples = pulled(rng, k, where, meter)
        PROFILES.forEach((opts, i) => out[i].push(replayCurve(samples, opts).outcome ?? "none"))
    }
    return out
}

export function printPullBench(curves = 200, seed = 20261206) {
    console.log(`\n## A rider pulls the charger out before full (seed ${seed}): sessions read as full (wrong), by the order's profile\n`)
    console.log("| pulled in | meter | curves | auto: unplugged | auto: full | lithium: full | lead_acid: full |")
    console.log("|---|---|---|---|---|---|---|")
    for (let meter = 0; meter < METERS.length; meter++)
        for (let where = 0; where < WHERE.length; where++) {
            // a generator a row, from the row's own seed: each row keeps its draws whatever the
            // others do; the 1 s meter reading current reads the 1 s rows' charges
            const [auto, li, la] = row(seed + (meter % 2) * WHERE.length + where, where, meter, curves)
            const count = (out: string[], o: string) => out.filter(x => x === o).length
            console.log(`| ${WHERE[where]} | ${METERS[meter]} | ${curves} | ${count(auto, "unplugged")} | ${count(auto, "full")} | ${count(li, "full")} | ${count(la, "full")} |`)
        }
}
