// Exponential moving average over irregular samples: the weight of a new sample grows
// with the time since the previous one, so a meter that reports every second and a
// smart plug that reports every five minutes are smoothed over the same time span.
// A function over plain numbers, not an object: the detector keeps three averages per
// session, and an object costs ~110 B of the board's heap where a number field costs 16.

/** The average `value` after a sample `x` taken `dtMs` after the previous one. */
export function emaStep(value: number, dtMs: number, tauMs: number, x: number): number {
    if (dtMs <= 0) return value
    return value + (1 - Math.exp(-dtMs / tauMs)) * (x - value)
}
