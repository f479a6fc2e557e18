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
import { Ema } from "./ema"
import { roundTo } from "./mathx"
import { Verdict } from "./reasons"

/** Smoothing of the level judged for full/resume (ms). */
const FAST_TAU_MS = 5000
/** Smoothing of the plateau estimate (ms): long enough that inrush and spikes do not count. */
const SLOW_TAU_MS = 60000
/** Smallest fall (W) that counts as "still falling": below meter resolution it is noise. */
const MIN_TAPER_STEP_W = 0.05
/** A charger terminating halves its draw within this window (ms). */
const STEP_WINDOW_MS = 60000

export interface DetectorLimits {
    /** overload limit for this session (W): the socket limit or a lower per-order cap */
    limitW: number
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
    private fast: Ema
    private slow: Ema
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
        // the socket drew nothing before the relay closed: start the averages at zero
        this.fast = new Ema(FAST_TAU_MS, 0, t0)
        this.slow = new Ema(SLOW_TAU_MS, 0, t0)
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
        return this.fast.value
    }

    /** True while end-of-charge judgements are paused by a mains brownout. */
    inBrownout(t: number): boolean {
        return t < this.holdUntil
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

        const slowBefore = this.slow.value
        // over-limit readings are judged above; they must not inflate the plateau
        this.slow.update(t, p < this.limits.limitW ? p : this.limits.limitW)
        const level = this.fast.update(t, p)
        if (this.slow.value > this.refW) this.refW = this.slow.value
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

        const unplug = this.checkStep(t, p, slowBefore)
        if (unplug) return unplug
        return this.checkFull(t, level)
    }

    private resetEpisodes() {
        this.lowSince = -1
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

    /** A step down: unplugged when it falls from a high level, a termination otherwise. */
    private checkStep(t: number, p: number, slowBefore: number): Verdict {
        const cfg = this.cfg
        if (this.stepSince < 0) {
            if (slowBefore >= cfg.noLoadW && p <= cfg.unplugFraction * slowBefore) {
                this.stepSince = t
                this.stepPreW = slowBefore
            }
            return null
        }
        if (p > cfg.unplugFraction * this.stepPreW) {
            // the dip ended: a pack switch, a pulse charger's off phase, a glitch
            this.stepSince = -1
            return null
        }
        const held = (t - this.stepSince) / 1000
        if (held >= cfg.unplugHoldS && this.stepPreW > cfg.terminateFraction * this.refW)
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
    private checkFull(t: number, level: number): Verdict {
        const cfg = this.cfg
        const lowW = Math.max(cfg.fullFraction * this.refW, cfg.idleFloorW)
        const recent = this.trackRecent(t, level)
        if (level <= 0.5 * recent && recent <= cfg.terminateFraction * this.refW) this.stepT = t
        if (level > lowW) {
            if (this.lowSince >= 0) {
                if (this.aboveSince < 0) this.aboveSince = t
                // a sustained return to real power: charging resumed (second pack, restart)
                if (t - this.aboveSince >= cfg.resumeS * 1000) {
                    this.lowSince = -1
                    this.stepT = -1
                }
            }
            return null
        }
        this.aboveSince = -1
        if (this.lowSince < 0) {
            this.lowSince = t
            this.anchorW = level
            this.lastFallT = t
            return null
        }
        const step = Math.max(cfg.taperStepFraction * this.anchorW, MIN_TAPER_STEP_W)
        if (level < this.anchorW - step) {
            // still falling: the battery is still taking charge, or the step is settling
            this.anchorW = level
            this.lastFallT = t
            return null
        }
        const flat = (t - this.lastFallT) / 1000
        const terminated = this.stepT >= 0
        const need = terminated ? cfg.fullConfirmS : cfg.flatConfirmS
        if (flat >= need)
            return verdict(
                "full",
                "draw " + roundTo(level, 1) + " W (under " + roundTo(lowW, 1) + " W) stopped falling for " + roundTo(flat, 0) + " s after " +
                    (terminated ? "the charger stepped down" : "a taper") + " from a plateau of " + roundTo(this.refW, 0) + " W",
                level,
                this.refW,
                flat
            )
        return null
    }
}
