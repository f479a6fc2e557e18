// Deterministic synthetic curves and a driver, written in the portable subset so the same
// scenarios run in node (test/node) and inside the DeviceScript VM (test/vm).

import { defaultConfig, ShedConfig, copyConfig } from "../../src/core/config"
import { Supervisor } from "../../src/core/supervisor"
import { lastEnded } from "./events"

/** A tiny deterministic PRNG (LCG) so both runtimes see the same noise. */
export class Lcg {
    private s: number
    constructor(seed: number) {
        this.s = seed % 2147483647
        if (this.s <= 0) this.s += 2147483646
    }
    next(): number {
        this.s = (this.s * 16807) % 2147483647
        return (this.s - 1) / 2147483646
    }
}

/** Power (W) of an idealised lithium CC/CV charge at t seconds. */
export function lithiumW(t: number, plateauW: number, ccS: number, tauS: number, cutFraction: number, idleW: number): number {
    if (t < 3) return 0
    if (t < ccS) return plateauW * (0.9 + (0.1 * t) / ccS)
    const x = plateauW * Math.exp(-(t - ccS) / tauS)
    if (x > cutFraction * plateauW) return x
    return idleW
}

/**
 * A lithiumW charge with a 3,600 s plateau as a meter reads it: 2 % and +-0.15 W of noise, 0.1 W
 * resolution, and one glitch between 600 and 3,600 s (a reading of 0 or of 2.5 times the draw).
 * `seed` draws the glitch and the noise. Readings must be taken in time order, once each.
 */
export function noisyLithiumW(seed: number, plateauW: number, tauS: number, cutFraction: number, idleW: number): (t: number) => number {
    const rng = new Lcg(seed)
    const glitchAt = 600 + Math.floor(rng.next() * 3000)
    return (t: number) => {
        let p = lithiumW(t, plateauW, 3600, tauS, cutFraction, idleW)
        p += (rng.next() - 0.5) * 0.02 * p + (rng.next() - 0.5) * 0.3
        if (t === glitchAt) p = rng.next() < 0.5 ? 0 : p * 2.5
        return Math.max(0, Math.round(p * 10) / 10)
    }
}

/** Time (s) a lithiumW curve terminates (true full). */
export function lithiumFullS(plateauW: number, ccS: number, tauS: number, cutFraction: number): number {
    return Math.ceil(ccS + tauS * Math.log(1 / cutFraction))
}

/** The second (rounded) a lithiumW taper from `ccS` with time constant `tauS` is down to `fraction` of its plateau. */
export function lithiumAtS(ccS: number, tauS: number, fraction: number): number {
    return ccS + Math.round(tauS * Math.log(1 / fraction))
}

/**
 * Power (W) of a two-stage lead-acid charge at t seconds: a plateau, then a constant-voltage taper
 * that flattens onto the float draw `floorW` (time constant tauS), never stepping down.
 */
export function twoStageW(t: number, plateauW: number, ccS: number, tauS: number, floorW: number): number {
    if (t < 3) return 0
    if (t < ccS) return plateauW
    return floorW + (plateauW - floorW) * Math.exp(-(t - ccS) / tauS)
}

/** The first second a twoStageW taper draws under `w` (W; over its float draw `floorW`). */
export function twoStageAtS(plateauW: number, ccS: number, tauS: number, floorW: number, w: number): number {
    return Math.ceil(ccS + tauS * Math.log((plateauW - floorW) / (w - floorW)))
}

/**
 * The excess (W) over the float draw `floorW` of a two-stage taper from `ccS` that decays as two
 * exponentials: `share` of it with time constant `slowS`, the rest with `tauS` (a real battery's
 * acceptance has more than one; twoStageW's has one).
 */
export function twoExpExcessW(t: number, plateauW: number, ccS: number, tauS: number, slowS: number, share: number, floorW: number): number {
    return (plateauW - floorW) * ((1 - share) * Math.exp(-(t - ccS) / tauS) + share * Math.exp(-(t - ccS) / slowS))
}

/** When a twoExpExcessW taper is full (s): its excess down to a tenth of the float draw. */
export function twoExpFullS(plateauW: number, ccS: number, tauS: number, slowS: number, share: number, floorW: number): number {
    let t = ccS
    while (twoExpExcessW(t, plateauW, ccS, tauS, slowS, share, floorW) > 0.1 * floorW) t++
    return t
}

/** When a twoStageW curve is full (s): the excess over float down to a tenth of the float draw. */
export function twoStageFullS(plateauW: number, ccS: number, tauS: number, floorW: number): number {
    return Math.ceil(ccS + tauS * Math.log((plateauW - floorW) / (0.1 * floorW)))
}

/** A charge drawn at random by `randomCharge`: the charger's draw (W) at `t` (s), without meter noise. */
export interface RandomCharge {
    fullS: number
    /** the constant-current plateau ends (s) */
    ccS: number
    power: (t: number) => number
    /** when (s) the taper is down to `fraction` of the plateau (at the latest, full) */
    taperAt: (fraction: number) => number
}

/**
 * Charge `k` of a random sweep: even k lithium CC/CV (plateau 60-400 W, taper 5-80 min,
 * terminating at 2-20 % onto nothing when k is a multiple of 4, else 0.7 W), odd k three-stage
 * lead-acid (absorption 10-80 min onto 2-6 %, float at 8-20 %, settling over 30-120 min from
 * 2-5 % to 0.5-1.5 %, the charger's own 1-4 W).
 */
