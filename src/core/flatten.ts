// Is a taper flattening onto a floor (a two-stage lead-acid charger settling on float
// current), or still decaying towards zero (a lithium CV taper that will terminate)?
// A constant-voltage taper is P(t) = F + E*exp(-t/tau): a floor F (float current and the
// charger's own draw) and an excess E that decays. Full is E <= EXCESS_OF_FLOOR * F. Neither F
// nor tau is known, but the taper's own history bounds them: from the level P0 when the draw
// first came low, the last window's mean and the time between, the hypothesis "E is now
// exactly that fraction of F" fixes F, tau and the fall the draw would show over the last
// windows. A larger excess means a larger fall (e*((1 + c/e)^r - 1) grows with e), so the draw
// is full when it falls no more than that hypothetical fall. Pure; fed raw readings and the smoothed level.
// Functions over a plain number[] rather than a class: the fit lives in the board's heap while
// a session's draw is low (~200 B a session this way: 24 numbers).

export interface FlatVerdict {
    full: boolean
    /** estimated floor (W) and excess above it (W) */
    floorW: number
    excessW: number
}

/** Full when the excess left above the floor is under this fraction of the floor. */
const EXCESS_OF_FLOOR = 0.1
/**
 * A window closes after its time and this many readings: a sparse meter's every reading
 * carries its full noise, so its windows stretch until their mean is worth a slope.
 */
const MIN_WINDOW_READINGS = 3
/**
 * A real taper is an exponential only so far, and the floor, the time constant and the excess
 * now are estimated: the observed fall is judged this much steeper.
 */
const MODEL_MARGIN = 0.03
/**
 * No constant-voltage taper is slower than this (ms): a taper that is still 10 % of its floor
 * above it falls at least that fast. Without history enough to tell the time constant, the
 * draw is judged against it.
 */
const TAU_MAX_MS = 7200000
/** The history since the first window spans at least this many times the slope's span. */
const HISTORY_SPANS = 2

// One fit's state: numbers in one array (a number costs 8 B of heap there, 16 as an object's field).
const WINDOW_MS = 0
/** readings in the current window */
const COUNT = 1
const WIN_START = 2
const LAST_T = 3
const LAST_P = 4
/** the current window's integral of power (W ms) and its span (ms) */
const SUM = 5
const SPAN = 6
/** the current window's lowest and highest level (W) */
const LO = 7
const HI = 8
/** the last finished window's spread of the level (W) */
const SPREAD = 9
/** the first finished window's mean (W) and middle (ms): where the low taper started */
const P0 = 10
const T0 = 11
/** finished windows kept after the first (0-KEPT): means at MEANS.., middles at TIMES.., oldest first */
const WINDOWS = 12
const KEPT = 4
const MEANS = 13
const TIMES = 17
/** readings in the last finished window */
const LAST_N = 21
/** the current window's sum of squared differences between consecutive readings (W^2) */
const DIFF2 = 22
/** the last finished window's meter noise (W): from consecutive differences, whatever the sampling */
const NOISE = 23

