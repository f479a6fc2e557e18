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
// more before full; the draw is 0 W after it.
import { replayCurve, ReplayOptions } from "../sim/curve-replay"
import { Lcg, noisyMeans, noisySeconds, randomCharge } from "../test/shared/scenarios"

const WHERE = ["the plateau", "the taper, 30-100 % of the plateau", "the taper, under 30 %"]

function pulled(rng: Lcg, k: number, where: number, sparse: boolean, opts: ReplayOptions): string {
    const c = randomCharge(rng, k)
    const u = rng.next()
    const at = where === 0 ? c.ccS / 2 + (u * c.ccS) / 2 : Math.min(c.taperAt(where === 1 ? 1 - 0.7 * u : 0.3 * u), c.fullS - 60)
    const power = (t: number) => (t < at ? c.power(t) : 0)
    if (!sparse) return replayCurve(noisySeconds(rng, power, at + 3600), opts).outcome ?? "none"
    // one noisy mean every 5 or 10 min, from a random phase
    const gapS = k % 4 < 2 ? 300 : 600
    return (
        replayCurve(
            noisyMeans(rng, power, Math.floor(rng.next() * gapS), at + 7200, () => gapS),
            opts
        ).outcome ?? "none"
    )
}

/** How the row's charges end: each outcome's count, for an order of this profile. */
function row(seed: number, where: number, sparse: boolean, curves: number, opts: ReplayOptions) {
    // a generator a row, from the row's own seed: every profile sees the same charges
    const rng = new Lcg(seed)
    const out: string[] = []
    for (let k = 0; k < curves; k++) out.push(pulled(rng, k, where, sparse, opts))
    return (o: string) => out.filter(x => x === o).length
}

export function printPullBench(curves = 200, seed = 20261206) {
    console.log(`\n## A rider pulls the charger out before full (seed ${seed}): sessions read as full (wrong), by the order's profile\n`)
    console.log("| pulled in | meter | curves | auto: unplugged | auto: full | lithium: full | lead_acid: full |")
    console.log("|---|---|---|---|---|---|---|")
    let n = 0
    for (const sparse of [false, true])
        for (let where = 0; where < WHERE.length; where++) {
            const s = seed + n++
            const auto = row(s, where, sparse, curves, {})
            const li = row(s, where, sparse, curves, { profile: "lithium" })
            const la = row(s, where, sparse, curves, { profile: "lead_acid" })
            console.log(`| ${WHERE[where]} | ${sparse ? "5 or 10 min means" : "1 s"} | ${curves} | ${auto("unplugged")} | ${auto("full")} | ${li("full")} | ${la("full")} |`)
        }
}
