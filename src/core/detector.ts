// End-of-charge and protection detector for one socket session.
//
// It judges each session against itself: the plateau is the highest sustained draw this
// session reached, "low" is a fraction of that plateau (or the charger's idle floor), and
// a battery is full only when the draw is low AND has stopped falling: a taper keeps
// making new lows, a charger that terminated (or settled on float) does not. A step down
// from a high level is an unplug (charger pulled, or battery taken off the charger); a step
// from an already tapered level is the charger terminating. Mains brownouts pause every
// judgement, short excursions (fans, maintenance pulses, balancing flicker) are tolerated,
// and a sustained return to real power means charging resumed (dual-battery packs).
//
// Pure: readings and time (ms) in, verdicts out.

import { ShedConfig } from "./config"
import { emaStep } from "./ema"
import { Flattening } from "./flatten"
import { roundTo } from "./mathx"
import { Verdict } from "./reasons"

/** Smoothing of the level judged for full/resume (ms). */
const FAST_TAU_MS = 5000
/** Smoothing of the plateau estimate (ms): long enough that inrush and spikes do not count. */
const SLOW_TAU_MS = 60000
/** Smallest fall (W) that counts as "still falling": below meter resolution it is noise. */
const MIN_TAPER_STEP_W = 0.05
/** After a termination step, only falls over this fraction of the plateau mean "still charging". */
const AFTER_STEP_FALL_FRACTION = 0.005
/** Crossings of the half-step level per minute (decaying count) that make flicker. */
const FLICKER_CROSSINGS = 6
const FLICKER_TAU_MS = 60000
/** A fall by this fraction within a minute is a step: a taper never falls that fast. */
const STEP_DROP = 0.35
/** A step must fall by this many times the readings' scatter around the level... */
const STEP_NOISE_FACTOR = 4
/** ...measured over about a minute (ms). */
const SCATTER_TAU_MS = 60000
/** A step candidate waits at most this long (ms) to stand out of the scatter. */
const PENDING_MAX_MS = 600000
/** A step held this long (ms) before charging resumed was a real termination (not a pack switch). */
const TERMINATED_HOLD_MS = 60000
/** Back above this multiple of the low band for resumeS: charging resumed. */
const RESUME_FACTOR = 2
/** "Near the plateau": the slow level within this fraction of the plateau... */
const PLATEAU_BAND = 0.9
/** A session without a plateau (a top-up) has tapered once under this fraction of its peak. */
const TOPUP_TAPERED = 0.7
/** ...for this long (ms) makes a charge with a constant-current plateau. */
const PLATEAU_MIN_MS = 600000
/** A charger terminating halves its draw within this window (ms). */
const STEP_WINDOW_MS = 60000

export interface DetectorLimits {
    /** overload limit for this session (W): the socket limit or a lower per-order cap */
    limitW: number
    /**
     * Judge a taper that flattens without a step as full (two-stage lead-acid). False for an
     * order whose profile says lithium: lithium chargers terminate, so a lithium taper that
     * flattens is an aged pack still taking charge.
     */
    allowFlatten: boolean
}

function verdict(reason: string, detail: string, levelW: number, refW: number, heldS: number): Verdict {
    return {
        reason: reason,
        detail: detail,
        levelW: roundTo(levelW, 1),
        refW: roundTo(refW, 1),
        heldS: roundTo(heldS, 0),
    }
}

export class ChargeDetector {
    /** averages of the draw (W): fast (FAST_TAU_MS), slow (SLOW_TAU_MS), both as of lastUpdateT */
    private fastW = 0
    private slowW = 0
    /** the session's plateau: highest sustained draw (W) */
    refW = 0
    /** the charger has drawn real power in this session */
    drew = false
    /** an over-limit draw is going on and a warning should go out */
    overloadWarning = false

    private lowSince = -1
    private anchorW = 0
    private lastFallT = -1
    private aboveSince = -1

