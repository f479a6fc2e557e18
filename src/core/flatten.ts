// Is a taper flattening onto a floor (a two-stage lead-acid charger settling on float
// current), or still decaying towards zero (a lithium CV taper that will terminate)?
// A constant-voltage taper is P(t) = F + E*exp(-t/tau): a floor F (float current and the
// charger's own draw) and an excess E that decays. Full is E <= EXCESS_OF_FLOOR * F.
// The draw since it came low is kept as window means (a fixed number of slots: when they are
// all used, neighbours merge in pairs and the windows double, like the power trace, or the
// oldest leaves when the windows fit no such curve), and the curve is fitted to them by least
// squares: for each time constant, F and E are a straight line's; the time constant is the one
// that fits best. Full when the excess now, with the
// uncertainty the fit leaves, is under the fraction of the floor for every time constant the
// windows cannot rule out (a taper slower than any seen yet cannot be ruled out while the
// history is short: a flat draw is judged once it has been flat long enough to tell). A draw
// the curve does not fit (a taper that stopped at a corner) is judged on its recent part too.
// Pure; fed raw readings and the smoothed level. Functions over a plain number[] rather than a
// class: the fit lives in the board's heap while a session's draw is low (a number costs 8 B
// there, 16 as an object's field).

/** Full when the excess left above the floor is under this fraction of the floor. */
const EXCESS_OF_FLOOR = 0.1
/**
 * A window closes after its time and this many readings: a sparse meter's windows stretch so
 * that each mean has a difference of readings for its noise (the fit weighs a window by its
 * readings). Three cost a sparse two-stage charge 15-30 min more a window: 12 of 34 on the
 * tuning seeds were not cut within the 45-60 min their curves run after full; with two, 9 (one
 * cut 1.2 min after full, a reading after it); one reading a window cut 3 early.
 */
const MIN_WINDOW_READINGS = 2
/**
 * A real taper is an exponential only so far, and its floor is extrapolated: a floor 1 % off
 * is an excess 10 % off. The excess must be under this much less than the fraction.
 */
const MODEL_MARGIN = 0.2
/** The excess now is judged with this many standard errors of the fit added. */
const SE_FACTOR = 2
/** The excess now must be under this share of the floor. */
const FULL_SHARE = EXCESS_OF_FLOOR * (1 - MODEL_MARGIN)
/** Time constants whose residual is within this many window variances of the best are kept (3 sigma). */
const CHI = 9
/**
 * A fit whose variance is over this many times the windows' own is no taper onto a floor (2
 * sigma): its recent part is judged too, and its oldest window leaves rather than merging. At 3
 * sigma a taper slower than one exponential was judged on its whole history, the fast part's
 * fit read its slow tail as floor, and it was cut with more of its excess left.
 */
const MISFIT_CHI = 4
/**
 * Time constants scanned: SCAN of them from 5 min (ln 300,000 ms) up, each 1.335 times the last
 * (ln 1.335), to 2 h: no constant-voltage taper is faster or slower. One grid for the scan and
 * the judgement that follows it.
 */
const SCAN = 12
const LOG_TAU_MIN = 12.6115
const LOG_RATIO = 0.28893

/** Window means kept; when all are used they merge in pairs and windows double (then the fit still has MIN_WINDOWS). */
const SLOTS = 8
/** The fit needs this many windows: two more than its three unknowns, for its own misfit to mean something. */
const MIN_WINDOWS = 5

// One fit's state: numbers in one array.
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
/** the last finished window's spread of the level (W) and mean (W) */
const SPREAD = 9
const LAST_MEAN = 10
/** the first finished window's middle (ms): the fit's time origin */
const T0 = 11
/** slots used */
const USED = 12
/** readings in all finished windows */
const READINGS = 13
/** the current window's sum of squared differences between consecutive readings (W^2) */
const DIFF2 = 14
/** the last finished window's meter noise (W): from consecutive differences, whatever the sampling */
const NOISE = 15
/** the last fit (-1: none since the last window): of the time constants the windows cannot rule
 * out, the one leaving the most excess: time constant, floor, excess at T0 with its error */