export function randomCharge(rng: Lcg, k: number): RandomCharge {
    const u = (a: number, b: number) => a + (b - a) * rng.next()
    const plateauW = u(60, 400)
    const ccS = u(1800, 10800)
    if (k % 2 === 0) {
        const tauS = u(300, 4800)
        const cut = u(0.02, 0.2)
        const idleW = k % 4 === 0 ? 0 : 0.7
        const fullS = ccS + tauS * Math.log(1 / cut)
        return {
            fullS,
            ccS,
            power: t => (t < 3 ? 0 : t < ccS ? plateauW * (0.9 + (0.1 * t) / ccS) : t < fullS ? plateauW * Math.exp(-(t - ccS) / tauS) : idleW),
            taperAt: f => ccS + tauS * Math.log(1 / Math.max(f, cut)),
        }
    }
    const tauS = u(600, 4800)
    const asym = u(0.02, 0.06)
    const toFloat = u(0.08, 0.2)
    const floatFrom = u(0.02, 0.05)
    const floatTo = u(0.005, 0.015)
    const floatTauS = u(1800, 7200)
    const ownW = u(1, 4)
    const fullS = ccS + tauS * Math.log((1 - asym) / (toFloat - asym))
    return {
        fullS,
        ccS,
        power: t =>
            t < 3
                ? 0
                : t < ccS
                  ? plateauW
                  : t < fullS
                    ? ownW + plateauW * (asym + (1 - asym) * Math.exp(-(t - ccS) / tauS))
                    : ownW + plateauW * (floatTo + (floatFrom - floatTo) * Math.exp(-(t - fullS) / floatTauS)),
        taperAt: f => ccS + tauS * Math.log((1 - asym) / Math.max(f - asym, toFloat - asym)),
    }
}

/**
 * A smart plug's export of `power(t)` (W, t in s): one mean a reading from `fromS` until `endS`,
 * each interval `nextGapS()` long (drawn before that reading's noise), +-(0.1 W + 0.5 %) of noise
 * from `rng`, 0.1 W resolution.
 */
export function noisyMeans(rng: Lcg, power: (t: number) => number, fromS: number, endS: number, nextGapS: () => number) {
    const samples = []
    for (let from = fromS; from < endS;) {
        const to = from + nextGapS()
        let sum = 0
        for (let t = from; t < to; t++) sum += power(t)
        const mean = sum / (to - from)
        const noisy = mean + (rng.next() - 0.5) * 2 * (0.1 + 0.005 * mean)
        samples.push({ t_s: to, power_w: Math.max(0, Math.round(noisy * 10) / 10), current_a: NaN, voltage_v: NaN })
        from = to
    }
    return samples
}

/** The `k`th charge's smart-plug export until `endS`: a mean every 5 min (k % 4 < 2) or 10 min, from a random phase. */
export function plugMeans(rng: Lcg, power: (t: number) => number, k: number, endS: number) {
    const gapS = k % 4 < 2 ? 300 : 600
    return noisyMeans(rng, power, Math.floor(rng.next() * gapS), endS, () => gapS)
}

/** A 1 s meter's readings of `power(t)` (W, t in s) from 1 s until `endS`: +-(0.15 W + 1 %) of noise from `rng`, 0.1 W resolution. */
export function noisySeconds(rng: Lcg, power: (t: number) => number, endS: number) {
    const samples = []
    for (let t = 1; t < endS; t++) {
        const m = power(t)
        samples.push({ t_s: t, power_w: Math.max(0, Math.round((m + (rng.next() - 0.5) * 2 * (0.15 + 0.01 * m)) * 10) / 10), current_a: NaN, voltage_v: NaN })
    }
    return samples
}

export interface RunResult {
    reason: string
    stopS: number
    energyWh: number
    faulted: boolean
}

/**
 * Drive one socket with power(t) sampled every `stepS` until the relay opens or `endS`.
 * `relayStuck` keeps the relay "on" as seen by the meter after opening (welded relay).
 */
export async function runSocket(
    power: (t: number) => number,
    endS: number,
    stepS: number,
    cfgPatch: any,
    relayStuck: boolean,
    /** the VM must yield now and then or it panics with InfiniteLoop */
    pause: () => Promise<void>,
    /** the order's charger profile (absent: auto) */
    profile?: string,
    /** the socket's RMS current (A) while its relay is closed (absent: a meter that reads none) */
    amps?: (t: number) => number
): Promise<RunResult> {
    const cfg: ShedConfig = copyConfig(defaultConfig())
    cfg.sockets = 1
    if (cfgPatch) {
        const keys = Object.keys(cfgPatch)
        for (let i = 0; i < keys.length; i++) (cfg as any)[keys[i]] = cfgPatch[keys[i]]
    }
    const sup = new Supervisor(cfg)
    sup.start(1, "o1", { kind: "full", value: 0 }, profile ? { profile: profile } : null, -1)
    let relay = sup.tick(-1, [0], [230], [false])[0]
    let stopS = -1
    let n = 0
    for (let t = 0; t <= endS; t += stepS) {
        if (++n % 20 === 0) await pause()
        const live = relay || relayStuck
        const p = live ? power(t) : 0.2
        relay = sup.tick(t * 1000, [p], [230], [relay], [amps ? (live ? amps(t) : 0) : NaN])[0]
        if (!relay && stopS < 0) {
            stopS = t
            if (!relayStuck) break
        }
        if (relayStuck && stopS >= 0 && t > stopS + 10) break
    }
    const s = sup.sockets[0]
    const r = lastEnded(sup, 1, [])
    return {
        reason: r ? r.reason : "",
        stopS: stopS,
        energyWh: r ? r.energyWh : s.energy(),
        faulted: s.state === "faulted",
    }
}
