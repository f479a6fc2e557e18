// Mains voltage guard for the whole board. A brownout of a few seconds is not a fault;
// mains out of range for longer pauses every session (relays off, no new starts) until it
// has been back in range for a while; out of range for too long ends the sessions.

/**
 * Under this (V) the mains is gone, not low: far below any brownout the guard rides through and
 * under what the board's supply runs on. The board then lives on its hold-up (docs/hardware.md
 * "Flash") and writes every running session's checkpoint at once.
 */
export const MAINS_LOST_V = 90

export type MainsState = "ok" | "out" | "expired"

export interface MainsLimits {
    mainsMinV: number
    mainsMaxV: number
    /** out of range this long (s) before sessions pause */
    mainsHoldS: number
    /** back in range this long (s) before sessions resume */
    mainsRecoverS: number
    /** out of range this long (min) ends the sessions */
    mainsMaxOutMin: number
}

export class MainsGuard {
    state: MainsState = "ok"
    /** last judged voltage (V) */
    voltage = NaN
    private outSince = -1
    private inSince = -1

    constructor(private lim: MainsLimits) {}

    setLimits(lim: MainsLimits) {
        this.lim = lim
    }

    /** True while sessions must stay paused and new starts are refused. */
    blocked(): boolean {
        return this.state !== "ok"
    }

    /** Feed the board's mains voltage (NaN: no meter reads it). Returns the new state. */
    update(t: number, v: number): MainsState {
        if (!(v === v)) return this.state
        this.voltage = v
        const lim = this.lim
        const inRange = v >= lim.mainsMinV && v <= lim.mainsMaxV
        if (inRange) {
            this.outSince = -1
            if (this.state === "ok") return this.state
            if (this.inSince < 0) this.inSince = t
            if (t - this.inSince >= lim.mainsRecoverS * 1000) this.state = "ok"
            return this.state
        }
        this.inSince = -1
        if (this.outSince < 0) this.outSince = t
        const out = t - this.outSince
        if (this.state === "ok" && out >= lim.mainsHoldS * 1000) this.state = "out"
        if (this.state === "out" && out >= lim.mainsMaxOutMin * 60000) this.state = "expired"
        return this.state
    }
}

/** The board's mains voltage from its sockets' meters: the median of those that read one. */
export function boardVoltage(vs: number[]): number {
    const ok: number[] = []
    for (let i = 0; i < vs.length; i++) if (vs[i] === vs[i] && vs[i] > 0) ok.push(vs[i])
    if (ok.length === 0) return NaN
    ok.sort((a, b) => a - b)
    return ok[ok.length >> 1]
}
