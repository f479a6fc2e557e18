// A rider pulling the charger out before the battery is full, from a fixed seed: the session
// must end `unplugged`, never `full` (the rider told the battery is full, billed and refunded
// as if it were). The corpus's unplug family reads its pulls with 1 s meters only; here they are
// also read as a smart plug's 5 or 10 min means, where a pull and a LiFePO4 knee between two
// readings look alike (docs/detector.md, "Sparse and irregular meters"): a rule that took such a
// fall for the knee would be paid for in this table's sparse rows.
// The charges: test/shared/scenarios.ts randomCharge (lithium CC/CV and three-stage lead-acid),
// pulled at a random moment in the second half of the plateau, or in the taper while it draws
// 30-100 % of the plateau, or under 30 % (down to the charger's termination level), a minute or
// more before full; the draw is 0 W after it.
import { replayCurve } from "../sim/curve-replay"
import { Lcg, noisyMeans, noisySeconds, randomCharge } from "../test/shared/scenarios"

const WHERE = ["the plateau", "the taper, 30-100 % of the plateau", "the taper, under 30 %"]

function pulled(rng: Lcg, k: number, where: number, sparse: boolean): string {
    const c = randomCharge(rng, k)
    const u = rng.next()
    const at = where === 0 ? c.ccS / 2 + (u * c.ccS) / 2 : Math.min(c.taperAt(where === 1 ? 1 - 0.7 * u : 0.3 * u), c.fullS - 60)
    const power = (t: number) => (t < at ? c.power(t) : 0)
    if (!sparse) return replayCurve(noisySeconds(rng, power, at + 3600)).outcome ?? "none"
    // one noisy mean every 5 or 10 min, from a random phase
    const gapS = k % 4 < 2 ? 300 : 600
    return replayCurve(noisyMeans(rng, power, Math.floor(rng.next() * gapS), at + 7200, () => gapS)).outcome ?? "none"
}

export function printPullBench(curves = 200, seed = 20261206) {
    console.log(`\n## A rider pulls the charger out before full (seed ${seed}): how the session ends\n`)
    console.log("| pulled in | meter | curves | unplugged | full (wrong) | other |")
    console.log("|---|---|---|---|---|---|")
    let row = 0
    for (const sparse of [false, true])
        for (let where = 0; where < WHERE.length; where++) {
            // a generator a row: each row keeps its draws whatever the others do
            const rng = new Lcg(seed + row++)
            const out: string[] = []
            for (let k = 0; k < curves; k++) out.push(pulled(rng, k, where, sparse))
            const n = (o: string) => out.filter(x => x === o).length
            const other = out.filter(x => x !== "unplugged" && x !== "full")
            const others = [...new Set(other)].map(o => `${o} ${n(o)}`).join(", ")
            console.log(`| ${WHERE[where]} | ${sparse ? "5 or 10 min means" : "1 s"} | ${curves} | ${n("unplugged")} | ${n("full")} | ${others || 0} |`)
        }
}