/** A new fit over windows of `windowMs`; the slope is judged over KEPT - 1 windows. */
export function newFlattening(windowMs: number): number[] {
    return [windowMs, 0, -1, -1, 0, 0, 0, 1e9, -1e9, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
}

/** Feed one raw reading `p` and the smoothed level (W) at `t` (ms). */
export function flatAdd(f: number[], t: number, p: number, level: number) {
    if (f[WIN_START] < 0) {
        f[WIN_START] = t
        f[LAST_T] = t
        f[LAST_P] = p
        f[SUM] = 0
        f[SPAN] = 0
        f[COUNT] = 0
        f[LO] = level
        f[HI] = level
        return
    }
    f[COUNT]++
    const dt = t - f[LAST_T]
    f[SUM] += ((f[LAST_P] + p) / 2) * dt
    f[DIFF2] += (p - f[LAST_P]) * (p - f[LAST_P])
    f[SPAN] += dt
    f[LAST_T] = t
    f[LAST_P] = p
    if (level < f[LO]) f[LO] = level
    if (level > f[HI]) f[HI] = level
    if (t - f[WIN_START] >= f[WINDOW_MS] && f[COUNT] >= MIN_WINDOW_READINGS) {
        const mean = f[SPAN] > 0 ? f[SUM] / f[SPAN] : p
        const mid = (f[WIN_START] + t) / 2
        // the first window is also the first of the kept ones: a draw already flat from the
        // start is judged against the slowest taper as soon as KEPT windows are in
        if (f[P0] < 0) {
            f[P0] = mean
            f[T0] = mid
        }
        let k = f[WINDOWS]
        if (k < KEPT) f[WINDOWS] = k + 1
        else {
            k = KEPT - 1
            for (let i = 0; i < KEPT - 1; i++) {
                f[MEANS + i] = f[MEANS + i + 1]
                f[TIMES + i] = f[TIMES + i + 1]
            }
        }
        f[MEANS + k] = mean
        f[TIMES + k] = mid
        f[LAST_N] = f[COUNT]
        // two readings' difference carries twice the noise's variance (and any real change
        // between them, which only makes the margin wider)
        f[NOISE] = Math.sqrt(f[DIFF2] / (2 * f[COUNT]))
        f[DIFF2] = 0
        f[COUNT] = 0
        f[SPREAD] = f[HI] - f[LO]
        f[WIN_START] = t
        f[SUM] = 0
        f[SPAN] = 0
        f[LO] = level
        f[HI] = level
    }
}

/**
 * `scatterW`: the readings' mean distance from the level (W); the fit's own noise (from
 * consecutive readings) counts when larger. A window's mean carries that over the root of its
 * readings; the fall between two means is judged that much steeper (three times the
 * difference's spread), so meter noise cannot make a taper look flat. `t`: now (ms).
 */
export function flatVerdict(f: number[], scatterW: number, t: number): FlatVerdict {
    const no: FlatVerdict = { full: false, floorW: 0, excessW: 0 }
    if (f[WINDOWS] < KEPT) return no
    const a = f[MEANS]
    const b = f[MEANS + KEPT - 1]
    // an unsteady draw (balancing flicker, cycling loads) is no settled float
    if (f[SPREAD] > 0.5 * b + 1) return no
    const tb = f[TIMES + KEPT - 1]
    const span = tb - f[TIMES]
    // the fall over the span says how far the taper still is from its floor only against a
    // longer history before it: over most of the history it is most of the fall whatever
    // the floor (an early cut on a fast taper judged right after it came low)
    const short = tb - f[T0] < HISTORY_SPANS * span
    // the fall between the oldest and the last window, made steeper by the noise
    const fall = (1 + MODEL_MARGIN) * (a - b) + 3 * Math.max(scatterW, f[NOISE]) * Math.sqrt(2 / f[LAST_N])
    // the hypothesis "the excess now (t) is exactly that fraction of the floor" fixes the
    // floor, the excess at the last window (k times it) and the time constant, from how far
    // the draw fell between the first window and the last; k depends on the time constant:
    // a few rounds settle it (t is at most a window or two after tb)
    let k = 1
    let x = 0
    let tau = 0
    for (let i = 0; i < 3; i++) {
        x = (b * EXCESS_OF_FLOOR) / (1 + EXCESS_OF_FLOOR * k)
        tau = short ? TAU_MAX_MS : Math.min(TAU_MAX_MS, (tb - f[T0]) / Math.log((Math.max(0, f[P0] - b) + x * k) / (x * k)))
        k = Math.exp((t - tb) / tau)
    }
    // the excess now that the observed fall means: an excess e at tb was e * exp(span / tau)
    // a span before
    const excess = fall > 0 ? fall / (Math.exp(span / tau) - 1) / k : 0
    return { full: b > 0 && excess <= x, floorW: x / EXCESS_OF_FLOOR, excessW: excess }
}
