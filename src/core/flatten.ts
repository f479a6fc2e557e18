// Is a taper flattening onto a floor (a two-stage lead-acid charger settling on float
// current), or still decaying towards zero (a lithium CV taper that will terminate)?
// Three consecutive window means m1, m2, m3 of a geometric decay A + e*q^k give the ratio
// q = d2/d1 and the excess left above the floor e = -d2*q/(1-q): full when the floor carries
// the draw and the excess is a small part of it. Pure; fed raw readings and the smoothed level.
// Functions over a plain number[] rather than a class: the fit lives in the board's heap while
// a session's draw is low (~170 B a session this way; ~380 B as an object with two arrays).

export interface FlatVerdict {
    full: boolean
    /** estimated floor (W) and excess above it (W) */
    floorW: number
    excessW: number
}

/** Full when the excess left above the floor is under this fraction of the floor. */
const EXCESS_OF_FLOOR = 0.08
/** A window-to-window fall under this (fraction of the level, or W) is no fall at all. */
const FLAT_FRACTION = 0.005
const FLAT_MIN_W = 0.02
/** Readings a window needs before its mean takes part in a fit. */
const MIN_WINDOW_SAMPLES = 20
/** A window-to-window fall over this fraction of the level is still a taper. */
const STEEP_FRACTION = 0.02

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
/** consecutive full verdicts: one noisy window triple must not decide */
const AGREE = 10
/** finished windows kept (0-3): their means at MEANS.., their readings at COUNTS.., oldest first */
const WINDOWS = 11
const MEANS = 12
const COUNTS = 15

/** A new fit over windows of `windowMs`. */
export function newFlattening(windowMs: number): number[] {
    return [windowMs, 0, -1, -1, 0, 0, 0, 1e9, -1e9, 0, 0, 0, 0, 0, 0, 0, 0, 0]
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
    f[SPAN] += dt
    f[LAST_T] = t
    f[LAST_P] = p
    if (level < f[LO]) f[LO] = level
    if (level > f[HI]) f[HI] = level
    if (t - f[WIN_START] >= f[WINDOW_MS]) {
        const mean = f[SPAN] > 0 ? f[SUM] / f[SPAN] : p
        // the last three windows, oldest first
        let k = f[WINDOWS]
        if (k < 3) f[WINDOWS] = k + 1
        else {
            k = 2
            for (let i = 0; i < 2; i++) {
                f[MEANS + i] = f[MEANS + i + 1]
                f[COUNTS + i] = f[COUNTS + i + 1]
            }
        }
        f[MEANS + k] = mean
        f[COUNTS + k] = f[COUNT]
        f[COUNT] = 0
        f[SPREAD] = f[HI] - f[LO]
        f[AGREE] = judge(f).full ? f[AGREE] + 1 : 0
        f[WIN_START] = t
        f[SUM] = 0
        f[SPAN] = 0
        f[LO] = level
        f[HI] = level
    }
}

/** Full only when two consecutive window triples say so. */
export function flatVerdict(f: number[]): FlatVerdict {
    const v = judge(f)
    v.full = v.full && f[AGREE] >= 2
    return v
}

function judge(f: number[]): FlatVerdict {
    const no: FlatVerdict = { full: false, floorW: 0, excessW: 0 }
    if (f[WINDOWS] < 3) return no
    // a fit on a handful of readings (a smart plug's 5-minute means) is not trusted
    for (let i = 0; i < 3; i++) if (f[COUNTS + i] < MIN_WINDOW_SAMPLES) return no
    const m1 = f[MEANS]
    const m2 = f[MEANS + 1]
    const m3 = f[MEANS + 2]
    // an unsteady draw (balancing flicker, cycling loads) is no settled float
    if (f[SPREAD] > 0.5 * m3 + 1) return no
    const d1 = m2 - m1
    const d2 = m3 - m2
    if (d2 >= -Math.max(FLAT_FRACTION * m3, FLAT_MIN_W)) return { full: d1 <= Math.max(FLAT_FRACTION * m3, FLAT_MIN_W) * 4, floorW: m3, excessW: 0 }
    if (!(d1 < d2 && d2 < 0)) return no
    // a steep fall is a taper in progress whatever the fit says
    if (d2 < -STEEP_FRACTION * m3) return no
    const q = d2 / d1
    const excess = (-d2 * q) / (1 - q)
    const floor = m3 - excess
    return { full: floor > 0 && excess <= EXCESS_OF_FLOOR * floor, floorW: floor, excessW: excess }
}
