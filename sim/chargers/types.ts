// What every charger model offers the curve simulator.

export interface ChargerModel {
    /** family name used in the corpus manifest */
    readonly family: string
    /** wall power factor (PFC chargers ~0.98, cheap small ones ~0.6) */
    readonly pf: number
    /**
     * Advance `dt` seconds at time `t` with mains voltage `v` (V); returns the wall power (W)
     * drawn over that step.
     */
    step(t: number, dt: number, v: number): number
    /** when the battery became truly full (s), or null */
    fullAt(): number | null
    /** short summary of the parameters for the manifest */
    params(): Record<string, number | string | boolean>
}

/** How a charger reacts to a mains dip. */
export interface BrownoutBehaviour {
    /** below this voltage the charger drops out (0: never, constant power) */
    dropoutV: number
    /** after mains is back, seconds before it draws again */
    restartS: number
}

/** A charger dropping out under a mains dip and soft-starting after it: shared by the models. */
export class Dropout {
    private until = -1
    private restarted = false

    /** `behaviour` is read on every call: corpus variants change it after construction. */
    constructor(private behaviour: () => BrownoutBehaviour) {}

    /** True while the charger draws nothing because of a mains dip or its restart delay. */
    off(t: number, v: number): boolean {
        const b = this.behaviour()
        if (b.dropoutV > 0 && v < b.dropoutV) {
            this.until = Infinity
            return true
        }
        if (this.until === Infinity) {
            this.until = t + b.restartS
            this.restarted = true
        }
        return t < this.until
    }

    /** True once after each restart: the charger's capacitors take an inrush again. */
    takeRestart(): boolean {
        const r = this.restarted
        this.restarted = false
        return r
    }
}