    private stepT = -1
    private bucketT = -1e12
    private bucketMax = 0
    private prevBucketMax = 0
    private prevLevel = 0

    private stepFromW = 0
    private flicker = 0
    private terminatedOnce = false
    /** the last full-check (ms): the flicker count and the scatter decay from it */
    private flickerT: number
    private flickerSide = false
    private plateauMs = 0
    private lastUpdateT: number
    /** the taper-flattening fit, only while the draw is low (lowSince >= 0): ~380 B of heap */
    private flattening: Flattening = null
    /** readings' mean distance from the fast level (W), as of flickerT */
    private scatterW = 0
    private pendingT = -1
    private pendingFromW = 0

    private stepSince = -1
    private stepPreW = 0

    private overSince = -1
    private holdUntil = -1
    private inrushFrom: number

    constructor(
        private cfg: ShedConfig,
        private limits: DetectorLimits,
        /** relay closed at (ms) */
        private t0: number
    ) {
        this.inrushFrom = t0
        // the socket drew nothing before the relay closed: the averages start at zero
        this.lastUpdateT = t0
        this.flickerT = t0
    }

    /**
     * The relay closed again after a pause (mains, power cut): inrush blanking restarts and
     * judgements wait while the charger soft-starts.
     */
    relayReclosed(t: number) {
        this.inrushFrom = t
        this.holdUntil = t + this.cfg.brownoutGraceS * 1000
        this.resetEpisodes()
    }

    /** Smoothed draw (W), for display and telemetry. */
    levelW(): number {
        return this.fastW
    }

    /**
     * Feed one reading. Returns a verdict when the relay must open, otherwise null.
     * `v` may be NaN when the meter gives no voltage.
     */
    update(t: number, p: number, v: number): Verdict {
        const cfg = this.cfg
        if (p > cfg.shortW)
            return verdict("short", "draw " + roundTo(p, 0) + " W over the hard limit " + cfg.shortW + " W", p, this.refW, 0)

        const over = this.checkOverload(t, p)
        if (over) return over

        const slowBefore = this.slowW
        const fastBefore = this.fastW
        const dt = t - this.lastUpdateT
        // over-limit readings are judged above; they must not inflate the plateau
        this.slowW = emaStep(this.slowW, dt, SLOW_TAU_MS, p < this.limits.limitW ? p : this.limits.limitW)
        this.fastW = emaStep(this.fastW, dt, FAST_TAU_MS, p)
        const level = this.fastW
        if (this.slowW > this.refW) this.refW = this.slowW
        // time spent near the plateau: a charge with a constant-current plateau, unlike the
        // brief top-up of a battery that was already full, which only ever tapers
        if (this.refW >= cfg.noLoadW && this.slowW >= PLATEAU_BAND * this.refW) this.plateauMs += dt
        this.lastUpdateT = t
        if (!this.drew && this.refW >= cfg.noLoadW) this.drew = true

        if (!this.drew) {
            if (t - this.t0 >= cfg.noLoadS * 1000)
                return verdict(
                    "no_load",
                    "never drew more than " + cfg.noLoadW + " W in " + cfg.noLoadS + " s (peak sustained " + roundTo(this.refW, 1) + " W)",
                    level,
                    this.refW,
                    (t - this.t0) / 1000
                )
            return null
        }

        if (v === v && v < cfg.brownoutV) {
            this.holdUntil = t + cfg.brownoutGraceS * 1000
            this.resetEpisodes()
            return null
        }
        if (t < this.holdUntil) return null

        const unplug = this.checkStep(t, p, slowBefore, fastBefore)
        if (unplug) return unplug
        return this.checkFull(t, p, level)
    }

    private resetEpisodes() {
        this.lowSince = -1
        this.flattening = null
        this.aboveSince = -1
        this.stepSince = -1
        this.stepT = -1
    }

