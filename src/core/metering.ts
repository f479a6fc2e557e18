// Meter readings the decisions can trust: per-channel gain and offset calibration, a noise
// floor (an open socket reads 0 W unless it really draws: the same floor that welded-relay
// detection uses), and cross-talk suppression between neighbouring channels.

export interface ChannelCal {
    /** multiplies the raw power */
    gain: number
    /** added after the gain (W) */
    offsetW: number
}

export const IDENTITY_CAL: ChannelCal = { gain: 1, offsetW: 0 }

/** Bounds a stored calibration must respect: a wild constant is refused, never applied. */
export function checkCal(c: any): string {
    if (c === null || typeof c !== "object") return "calibration must be an object {gain, offsetW}"
    if (typeof c.gain !== "number" || !(c.gain >= 0.5 && c.gain <= 2)) return "gain must be 0.5..2"
    if (typeof c.offsetW !== "number" || !(c.offsetW >= -20 && c.offsetW <= 20)) return "offsetW must be -20..20 W"
    return null
}

/**
 * The calibration procedure's arithmetic: with the socket open the channel reads `zeroW`, with a
 * known resistive load of `knownW` (e.g. a 1000 W heater measured with a reference meter) it
 * reads `loadW`.
 */
export function calFromKnownLoad(zeroW: number, loadW: number, knownW: number): ChannelCal {
    const gain = knownW / (loadW - zeroW)
    return { gain: gain, offsetW: -gain * zeroW }
}

export function applyCal(rawW: number, c: ChannelCal): number {
    return c.gain * rawW + c.offsetW
}

/**
 * Clean one tick of readings: calibrate, remove the share of each live neighbour's power
 * that leaks into a channel (`crossTalk`, fraction), and report 0 W under the floor.
 */
export function cleanReadings(rawW: number[], cals: ChannelCal[], crossTalk: number, floorW: number): number[] {
    const cal: number[] = []
    for (let i = 0; i < rawW.length; i++) cal.push(applyCal(rawW[i], cals[i] ? cals[i] : IDENTITY_CAL))
    const out: number[] = []
    for (let i = 0; i < cal.length; i++) {
        let p = cal[i]
        if (i > 0) p -= crossTalk * cal[i - 1]
        if (i + 1 < cal.length) p -= crossTalk * cal[i + 1]
        out.push(p < floorW ? 0 : p)
    }
    return out
}
