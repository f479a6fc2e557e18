// Lithium-ion pack on a CC/CV charger. The pack is an open-circuit-voltage curve per cell
// plus a series resistance; the charger holds a constant current until the terminal voltage
// reaches 4.2 V a cell, then holds the voltage, so the current tapers as the open-circuit
// voltage rises, until it falls under the charger's termination current. Field phenomena
// are options: pulse bulk, BMS balancing flicker, dual packs, restart after full, fans,
// maintenance pulses, an aged pack that never finishes tapering.

import { BrownoutBehaviour, ChargerModel, Dropout } from "./types"

/** Open-circuit voltage of a cell (V) against state of charge (0..1). */
const OCV: [number, number][] = [
    [0, 3.0],
    [0.05, 3.3],
    [0.1, 3.45],
    [0.2, 3.55],
    [0.4, 3.68],
    [0.6, 3.82],
    [0.8, 3.98],
    [0.9, 4.07],
    [0.97, 4.15],
    [1, 4.2],
]

/**
 * LiFePO4 (LFP): a long flat plateau near 3.3 V and a sharp knee in the last few per cent; its
 * chargers hold 3.65 V a cell, so the constant current runs almost to the end and the taper is short.
 */
const OCV_LFP: [number, number][] = [
    [0, 2.5],
    [0.05, 3.0],
    [0.1, 3.2],
    [0.2, 3.25],
    [0.5, 3.29],
    [0.8, 3.33],
    [0.9, 3.35],
    [0.95, 3.38],
    [0.98, 3.45],
    [0.995, 3.55],
    [1, 3.65],
]

export type Chemistry = "nmc" | "lfp"

/** Charge voltage a cell the charger holds (V). */
export function cellVmax(chem: Chemistry = "nmc"): number {
    return chem === "lfp" ? 3.65 : 4.2
}

export function cellOcv(soc: number, chem: Chemistry = "nmc"): number {
    const ocv = chem === "lfp" ? OCV_LFP : OCV
    if (soc <= 0) return ocv[0][1]
    for (let i = 1; i < ocv.length; i++)
        if (soc <= ocv[i][0]) {
            const [s0, v0] = ocv[i - 1]
            const [s1, v1] = ocv[i]
            return v0 + ((v1 - v0) * (soc - s0)) / (s1 - s0)
        }
    return ocv[ocv.length - 1][1]
}

export interface Pack {
    capAh: number
    soc0: number
}

export interface LithiumParams {
    /** cell chemistry (default nmc: 4.2 V a cell; lfp: 3.65 V a cell, flat curve, sharp knee) */
    chem?: Chemistry
    cells: number
    packs: Pack[]
    iccA: number
    /** termination current, fraction of iccA */
    termFrac: number
    rOhm: number
    eff: number
    /** charger electronics (and fan) while charging (W) */
    overheadW: number
    /** draw after termination (W) */
    idleW: number
    softStartS: number
    /** extra draw on the first second of charging (W) */
    inrushW: number
    pf: number
    brownout: BrownoutBehaviour
    /** dual packs: seconds of near-zero draw while switching */
    switchDipS: number
    /** aged pack: self-discharge/leak current that keeps the taper from ever reaching termination (fraction of iccA) */
    leakFrac: number
    /** pulse charging in bulk (s on, s off; 0: none) */
    pulseOnS: number
    pulseOffS: number
    /** BMS balancing flicker before termination (s; 0: none) */
    balanceS: number
    /** restart after full: delay and duration (s; 0: none) */
    restartDelayS: number
    restartS: number
    /** fan after full: runs on for runOnS, then cycles on/off (s); fanW its draw */
    fanW: number
    fanRunOnS: number
    fanCycleOnS: number
    fanCycleOffS: number
    /** maintenance pulses after full: every/duration (s), at termination current */
    maintEveryS: number
    maintS: number
}

type Phase = "soft" | "cc" | "cv" | "balance" | "switch" | "done"

export class LithiumCharger implements ChargerModel {
    readonly family: string
    readonly pf: number
    private phase: Phase = "soft"
    private pack = 0
    private soc: number
    private phaseT = 0
    private full: number | null = null
    private doneT = 0
    private restarted = false
    private dropout = new Dropout(() => this.p.brownout)
    private inrushPending = true
    private rng: () => number

    constructor(
        family: string,
        readonly p: LithiumParams,
        rng: () => number
    ) {
        this.family = family
        this.pf = p.pf
        this.soc = p.packs[0].soc0
        this.rng = rng
    }

    fullAt() {
        return this.full
    }

