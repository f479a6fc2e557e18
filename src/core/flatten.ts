// Is a taper flattening onto a floor (a two-stage lead-acid charger settling on float
// current), or still decaying towards zero (a lithium CV taper that will terminate)?
// Three consecutive window means m1, m2, m3 of a geometric decay A + e*q^k give the ratio
// q = d2/d1 and the excess left above the floor e = -d2*q/(1-q): full when the floor carries
// the draw and the excess is a small part of it. Pure; fed raw readings and the smoothed level.

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

export class Flattening {
    private means: number[] = []
    private counts: number[] = []
    private count = 0
    private winStart = -1
    private lastT = -1
    private lastP = 0
    private sum = 0
    private span = 0
    private lo = 1e9
    private hi = -1e9
    private spread = 0
    /** consecutive full verdicts: one noisy window triple must not decide */
    private agree = 0

    constructor(private windowMs: number) {}

    add(t: number, p: number, level: number) {
        if (this.winStart < 0) {
            this.winStart = t
            this.lastT = t
            this.lastP = p
            this.sum = 0
            this.span = 0
            this.count = 0
            this.lo = level
            this.hi = level
            return
        }
        this.count++
        const dt = t - this.lastT
        this.sum += ((this.lastP + p) / 2) * dt
        this.span += dt
        this.lastT = t
        this.lastP = p
        if (level < this.lo) this.lo = level
        if (level > this.hi) this.hi = level
        if (t - this.winStart >= this.windowMs) {
            this.means.push(this.span > 0 ? this.sum / this.span : p)
            this.counts.push(this.count)
            if (this.means.length > 3) {
                this.means.shift()
                this.counts.shift()
            }
            this.count = 0
            this.spread = this.hi - this.lo
            this.agree = this.judge().full ? this.agree + 1 : 0
            this.winStart = t
            this.sum = 0
            this.span = 0
            this.lo = level
            this.hi = level
        }
    }

    /** Full only when two consecutive window triples say so. */
    verdict(): FlatVerdict {
        const v = this.judge()
        v.full = v.full && this.agree >= 2
        return v
    }

    private judge(): FlatVerdict {
        const no: FlatVerdict = { full: false, floorW: 0, excessW: 0 }
        if (this.means.length < 3) return no
        // a fit on a handful of readings (a smart plug's 5-minute means) is not trusted
        for (let i = 0; i < 3; i++) if (this.counts[i] < MIN_WINDOW_SAMPLES) return no
        const m1 = this.means[0]
        const m2 = this.means[1]
        const m3 = this.means[2]
        // an unsteady draw (balancing flicker, cycling loads) is no settled float
        if (this.spread > 0.5 * m3 + 1) return no
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
}