const FIT_TAU = 16
const FIT_F = 17
const FIT_E = 18
/** 1: the last fit of all the windows left a misfit no taper onto a floor explains */
const MISFIT = 19
/** window means at MEANS.., their middles at MIDS.. (ms after T0), oldest first */
const MEANS = 20
const MIDS = MEANS + SLOTS
const SIZE = MIDS + SLOTS

/** A new fit over windows of `windowMs` (they double as the slots fill). */
export function newFlattening(windowMs: number): number[] {
    // allocated at its size: pushed one by one, the VM's array would grow to 42 slots
    const f: number[] = new Array(SIZE)
    for (let i = 0; i < SIZE; i++) f[i] = 0
    f[WINDOW_MS] = windowMs
    f[WIN_START] = -1
    f[LO] = 1e9
    f[HI] = -1e9
    f[FIT_TAU] = -1
    return f
}

/** Feed one raw reading `p` and the smoothed level (W) at `t` (ms). */
export function flatAdd(f: number[], t: number, p: number, level: number) {
    if (f[WIN_START] < 0) {
        f[WIN_START] = t
        f[LAST_T] = t
        f[LAST_P] = p
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
        // two readings' difference carries twice the noise's variance (and any real change
        // between them, which only makes the margin wider)
        const noise = Math.sqrt(f[DIFF2] / (2 * f[COUNT]))
        if (f[USED] === 0) f[T0] = (f[WIN_START] + t) / 2
        if (f[USED] === SLOTS) {
            // the windows fit no taper onto a floor (a corner lies after the oldest): the oldest
            // leaves and the rest keep their length. Else neighbours merge in pairs: every slot
            // then spans two windows, and so do the next
            const k = f[MISFIT] ? 1 : 2
            f[USED] = SLOTS / k - f[MISFIT]
            for (let i = 0; i < f[USED]; i++) {
                f[MEANS + i] = (f[MEANS + k * i + f[MISFIT]] + f[MEANS + k * i + 1]) / 2
                f[MIDS + i] = (f[MIDS + k * i + f[MISFIT]] + f[MIDS + k * i + 1]) / 2
            }
            // a window leaving takes an average window's readings (they are not counted per window)
            f[READINGS] -= (f[MISFIT] * f[READINGS]) / SLOTS
            f[WINDOW_MS] *= k
        }
        f[MEANS + f[USED]] = mean
        f[MIDS + f[USED]] = (f[WIN_START] + t) / 2 - f[T0]
        f[USED]++
        f[READINGS] += f[COUNT]
        f[LAST_MEAN] = mean
        f[NOISE] = noise
        f[DIFF2] = 0
        f[COUNT] = 0
        f[SPREAD] = f[HI] - f[LO]
        f[WIN_START] = t
        f[SUM] = 0
        f[SPAN] = 0
        f[LO] = level
        f[HI] = level
        f[FIT_TAU] = -1
    }
}

/**
 * F and E of the best line for one time constant; returns the residual sum of squares and
 * leaves F, E and the standard error factor of E (1 / root of the spread of the weights) in `out`.
 */
function lineFit(f: number[], tau: number, out: number[], from: number): number {
    const n = f[USED] - from
    let sw = 0
    let sww = 0
    let sy = 0
    let syy = 0
    let swy = 0
    for (let i = from; i < f[USED]; i++) {
        const w = Math.exp((f[MIDS + from] - f[MIDS + i]) / tau)
        const y = f[MEANS + i]
        sw += w
        sww += w * w
        sy += y
        syy += y * y
        swy += w * y
    }
    const cww = sww - (sw * sw) / n
    const cwy = swy - (sw * sy) / n
    const e = cww > 1e-12 ? cwy / cww : 0
    out[0] = (sy - e * sw) / n
    out[1] = e
    out[2] = cww > 1e-12 ? 1 / Math.sqrt(cww) : 1e9
    return syy - (sy * sy) / n - e * cwy
}

