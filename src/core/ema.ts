// Exponential moving average over irregular samples: the weight of a new sample grows
// with the time since the previous one, so a meter that reports every second and a
// smart plug that reports every five minutes are smoothed over the same time span.

export class Ema {
    value: number
    private lastT: number

    constructor(
        readonly tauMs: number,
        initial: number,
        t: number
    ) {
        this.value = initial
        this.lastT = t
    }

    update(t: number, x: number): number {
        const dt = t - this.lastT
        this.lastT = t
        if (dt <= 0) return this.value
        const a = 1 - Math.exp(-dt / this.tauMs)
        this.value += a * (x - this.value)
        return this.value
    }
}