    private checkOverload(t: number, p: number): Verdict {
        const cfg = this.cfg
        if (p <= this.limits.limitW) {
            this.overSince = -1
            this.overloadWarning = false
            return null
        }
        if (t - this.inrushFrom < cfg.inrushS * 1000) return null
        if (this.overSince < 0) this.overSince = t
        this.overloadWarning = true
        const held = (t - this.overSince) / 1000
        if (held >= cfg.overloadHoldS)
            return verdict(
                "overload",
                "draw " + roundTo(p, 0) + " W over the limit " + this.limits.limitW + " W for " + roundTo(held, 0) + " s",
                p,
                this.refW,
                held
            )
        return null
    }

    /**
     * A draw this low has tapered: a step from it is the charger terminating, not an unplug.
     * A top-up of a battery that was already full never had a constant-current plateau: its
     * "plateau" is only where its taper started, so any clear fall from it counts as tapered.
     */
    private tapered(w: number): boolean {
        // a charger that terminated once and restarts is the charger again, not a rider
        if (this.terminatedOnce) return true
        if (w <= this.cfg.terminateFraction * this.refW) return true
        return this.plateauMs < PLATEAU_MIN_MS && w <= TOPUP_TAPERED * this.refW
    }

    /** A step down: unplugged when it falls from a high level, a termination otherwise. */
    private checkStep(t: number, p: number, slowBefore: number, fastBefore: number): Verdict {
        const cfg = this.cfg
        if (this.stepSince < 0) {
            if (slowBefore >= cfg.noLoadW && p <= cfg.unplugFraction * slowBefore) {
                this.stepSince = t
                // judged on the short average: the long one lags behind a fast taper
                this.stepPreW = Math.min(slowBefore, fastBefore)
            }
            return null
        }
        if (p > cfg.unplugFraction * this.stepPreW) {
            // the dip ended: a pack switch, a pulse charger's off phase, a glitch
            this.stepSince = -1
            return null
        }
        const held = (t - this.stepSince) / 1000
        if (held >= cfg.unplugHoldS && !this.tapered(this.stepPreW))
            return verdict(
                "unplugged",
                "draw fell from " + roundTo(this.stepPreW, 1) + " W to " + roundTo(p, 1) + " W and stayed for " + roundTo(held, 0) + " s (plateau " + roundTo(this.refW, 0) + " W)",
                p,
                this.refW,
                held
            )
        return null
    }

    /** Highest level over roughly the last minute (two 30 s buckets), and the last one. */
    private trackRecent(t: number, level: number) {
        if (t - this.bucketT >= STEP_WINDOW_MS / 2) {
            this.prevBucketMax = this.bucketMax
            this.bucketMax = 0
            this.bucketT = t
        }
        const recent = Math.max(this.prevBucketMax, this.bucketMax, this.prevLevel)
        if (level > this.bucketMax) this.bucketMax = level
        this.prevLevel = level
        return recent
    }

