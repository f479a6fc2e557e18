// Mains voltage at the shed: a nominal value inside the legal band, slow wander, noise, and
// scheduled brownouts.
import { Rng } from "./rng"

export interface Brownout {
    atS: number
    durationS: number
    volts: number
}

export class Mains {
    private wander = 0
    constructor(
        readonly nominalV: number,
        readonly brownouts: Brownout[],
        private rng: Rng
    ) {}

    at(t: number): number {
        for (const b of this.brownouts) if (t >= b.atS && t < b.atS + b.durationS) return b.volts + this.rng.normal(0.5)
        this.wander = Math.max(-4, Math.min(4, this.wander + this.rng.normal(0.05)))
        return this.nominalV + this.wander + this.rng.normal(0.4)
    }
}