    params() {
        const p = this.p
        return {
            chem: p.chem ?? "nmc",
            cells: p.cells,
            packs: p.packs.length,
            capAh: +p.packs[0].capAh.toFixed(1),
            soc0: +p.packs[0].soc0.toFixed(2),
            iccA: +p.iccA.toFixed(2),
            termFrac: +p.termFrac.toFixed(3),
            idleW: +p.idleW.toFixed(1),
            leakFrac: +p.leakFrac.toFixed(2),
        }
    }

    private vmax() {
        return cellVmax(this.p.chem) * this.p.cells
    }

    private charge(dt: number, i: number) {
        const cap = this.p.packs[this.pack].capAh
        const net = i - this.p.leakFrac * this.p.iccA
        this.soc = Math.min(1, this.soc + (net * dt) / 3600 / cap)
    }

    /** DC current the charger pushes now (A), advancing the phase machine. */
    private current(t: number, dt: number): number {
        const p = this.p
        const ocv = cellOcv(this.soc, p.chem) * p.cells
        if (this.phase === "soft") {
            if (t - this.phaseT >= p.softStartS) this.setPhase("cc", t)
            return 0
        }
        if (this.phase === "switch") {
            if (t - this.phaseT >= p.switchDipS) {
                this.pack++
                this.soc = p.packs[this.pack].soc0
                this.setPhase("cc", t)
            }
            return 0
        }
        if (this.phase === "cc") {
            let i = p.iccA
            if (p.pulseOnS > 0) {
                const period = p.pulseOnS + p.pulseOffS
                const on = (t - this.phaseT) % period < p.pulseOnS
                i = on ? (p.iccA * period) / p.pulseOnS / 1.15 : 0
            }
            if (ocv + p.iccA * p.rOhm >= this.vmax()) this.setPhase("cv", t)
            return i
        }
        if (this.phase === "cv" || this.phase === "balance") {
            let i = Math.min(p.iccA, Math.max(0, (this.vmax() - ocv) / p.rOhm))
            if (p.leakFrac > 0) i = Math.max(i, p.leakFrac * p.iccA * 1.02)
            if (this.phase === "cv" && i < p.termFrac * p.iccA) {
                if (p.balanceS > 0) this.setPhase("balance", t)
                else return this.terminate(t)
            }
            if (this.phase === "balance") {
                if (t - this.phaseT >= p.balanceS) return this.terminate(t)
                // the BMS opens and closes the charge path while it bleeds high cells
                return this.rng() < 0.5 ? p.termFrac * p.iccA * (1 + this.rng() * 1.5) : 0
            }
            return i
        }
        return 0
    }

    private terminate(t: number): number {
        if (this.pack + 1 < this.p.packs.length) {
            this.setPhase("switch", t)
            return 0
        }
        this.setPhase("done", t)
        if (this.full === null) this.full = t
        this.doneT = t
        return 0
    }

    private setPhase(ph: Phase, t: number) {
        this.phase = ph
        this.phaseT = t
    }

    /** Draw after full: idle, fans, maintenance pulses, a brief restart. */
    private afterFull(t: number): number {
        const p = this.p
        const since = t - this.doneT
        let w = p.idleW
        if (p.fanW > 0) {
            if (since < p.fanRunOnS) w += p.fanW
            else if (p.fanCycleOnS > 0 && (since - p.fanRunOnS) % (p.fanCycleOnS + p.fanCycleOffS) < p.fanCycleOnS) w += p.fanW
        }
        if (p.maintEveryS > 0 && since > p.maintEveryS && since % p.maintEveryS < p.maintS) {
            const i = p.termFrac * p.iccA
            w += (this.vmax() * i) / p.eff + p.overheadW
        }
        if (p.restartS > 0 && !this.restarted && since >= p.restartDelayS) {
            if (since < p.restartDelayS + p.restartS) {
                const i = Math.min(p.iccA, 3 * p.termFrac * p.iccA)
                w += (this.vmax() * i) / p.eff + p.overheadW
            } else this.restarted = true
        }
        return w
    }

    step(t: number, dt: number, v: number): number {
        const p = this.p
        if (this.dropout.off(t, v)) return 0
        if (this.dropout.takeRestart()) this.inrushPending = true
        if (this.phase === "done") return this.afterFull(t)
        const i = this.current(t, dt)
        // current() may have just terminated the charge
        if (i <= 0) return (this.phase as Phase) === "done" ? p.idleW : this.phase === "soft" ? 0 : p.overheadW * 0.3
        this.charge(dt, i)
        const ocv = cellOcv(this.soc, p.chem) * p.cells
        const vt = Math.min(this.vmax(), ocv + i * p.rOhm)
        let w = (vt * i) / p.eff + p.overheadW
        if (this.inrushPending) {
            w += p.inrushW
            this.inrushPending = false
        }
        return w
    }
}