    /**
     * Full: low relative to this session's plateau, and no longer falling. A charger that
     * terminates shows a step (its draw halves within a minute from an already tapered
     * level): then a short flat spell confirms. Without a step (a two-stage lead-acid taper
     * flattening onto float) only a long flat spell does: a slow taper still falls over it.
     */
    private checkFull(t: number, p: number, level: number): Verdict {
        const cfg = this.cfg
        const lowW = Math.max(cfg.fullFraction * this.refW, cfg.idleFloorW)
        const recent = this.trackRecent(t, level)
        // how much the readings scatter around the level: a step must stand out of the noise
        const dt = t - this.flickerT
        this.scatterW = emaStep(this.scatterW, dt, SCATTER_TAU_MS, Math.abs(p - level))
        // a fall by a third within a minute from a tapered level is a step candidate; it
        // becomes the step once it stands out of the readings' scatter (right after a
        // balancing flicker the scatter is still high), and is dropped if the level comes back
        if (this.pendingT < 0 && this.stepT < 0 && recent - level >= STEP_DROP * recent && this.tapered(recent)) {
            this.pendingT = t
            this.pendingFromW = recent
        }
        if (this.pendingT >= 0 && (level > (1 - STEP_DROP) * this.pendingFromW || t - this.pendingT > PENDING_MAX_MS)) this.pendingT = -1
        if (this.pendingT >= 0 && this.stepT < 0 && this.pendingFromW - level >= STEP_NOISE_FACTOR * this.scatterW) {
            this.pendingT = -1
            this.stepT = t
            this.stepFromW = this.pendingFromW
            // confirmation counts from the step itself; flicker history is kept, so a
            // balancing BMS cannot start a fresh, clean-looking step every few seconds
            this.lastFallT = t
        }
        // raw readings toggling across half the step within seconds: BMS balancing flicker,
        // the charger is not done (a fan cycling after full toggles over minutes)
        const side = p > 0.5 * this.stepFromW
        this.flicker *= Math.exp(-dt / FLICKER_TAU_MS)
        this.flickerT = t
        if (this.stepT >= 0 && side !== this.flickerSide) this.flicker += 1
        this.flickerSide = side
        if (level > lowW) {
            // between the low band and twice it: fans, pulses, a flicker; above it, charging
            if (this.lowSince >= 0 && level > RESUME_FACTOR * lowW) {
                if (this.aboveSince < 0) this.aboveSince = t
                // a sustained return to real power: charging resumed (second pack, restart)
                if (t - this.aboveSince >= cfg.resumeS * 1000) {
                    // the charger had stayed down a while before: it terminated, then restarted
                    if (this.stepT >= 0 && this.aboveSince - this.stepT >= TERMINATED_HOLD_MS) this.terminatedOnce = true
                    this.lowSince = -1
                    this.flattening = null
                    this.stepT = -1
                }
            } else this.aboveSince = -1
            return null
        }
        this.aboveSince = -1
        if (this.lowSince < 0) {
            this.lowSince = t
            this.anchorW = level
            this.lastFallT = t
            this.flattening = new Flattening((cfg.flatConfirmS * 1000) / 3)
            return null
        }
        this.flattening.add(t, p, level)
        if (this.stepT >= 0 && this.flicker > FLICKER_CROSSINGS) {
            this.stepT = -1
            this.lastFallT = t
        }
        // after the charger terminated, a float current settling by a few tenths of a watt
        // is not charge: falls count only when they matter against the plateau
        const floorFall = this.stepT >= 0 ? AFTER_STEP_FALL_FRACTION * this.refW : MIN_TAPER_STEP_W
        // and a fall must also stand out of the meter's scatter, or noise keeps the
        // confirmation from ever completing
        const step = Math.max(cfg.taperStepFraction * this.anchorW, floorFall, this.scatterW)
        if (level < this.anchorW - step) {
            // still falling: the battery is still taking charge, or the step is settling
            this.anchorW = level
            this.lastFallT = t
            return null
        }
        const flat = (t - this.lastFallT) / 1000
        if (this.stepT >= 0 && flat >= cfg.fullConfirmS)
            return verdict(
                "full",
                "draw " + roundTo(level, 1) + " W (under " + roundTo(lowW, 1) + " W) stayed down for " + roundTo(flat, 0) + " s after the charger stepped down from " +
                    roundTo(this.stepFromW, 1) + " W; plateau " + roundTo(this.refW, 0) + " W",
                level,
                this.refW,
                flat
            )
        if (this.stepT < 0 && this.limits.allowFlatten) {
            const f = this.flattening.verdict()
            if (f.full)
                return verdict(
                    "full",
                    "taper flattened onto " + roundTo(f.floorW, 1) + " W (" + roundTo(f.excessW, 2) + " W left above it) after a plateau of " + roundTo(this.refW, 0) + " W",
                    level,
                    this.refW,
                    (t - this.lowSince) / 1000
                )
        }
        return null
    }
}