/**
 * Fit the windows: the best time constant (scanned, then refined by golden section on its
 * log), then of every scanned one the windows cannot rule out (the slowest tapers are ruled out
 * only by a long flat history) keep the one leaving the most excess over the full band `dt`
 * after T0. Fits the windows from `from` on; its verdict is kept only when it leaves less
 * excess than `bound`, the least a fit of more windows left.
 */
function fit(f: number[], scatterW: number, dt: number, from: number, bound: number) {
    const out = [0, 0, 0]
    const sse: number[] = new Array(SCAN)
    let best = 0
    for (let j = 0; j < SCAN; j++) {
        sse[j] = lineFit(f, Math.exp(LOG_TAU_MIN + j * LOG_RATIO), out, from)
        if (sse[j] < sse[best]) best = j
    }
    let lo = LOG_TAU_MIN + Math.max(0, best - 1) * LOG_RATIO
    let hi = LOG_TAU_MIN + Math.min(SCAN - 1, best + 1) * LOG_RATIO
    for (let i = 0; i < 12; i++) {
        const a = hi - 0.618 * (hi - lo)
        const b = lo + 0.618 * (hi - lo)
        if (lineFit(f, Math.exp(a), out, from) < lineFit(f, Math.exp(b), out, from)) hi = b
        else lo = a
    }
    // a window mean's noise: the meter's over the root of its readings, or the fit's own misfit
    const sm = Math.max(scatterW, f[NOISE]) / Math.sqrt(f[READINGS] / f[USED])
    let tau = Math.exp((lo + hi) / 2)
    const rss = lineFit(f, tau, out, from)
    const n = f[USED] - from
    const s2 = Math.max(sm * sm, rss / (n - 3))
    // the fit's excess is at its first window
    const m0 = f[MIDS + from]
    let worst = -1e30
    let wTau = 0
    let wF = 0
    let wE = 0
    for (let j = -1; j < SCAN; j++) {
        if (j >= 0) {
            tau = Math.exp(LOG_TAU_MIN + j * LOG_RATIO)
            if (sse[j] - rss > CHI * s2) continue
            lineFit(f, tau, out, from)
        }
        const e = out[1] + SE_FACTOR * Math.sqrt(s2) * out[2]
        const over = e * Math.exp((m0 - dt) / tau) - FULL_SHARE * out[0]
        if (over > worst) {
            worst = over
            wTau = tau
            wF = out[0]
            wE = e * Math.exp(m0 / tau)
        }
    }
    // kept unless an earlier fit of more windows left less excess
    if (worst < bound) {
        f[FIT_TAU] = wTau
        f[FIT_F] = wF
        f[FIT_E] = wE
    }
    // a draw no taper onto a floor fits (one that stopped at a corner: a lithium charger
    // terminating at its own idle draw) is judged again without its oldest window, and so on:
    // full if all of it or its recent part is
    const misfit = s2 > MISFIT_CHI * sm * sm
    if (!from) f[MISFIT] = misfit ? 1 : 0
    if (n > MIN_WINDOWS && misfit) fit(f, scatterW, dt, from + 1, Math.min(worst, bound))
}

/**
 * `scatterW`: the readings' mean distance from the level (W); the fit's own noise (from
 * consecutive readings) counts when larger. `t`: now (ms). Returns the floor (W) the draw has
 * flattened onto once it is full, 0 until then.
 */
export function flatFloor(f: number[], scatterW: number, t: number): number {
    // an unsteady draw (balancing flicker, cycling loads) is no settled float
    if (f[USED] < MIN_WINDOWS || f[SPREAD] > 0.5 * f[LAST_MEAN] + 1) return 0
    // the fit is made once a window, then extrapolated to now
    if (f[FIT_TAU] < 0) fit(f, scatterW, t - f[T0], 0, 1e30)
    return f[FIT_E] * Math.exp(-(t - f[T0]) / f[FIT_TAU]) <= FULL_SHARE * f[FIT_F] ? f[FIT_F] : 0
}
