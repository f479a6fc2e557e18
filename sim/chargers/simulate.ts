// Runs a charger model against mains and rider/fault events at 1 s, then applies the meter:
// noise floor on an empty socket, noise, 0.1 W resolution, glitches, silences, and
// resampling (smart-plug recordings: the mean over each interval).

import { CurveSample } from "../csv"
import { Mains } from "./mains"
import { Rng } from "./rng"
import { ChargerModel } from "./types"

export interface Events {
    /** the charger is pulled out of the socket (draw -> 0) */
    unplugAtS?: number
    /** the battery is taken off a charger that stays plugged (draw -> the charger's idle) */
    removeBatteryAtS?: number
    removedIdleW?: number
    /** a short circuit: the draw jumps far over any limit */
    shortAtS?: number
    shortW?: number
    /** a forbidden appliance or faulty charger draws this much from overloadAtS */
    overloadAtS?: number
    overloadW?: number
}

export interface MeterOptions {
    noiseW: number
    noisePct: number
    /** an empty socket reads a few tenths of a watt */
    floorW: number
    glitchesAtS: number[]
    silences: [number, number][]
    /** seconds between written samples (1 s meter, 5 s, or 300 s smart plug) */
    sampleS: number
    /**
     * irregular meters (smart-plug exports, report-on-change): each interval drawn between
     * sampleS and sampleMaxS (s); absent: every interval is sampleS
     */
    sampleMaxS?: number
}

export interface Simulated {
    samples: CurveSample[]
    fullAt: number | null
}

/** The current (A) an input filter drawing `filterA` at 230 V draws at `v`: a capacitor's, in proportion to the voltage. */
export function filterCurrentA(filterA: number, v: number): number {
    return (filterA * v) / 230
}

/** What a meter reads as RMS current: the load's (`w` at `v` and power factor `pf`) and the filter's, which is reactive, in quadrature. */
export function meterCurrentA(w: number, v: number, pf: number, filterNowA: number): number {
    return Math.hypot(w / (v * pf), filterNowA)
}

/**
 * `filterA`: the current (A at 230 V) a charger's mains input filter (its X capacitor) draws for
 * as long as the charger is plugged in, whatever its output does: a charger that switched off
 * reads 0 W but this current; a socket with nothing plugged in reads neither.
 */
export function simulate(charger: ChargerModel | null, mains: Mains, durationS: number, ev: Events, meter: MeterOptions, rng: Rng, filterA = 0): Simulated {
    const raw: { t: number; p: number; v: number; pf: number; f: number }[] = []
    for (let t = 0; t < durationS; t++) {
        const v = mains.at(t)
        let p = 0
        let pf = charger ? charger.pf : 1
        const pulled = ev.unplugAtS !== undefined && t >= ev.unplugAtS
        const f = charger && !pulled ? filterCurrentA(filterA, v) : 0
        if (pulled) p = 0
        else if (ev.removeBatteryAtS !== undefined && t >= ev.removeBatteryAtS) p = ev.removedIdleW ?? 0
        else if (charger) p = charger.step(t, 1, v)
        if (ev.overloadAtS !== undefined && t >= ev.overloadAtS) {
            p = (ev.overloadW ?? 1500) * (v / 230) ** 2
            pf = 0.99
        }
        if (ev.shortAtS !== undefined && t >= ev.shortAtS) {
            p = ev.shortW ?? 5000
            pf = 0.7
        }
        raw.push({ t, p, v, pf, f })
        if (ev.shortAtS !== undefined && t >= ev.shortAtS + 5) break
    }
    const samples: CurveSample[] = []
    let step = meter.sampleS
    const irregular = meter.sampleMaxS !== undefined && meter.sampleMaxS > meter.sampleS
    for (let i = 0; i + step <= raw.length || (i < raw.length && step === 1); i += step) {
        if (irregular && i > 0) step = Math.round(rng.uniform(meter.sampleS, meter.sampleMaxS!))
        if (i + step > raw.length) break
        const chunk = raw.slice(i, i + step)
        const t = chunk[chunk.length - 1].t + (step > 1 ? 1 : 0)
        if (meter.silences.some(([a, d]) => t >= a && t < a + d)) continue
        const p = chunk.reduce((s, x) => s + x.p, 0) / chunk.length
        const v = chunk.reduce((s, x) => s + x.v, 0) / chunk.length
        const pf = chunk[chunk.length - 1].pf
        const f = chunk.reduce((s, x) => s + x.f, 0) / chunk.length
        let reading = p < 0.05 ? Math.abs(meter.floorW + rng.normal(0.1)) : p + rng.normal(meter.noiseW + meter.noisePct * p)
        if (meter.glitchesAtS.includes(t)) reading = rng.chance(0.5) ? 0 : reading * rng.uniform(1.5, 3)
        reading = Math.max(0, Math.round(reading * 10) / 10)
        const current = Math.round(meterCurrentA(reading, v, pf, f) * 1000) / 1000
        samples.push({ t_s: t, power_w: reading, current_a: current, voltage_v: Math.round(v * 10) / 10 })
    }
    return { samples, fullAt: charger ? charger.fullAt() : null }
}
