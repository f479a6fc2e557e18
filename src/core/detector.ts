// End-of-charge and protection detector for one socket session.
//
// It judges each session against itself: the plateau is the highest sustained draw this
// session reached, "low" is a fraction of that plateau (or the charger's idle floor), and
// a battery is full only when the draw is low AND has stopped falling: a taper keeps
// making new lows, a charger that terminated (or settled on float) does not. A step down
// from a high level is an unplug (charger pulled, or battery taken off the charger); a step
// from an already tapered level is the charger terminating, unless the draw goes on falling
// after it as the taper did before (a fan stopping). Mains brownouts pause every
// judgement, short excursions (fans, maintenance pulses, balancing flicker) are tolerated,
// and a sustained return to real power means charging resumed (dual-battery packs).
//
// Pure: readings and time (ms) in, verdicts out.

import { ShedConfig } from "./config"
import { emaStep } from "./ema"
import { flatAdd, flatFloor, newFlattening } from "./flatten"
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
/** Crossings of the step's midpoint per minute (decaying count) that make flicker. */
const FLICKER_CROSSINGS = 6
const FLICKER_TAU_MS = 60000
/** A crossing must leave a band this share of the step wide around the midpoint (hysteresis). */
const FLICKER_BAND = 0.1
/**
 * A fall by this fraction between readings a minute or more apart is a step: a taper never
 * falls that fast (a sparse meter's readings 5-10 minutes apart see a steep taper fall by a
 * quarter, so they need this much)...
 */
const STEP_DROP = 0.35
/**
 * ...and by this fraction within a minute on a meter that reads more often (a charger ending
 * at C/20 onto a standby of half that steps by a quarter to a half)...
 */
const SHARP_STEP_DROP = 0.25
/**
 * ...or by a fifth after a plateau: no constant-voltage taper falls that fast (its time constant
 * is 5 min or more, 18 % a minute). The fall is measured from the slow level, which lags a step:
 * it sees ~3/4 of it, so a charger ending at 8 W onto its own 6 W idle (a step by a quarter)
 * passed a quarter unseen. A top-up's absorption current collapses faster (1-8 min): it keeps
 * the quarter...
 */
const PLATEAU_STEP_DROP = 0.2
/** ...held this long (ms) when readings come faster: a single glitching reading is no step. */
const STEP_HELD_MS = 10000
/** On a sparse meter, a fall to this fraction within one or two readings from a tapered level is a termination. */
const SPARSE_SETTLED = 0.1
/**
 * On a sparse meter, a step falling this many times faster than the level fell over either of
 * the two readings before (in the taper) is the charger's corner: a taper's falls only ever
 * slow down.
 */
const SHARP_FACTOR = 3
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
/** A top-up's draw is low (judged for full) under this share of its peak. */
const TOPUP_LOW = 0.3
/** A charger terminating halves its draw within this window (ms). */
const STEP_WINDOW_MS = 60000
/**
 * A charger's own last step to its standby (something still draws after it) comes at the end
 * of a taper: from under this fraction of the plateau...
 */
const LAST_STEP_FRACTION = 0.5
/** ...after the draw left the plateau at least this long before (ms): a taper, not a pull */
const TAPER_MIN_MS = 300000
/**
 * A step whose draw keeps falling after it as the taper fell before it is a load that stopped
 * (a fan), not the charger ending. The taper's rate before a step: over this long (ms)...
 */
const RATE_BUCKET_MS = 120000
/** ...its rate counting up to this many times the last bucket's (a taper's fall only slows, noise aside)... */
const RATE_RISE = 1.5
/** ...the level after it from this long after it (ms), when the fast level has settled from the step... */
const AFTER_STEP_MS = 30000
/** ...judged every this long (ms)... */
const AFTER_SPAN_MS = 90000
/** ...going on: the fall since then at least this share of what the rate before would make... */
const GOES_ON_SHARE = 0.5
/** ...and by over this many times the fast level's noise (the readings' scatter, scaled to its average)... */
const GOES_ON_NOISE = 3
/** ...unless it fell more than this many times faster since the last judgement: a further step, the charger's own */
const FURTHER_STEP_RATE = 3
/**
 * A current read with no draw before the charger started proves a plugged-in charger when over
 * this many times pluggedA; a pull is then a current under pluggedA, not one against the start's:
 * the start's reading may hold charging current (the meter's current and power are not read at
 * the same instant), and against it a charger switched off read as pulled out
 */
const SEEN_MARGIN = 1.5
/** A step over the low band stands only if the draw comes into the band within this long (ms): not a taper gliding on */
const STALE_STEP_MS = 300000

export interface DetectorLimits {
    /** overload limit for this session (W): the socket limit or a lower per-order cap */
    limitW: number
    /**
     * The order's charger profile, its index in session.ts's PROFILES (0 auto, else
     * PROFILE_LITHIUM or PROFILE_LEAD_ACID). Lithium chargers terminate, some to nothing: a
     * step to nothing from the end of a taper is the charger. Lead-acid chargers float after
     * full: a step to nothing is a pull.
     */
    profile: number
}

export const PROFILE_LITHIUM = 1
export const PROFILE_LEAD_ACID = 2

function verdict(reason: string, detail: string, levelW: number, refW: number): Verdict {
    return {
        reason: reason,
        detail: detail,
        levelW: roundTo(levelW, 1),
        refW: roundTo(refW, 1),
    }
}

// The detector's state, one number[] (a number costs 8 B of heap there, 16 as an object's field;
// booleans as 0/1). Times in ms, -1: not going on.
/** averages of the draw (W): fast (FAST_TAU_MS), slow (SLOW_TAU_MS), both as of LAST_UPDATE_T */
const FAST_W = 0
const SLOW_W = 1
const LAST_UPDATE_T = 2
/** relay closed at */
const T0 = 3
/** the session's limits (DetectorLimits) */
const LIMIT_W = 4
const PROFILE = 5
const LOW_SINCE = 6
const ANCHOR_W = 7
const LAST_FALL_T = 8
const ABOVE_SINCE = 9
const STEP_T = 10
/** two ~30 s buckets of the level's maximum, and the last level (trackRecent) */
const BUCKET_T = 11
const BUCKET_MAX = 12
const PREV_BUCKET_MAX = 13
const PREV_LEVEL = 14
const STEP_FROM_W = 15
const FLICKER = 16
/** 0/1 */
const TERMINATED_ONCE = 17
/** the last full-check: the flicker count and the scatter decay from it */
const FLICKER_T = 18
/** 0/1 */
const FLICKER_SIDE = 19
const PLATEAU_MS = 20
/** readings' mean distance from the fast level (W), as of FLICKER_T */
const SCATTER_W = 21
const PENDING_T = 22
const PENDING_FROM_W = 23
const STEP_SINCE = 24
const STEP_PRE_W = 25
const OVER_SINCE = 26
const HOLD_UNTIL = 27
const INRUSH_FROM = 28
/** the session's plateau: highest sustained draw (W) */
const REF_W = 29
/** 0/1: the charger has drawn real power in this session */
const DREW = 30
/** the last time the slow level was near the plateau: where the taper began */
const AT_PLATEAU_T = 31
/** the last reading (W) */
const LAST_P = 32
/** how fast the level fell (W/ms) from the reading before to the last; 1e9: from the plateau, no taper's */
const FALL_RATE = 33
/**
 * when (its STEP_T) the last step found on a sparse meter falling far faster than the level had
 * before was: it is the current step's only if the times match (-1: none)
 */
const SHARP_STEP_T = 34
/** FALL_RATE over the reading before */
const PREV_FALL_RATE = 35
/** the draw's integral since STEP_SINCE (W ms): what follows the step, over the noise */
const STEP_SUM = 36
/**
 * a step put aside while the level is back where it stepped from (-1: none), how long the
 * draw had stayed down after it (ms), the last time the level was back and its highest level
 * since it was put aside (W), and when it was (see checkFull)
 */
const ASIDE_STEP_T = 37
const ASIDE_FLAT_MS = 38
const BACK_T = 39
const ASIDE_AT = 40
const BACK_W = 41
/**
 * the fast level's fall rate (W/ms) over the last whole RATE_BUCKET_MS, the current bucket from
 * RATE_W (W) at RATE_T (-1: held while a step is pending or stands, so the rate is the taper's
 * before it); the level AFTER_STEP_MS after the current step, AFTER_W at AFTER_T (-1: judged,
 * the step may confirm), and at the last judgement, JUDGED_W at JUDGE_T (see checkFull)
 */
const RATE_T = 42
const RATE_W = 43
const RATE = 44
const AFTER_T = 45
const AFTER_W = 46
const JUDGE_T = 47
const JUDGED_W = 48
/** the reading before the last (W) */
const PREV_P = 49
/** the last further step after the current step (see checkFull; -1: none) */
const FURTHER_T = 50
/** the lowest current (A) read since STEP_SINCE (NaN: none read) */
const STEP_A = 51
/** 0/1: before the charger drew, the meter read the current it draws plugged in (see update) */
const PLUGGED_SEEN = 52

export class ChargeDetector {
    /** indexed by the constants above */
    private s: number[]
    /** the taper-flattening fit (flatten.ts), only while the draw is low (LOW_SINCE >= 0): ~300 B of heap */
    private flat: number[] = null

    constructor(
        private cfg: ShedConfig,
        limits: DetectorLimits,
        /** relay closed at (ms) */
        t0: number,
        /** the plateau (W) and whether the charger drew, carried over from before a restart */
        refW: number,
        drew: boolean
    ) {
        // in the order of the constants; the socket drew nothing before the relay closed: the
        // averages start at zero
        // prettier-ignore
        this.s = [0, 0, t0, t0, limits.limitW, limits.profile, -1, 0, -1, -1, -1, -1e12, 0, 0, 0, 0, 0, 0, t0, 0, 0, 0, -1, 0,
            -1, 0, -1, -1, t0, refW, drew ? 1 : 0, t0, 0, 0, -1, 0, 0, -1, 0, -1, -1, 0, t0, 0, 0, -1, 0, -1, 0, 0, -1, 0, 0]
    }

    /** The session's plateau: highest sustained draw (W). */
    refW(): number {
        return this.s[REF_W]
    }

    /** The charger has drawn real power in this session. */
    drew(): boolean {
        return this.s[DREW] > 0
    }

    /** An over-limit draw is going on and a warning should go out. */
    overloadWarning(): boolean {
        return this.s[OVER_SINCE] >= 0
    }

    /**
     * The relay closed again after a pause (mains, power cut): inrush blanking restarts and
     * judgements wait while the charger soft-starts.
     */
    relayReclosed(t: number) {
        const s = this.s
        s[INRUSH_FROM] = t
        s[HOLD_UNTIL] = t + this.cfg.brownoutGraceS * 1000
        s[LOW_SINCE] = -1
        this.flat = null
        this.resetEpisodes()
    }

    /** Smoothed draw (W), for display and telemetry. */
    levelW(): number {
        return this.s[FAST_W]
    }

    /**
     * Feed one reading. Returns a verdict when the relay must open, otherwise null.
     * `v` (V) and `a` (A, RMS current) may be NaN when the meter gives none.
     */
    update(t: number, p: number, v: number, a: number): Verdict {
        const s = this.s
        const cfg = this.cfg
        if (p > cfg.shortW) return verdict("short", "draw " + roundTo(p, 0) + " W over the hard limit " + cfg.shortW + " W", p, s[REF_W])

        const over = this.checkOverload(t, p)
        if (over) return over

        const slowBefore = s[SLOW_W]
        // the level before this reading: the short average lags a fast taper (a LiFePO4 knee
        // falls to a fifth of its plateau within a minute), the last reading does not
        const fastBefore = Math.min(s[FAST_W], s[LAST_P])
        s[PREV_P] = s[LAST_P]
        s[LAST_P] = p
        const dt = t - s[LAST_UPDATE_T]
        // over-limit readings are judged above; they must not inflate the plateau
        s[SLOW_W] = emaStep(s[SLOW_W], dt, SLOW_TAU_MS, p < s[LIMIT_W] ? p : s[LIMIT_W])
        s[FAST_W] = emaStep(s[FAST_W], dt, FAST_TAU_MS, p)
        const level = s[FAST_W]
        if (s[SLOW_W] > s[REF_W]) s[REF_W] = s[SLOW_W]
        // time spent near the plateau: a charge with a constant-current plateau, unlike the
        // brief top-up of a battery that was already full, which only ever tapers
        if (s[REF_W] >= cfg.noLoadW && s[SLOW_W] >= PLATEAU_BAND * s[REF_W]) {
            s[PLATEAU_MS] += dt
            s[AT_PLATEAU_T] = t
        }
        s[LAST_UPDATE_T] = t
        // the relay closed and the charger not yet started: a current with no power behind it is
        // its mains input filter's, and this meter reads it (with a margin: the mains may sag)
        if (!s[DREW] && p < cfg.meterFloorW && cfg.pluggedA > 0 && a >= SEEN_MARGIN * cfg.pluggedA) s[PLUGGED_SEEN] = 1
        if (!s[DREW] && s[REF_W] >= cfg.noLoadW) s[DREW] = 1

        if (!s[DREW]) {
            // and over at least three readings: a sparse meter's first mean is no verdict
            if (t - s[T0] >= Math.max(cfg.noLoadS * 1000, 3 * dt))
                return verdict("no_load", "never drew more than " + cfg.noLoadW + " W in " + cfg.noLoadS + " s (peak sustained " + roundTo(s[REF_W], 1) + " W)", level, s[REF_W])
            return null
        }

        if (v === v && v < cfg.brownoutV) {
            // a top-up's charger that drops out may come back on float (a battery already
            // full, its top-up collapsing): the level it left, or the level a step it had made
            // came from, is a step candidate's, judged after the hold. Not after a plateau: a
            // charger restarts its charge there, and one soft-starting slowly would still be
            // low past the hold, and its step stay armed
            const from = s[STEP_T] >= 0 ? s[STEP_FROM_W] : fastBefore
            if (t >= s[HOLD_UNTIL] && s[PLATEAU_MS] < PLATEAU_MIN_MS && this.tapered(from, from, false)) {
                s[PENDING_T] = t
                s[PENDING_FROM_W] = from
            }
            s[HOLD_UNTIL] = t + cfg.brownoutGraceS * 1000
            // the flattening fit keeps its windows (none of the hold's readings reach it): a
            // taper goes on where it was once the charger is back
            this.resetEpisodes()
            return null
        }
        if (t < s[HOLD_UNTIL]) return null

        const unplug = this.checkStep(t, p, a, dt, slowBefore, fastBefore)
        if (unplug) return unplug
        const full = this.checkFull(t, p, level, slowBefore)
        // a charger does not take its input filter with it when it switches itself off: no
        // current read where the meter read it before the charger started, it was pulled out
        if (full && s[PLUGGED_SEEN] > 0 && a < cfg.pluggedA && level < cfg.meterFloorW)
            return verdict("unplugged", "no current read at " + roundTo(level, 1) + " W, where the charger drew some before it started: pulled out", p, s[REF_W])
        return full
    }

    /** A pause drops the steps judged so far (not the low spell and its fit: see update). */
    private resetEpisodes() {
        const s = this.s
        s[ABOVE_SINCE] = -1
        s[STEP_SINCE] = -1
        s[STEP_T] = -1
        s[ASIDE_STEP_T] = -1
    }

    private checkOverload(t: number, p: number): Verdict {
        const s = this.s
        const cfg = this.cfg
        if (p <= s[LIMIT_W]) {
            s[OVER_SINCE] = -1
            return null
        }
        if (t - s[INRUSH_FROM] < cfg.inrushS * 1000) return null
        if (s[OVER_SINCE] < 0) s[OVER_SINCE] = t
        const held = (t - s[OVER_SINCE]) / 1000
        if (held >= cfg.overloadHoldS) return verdict("overload", "draw " + roundTo(p, 0) + " W over the limit " + s[LIMIT_W] + " W for " + roundTo(held, 0) + " s", p, s[REF_W])
        return null
    }

    /**
     * A draw this low has tapered: a step from it to `after` (W) is the charger terminating,
     * not an unplug. Any step from a low draw (terminateFraction of the plateau) counts; from
     * higher up, a step to a standby draw (the charger is still there: a rider's pull leaves
     * nothing) once a taper of some minutes led there, from anywhere under half the plateau.
     * A top-up of a battery that was already full never had a constant-current plateau: its
     * "plateau" is only where its taper started (a sparse meter's first mean may be all of
     * it), so a step that leaves the charger drawing, or any clear fall from it, counts.
     * The order's profile decides what no rule can: a lithium charger's last step may leave
     * nothing; a lead-acid charger's never does.
     */
    private tapered(w: number, after: number, plugged: boolean): boolean {
        const s = this.s
        const drawing = after >= this.cfg.meterFloorW
        // a lead-acid charger floats after full, it never switches off: a step to nothing is a pull
        // (plugged in or not: its battery taken off)
        if (s[PROFILE] === PROFILE_LEAD_ACID && !drawing) return false
        // a charger that terminated once and restarts is the charger again, not a rider
        if (s[TERMINATED_ONCE]) return true
        if (w <= this.cfg.terminateFraction * s[REF_W]) return true
        // a charger that switched itself off to nothing, still plugged in, is there as one that draws
        const there = drawing || plugged
        if (s[PLATEAU_MS] < PLATEAU_MIN_MS) return there || w <= TOPUP_TAPERED * s[REF_W]
        // from higher up, at the end of a taper: a step that leaves the charger there, or a
        // lithium charger's last step whatever follows (some switch off)
        return (there || s[PROFILE] === PROFILE_LITHIUM) && w <= LAST_STEP_FRACTION * s[REF_W] && s[LAST_UPDATE_T] - s[AT_PLATEAU_T] >= TAPER_MIN_MS
    }

    /** A step down: unplugged when it falls from a high level, a termination otherwise. */
    private checkStep(t: number, p: number, a: number, dt: number, slowBefore: number, fastBefore: number): Verdict {
        const s = this.s
        const cfg = this.cfg
        if (s[STEP_SINCE] < 0) {
            // a lead-acid charger floats: from any level once it drew, a step to nothing is a pull
            if ((slowBefore >= cfg.noLoadW || (s[PROFILE] === PROFILE_LEAD_ACID && s[DREW])) && p <= cfg.unplugFraction * slowBefore) {
                s[STEP_SINCE] = t
                s[STEP_SUM] = 0
                s[STEP_A] = a
                // judged on the short average: the long one lags behind a fast taper
                s[STEP_PRE_W] = Math.min(slowBefore, fastBefore)
            }
            return null
        }
        if (p > cfg.unplugFraction * s[STEP_PRE_W]) {
            // the dip ended: a pack switch, a pulse charger's off phase, a glitch
            s[STEP_SINCE] = -1
            return null
        }
        s[STEP_SUM] += p * dt
        // the lowest read since the step: a current read before it, not yet read again, is no
        // charger's. NaN is none read (a meter asked for it now and then), skipped: the same in
        // node and in the VM, whatever their Math.min does with it
        if (a < s[STEP_A] || s[STEP_A] !== s[STEP_A]) s[STEP_A] = a
        const held = (t - s[STEP_SINCE]) / 1000
        if (held < cfg.unplugHoldS) return null
        // whether the charger still draws, on the mean since the step: a pulse charger's
        // electronics at ~1 W between pulses read under the meter's floor now and then; and
        // whether it is still plugged in: its mains input filter draws a current that does no
        // work (a capacitor's), none flows once it is pulled
        if (this.tapered(s[STEP_PRE_W], s[STEP_SUM] / (held * 1000), cfg.pluggedA > 0 && s[STEP_A] >= cfg.pluggedA)) {
            // the charger terminating: the full rule confirms it from the step itself (its
            // own step test may miss it: after a fast taper, as a LiFePO4 knee, the level of
            // the minute before is still the plateau's)
            if (s[STEP_T] < 0 && t - s[STEP_SINCE] < PENDING_MAX_MS) {
                s[STEP_T] = s[STEP_SINCE]
                s[STEP_FROM_W] = s[STEP_PRE_W]
            }
            return null
        }
        return verdict(
            "unplugged",
            "draw fell from " + roundTo(s[STEP_PRE_W], 1) + " W to " + roundTo(p, 1) + " W and stayed for " + roundTo(held, 0) + " s (plateau " + roundTo(s[REF_W], 0) + " W)",
            p,
            s[REF_W]
        )
    }

    /** Full: the draw stayed down for `flatS` after the charger's step from STEP_FROM_W. */
    private fullAfterStep(level: number, lowW: number, flatS: number): Verdict {
        const s = this.s
        return verdict(
            "full",
            "draw " +
                roundTo(level, 1) +
                " W (under " +
                roundTo(lowW, 1) +
                " W) stayed down for " +
                roundTo(flatS, 0) +
                " s after the charger stepped down from " +
                roundTo(s[STEP_FROM_W], 1) +
                " W; plateau " +
                roundTo(s[REF_W], 0) +
                " W",
            level,
            s[REF_W]
        )
    }

    /** Highest level over roughly the last minute (two 30 s buckets), and the last one. */
    private trackRecent(t: number, level: number) {
        const s = this.s
        if (t - s[BUCKET_T] >= STEP_WINDOW_MS / 2) {
            s[PREV_BUCKET_MAX] = s[BUCKET_MAX]
            s[BUCKET_MAX] = 0
            s[BUCKET_T] = t
        }
        const recent = Math.max(s[PREV_BUCKET_MAX], s[BUCKET_MAX], s[PREV_LEVEL])
        if (level > s[BUCKET_MAX]) s[BUCKET_MAX] = level
        s[PREV_LEVEL] = level
        return recent
    }

    /**
     * Full: low relative to this session's plateau, and no longer falling. A charger that
     * terminates shows a step (its draw halves within a minute from an already tapered
     * level): then a short flat spell confirms. Without a step (a two-stage lead-acid taper
     * flattening onto float) only a long flat spell does: a slow taper still falls over it.
     * Its only verdict is `full`.
     */
    private checkFull(t: number, p: number, level: number, slowBefore: number): Verdict {
        const s = this.s
        const cfg = this.cfg
        // a top-up (no plateau: a battery already full) peaks on its collapsing taper, not at
        // the charger's bulk power: after its step, float or standby is what lies under the step;
        // without a step its float may lie well over 12 % of that peak, so the fit (the judge of
        // a flattening draw) takes the draw from under TOPUP_LOW of it, its collapse included
        const lowW = Math.max(
            cfg.fullFraction * s[REF_W],
            cfg.idleFloorW,
            s[STEP_T] >= 0 && s[PLATEAU_MS] < PLATEAU_MIN_MS ? (1 - STEP_DROP) * s[STEP_FROM_W] : 0,
            s[PLATEAU_MS] < PLATEAU_MIN_MS ? TOPUP_LOW * s[REF_W] : 0
        )
        // a single spiking reading lifts the fast level for seconds, not the slow one: the
        // level a step falls from must have lasted
        const prevLevel = s[PREV_LEVEL]
        const recent = Math.min(this.trackRecent(t, level), slowBefore)
        // how much the readings scatter around the level: a step must stand out of the noise
        const dt = t - s[FLICKER_T]
        s[SCATTER_W] = emaStep(s[SCATTER_W], dt, SCATTER_TAU_MS, Math.abs(p - level))
        // a fall by a quarter within a minute (a third between sparse readings) from a tapered
        // level is a step candidate; it becomes the step once it has held 10 s and stands out
        // of the readings' scatter (right after a balancing flicker the scatter is still
        // high), and is dropped if the level comes back
        const sparse = dt >= STEP_WINDOW_MS
        const drop = sparse ? STEP_DROP : s[PLATEAU_MS] >= PLATEAU_MIN_MS ? PLATEAU_STEP_DROP : SHARP_STEP_DROP
        if (s[PENDING_T] < 0 && s[STEP_T] < 0 && recent - level >= drop * recent && this.tapered(recent, level, false)) {
            s[PENDING_T] = t
            s[PENDING_FROM_W] = recent
        }
        if (s[PENDING_T] >= 0 && (level > (1 - drop) * s[PENDING_FROM_W] || t - s[PENDING_T] > PENDING_MAX_MS)) s[PENDING_T] = -1
        // a taper (a decay onto a floor, or to nothing) is convex: the level falls ever slower
        // (the reading before may hold the start of the step: the slower of the two before)
        const rateBefore = Math.min(s[FALL_RATE], s[PREV_FALL_RATE])
        s[PREV_FALL_RATE] = s[FALL_RATE]
        // (a fall from the plateau is no taper's: its end is a corner too, the taper's start)
        const inTaper = dt > 0 && s[AT_PLATEAU_T] < t - dt
        s[FALL_RATE] = inTaper ? (prevLevel - level) / dt : 1e9
        if (s[PENDING_T] >= 0 && s[STEP_T] < 0 && (sparse || t - s[PENDING_T] >= STEP_HELD_MS) && s[PENDING_FROM_W] - level >= STEP_NOISE_FACTOR * s[SCATTER_W]) {
            if (sparse && inTaper && s[PENDING_T] === t && s[FALL_RATE] >= SHARP_FACTOR * Math.max(rateBefore, 0)) s[SHARP_STEP_T] = t
            // the step is when the level fell (a restart a minute after it is the charger's)
            s[STEP_T] = s[PENDING_T]
            s[PENDING_T] = -1
            s[STEP_FROM_W] = s[PENDING_FROM_W]
            // confirmation counts from the step itself; flicker history is kept, so a
            // balancing BMS cannot start a fresh, clean-looking step every few seconds
            s[LAST_FALL_T] = t
        }
        // the taper's rate, held from a step's start (a step pending or standing): its rate before
        if (s[PENDING_T] >= 0 || s[STEP_T] >= 0) s[RATE_T] = -1
        else {
            if (s[RATE_T] < 0) {
                s[RATE_T] = t
                s[RATE_W] = level
            } else if (t - s[RATE_T] >= RATE_BUCKET_MS) {
                // a taper's fall only slows: a bucket ending in a step's first seconds, before the
                // step is found, holds part of it
                const rate = (s[RATE_W] - level) / (t - s[RATE_T])
                s[RATE] = s[RATE] > 0 ? Math.min(rate, RATE_RISE * s[RATE]) : rate
                s[RATE_T] = t
                s[RATE_W] = level
            }
        }
        // the draw after the step still falling as the taper fell before it: a load that
        // stopped (a fan), not the charger ending; its own step comes later. Judged on a meter
        // that reads often enough to see a slope (AFTER_W -1: judged, the step may confirm). The
        // level is taken once it settled from the step and from any further step after it (a
        // maintenance pulse of seconds at the float switch): its settling is no taper's fall
        if (s[STEP_T] >= 0 && s[AFTER_T] < s[STEP_T] && t - Math.max(s[STEP_T], s[FURTHER_T]) >= AFTER_STEP_MS) {
            s[AFTER_T] = t
            s[JUDGE_T] = t
            s[AFTER_W] = sparse ? -1 : level
            s[JUDGED_W] = level
        } else if (s[STEP_T] >= 0 && s[AFTER_T] >= s[STEP_T] && s[AFTER_W] >= 0 && t - s[JUDGE_T] >= AFTER_SPAN_MS) {
            const rate = s[RATE]
            const expected = GOES_ON_SHARE * rate * (t - s[AFTER_T])
            // a fall since the last judgement far faster than the taper fell: a further step (the
            // charger's own); after minutes of falling on, than it fell since (a taper's fall slows)
            const since = s[JUDGE_T] - s[AFTER_T]
            const lately = since >= STALE_STEP_MS ? Math.min(rate, (s[AFTER_W] - s[JUDGED_W]) / since) : rate
            const further = s[JUDGED_W] - level > FURTHER_STEP_RATE * lately * (t - s[JUDGE_T])
            // the fast level's noise: the readings' scatter averaged over its time constant (the
            // step's own fall lifts the scatter for minutes: the larger the step, the surer)
            const noise = GOES_ON_NOISE * s[SCATTER_W] * Math.sqrt(dt / FAST_TAU_MS)
            if (!further && s[AFTER_W] - level >= Math.max(expected, noise)) {
                s[JUDGE_T] = t
                s[JUDGED_W] = level
            } else s[AFTER_W] = -1
        }
        // the level back where the step came from: the charger paused (a BMS opening, a restart
        // after a mains blip too short for the meter to see) and its taper goes on, or a
        // maintenance pulse. The step is put aside with the time the draw had stayed down after
        // it, and stands again only if the level falls back sharply (under the step's midpoint,
        // by a step's share, within a minute of being back: a pulse's end) within
        // PENDING_MAX_MS, not as a taper glides down (a step found on that fall meanwhile gives
        // way to it: a pulse float read every 5 min keeps its first step's spell). A step kept
        // through a pause confirmed once the taper came into the low band, 25-55 minutes early
        let back = (1 - drop) * s[STEP_FROM_W]
        // the step's midpoint: between the level before it and the lowest after it (over the band,
        // the level under its back level)
        const mid = 0.5 * (s[STEP_FROM_W] + (s[LOW_SINCE] >= 0 ? s[ANCHOR_W] : (1 - drop) * back))
        if (!sparse && s[LOW_SINCE] >= 0) {
            // the step's "from" is the 60 s level, which lags a steep taper by its rate times 60 s
            // (a charger pausing in a taper of a few minutes' time constant came back under it
            // and was cut early); not down to the step's midpoint, where noise would reach
            const unlagged = (1 - drop) * (s[STEP_FROM_W] - Math.min(Math.max(0, s[RATE]) * SLOW_TAU_MS, drop * s[STEP_FROM_W]))
            back = Math.max(unlagged, Math.min(back, mid))
        }
        if (s[STEP_T] >= 0 && level > back) {
            s[ASIDE_STEP_T] = s[STEP_T]
            s[ASIDE_FLAT_MS] = t - s[LAST_FALL_T]
            s[ASIDE_AT] = t
            s[BACK_W] = level
            s[STEP_T] = -1
        }
        if (s[ASIDE_STEP_T] >= 0) {
            if (t - s[ASIDE_AT] > PENDING_MAX_MS) s[ASIDE_STEP_T] = -1
            else if (level > back) {
                s[BACK_T] = t
                if (level > s[BACK_W]) s[BACK_W] = level
            } else if (t - s[BACK_T] > Math.max(STEP_WINDOW_MS, dt)) s[ASIDE_STEP_T] = -1
            else if (level < mid && level <= (1 - drop) * s[BACK_W]) {
                // under the midpoint by a step's share of the highest level while back (a sparse
                // meter's readings of a taper gliding on cross the midpoint from "back" in one)
                s[STEP_T] = s[ASIDE_STEP_T]
                s[LAST_FALL_T] = t - s[ASIDE_FLAT_MS]
                s[ASIDE_STEP_T] = -1
            }
        }
        // raw readings toggling across the step's midpoint within seconds: BMS balancing
        // flicker, the charger is not done (a fan cycling after full toggles over minutes); the
        // midpoint, not half the level before: a step by a half lands on that half, and the
        // meter's noise around it read as flicker (an 11 -> 5.8 W termination cut 23 min late)
        // with a band around it a tenth of the step wide: a maintenance pulse near the level it
        // stepped from lifts the fast level under it, and its noisy top read as flicker
        const band = s[LOW_SINCE] >= 0 ? FLICKER_BAND * Math.max(0, s[STEP_FROM_W] - s[ANCHOR_W]) : 0
        const over = p - 0.5 * (s[STEP_FROM_W] + level)
        const side = over > band ? 1 : over < -band ? 0 : s[FLICKER_SIDE]
        s[FLICKER] *= Math.exp(-dt / FLICKER_TAU_MS)
        s[FLICKER_T] = t
        if (s[STEP_T] >= 0 && side !== s[FLICKER_SIDE]) s[FLICKER] += 1
        s[FLICKER_SIDE] = side
        if (level > lowW) {
            // the fit takes every reading once the draw came low: leaving out the noisy ones
            // over the band would bias its means low, most while the draw is nearest the band
            if (this.flat) flatAdd(this.flat, t, p, level)
            // between the low band and twice it: fans, pulses, a flicker; above it, charging
            if (s[LOW_SINCE] >= 0 && level > RESUME_FACTOR * lowW) {
                if (s[ABOVE_SINCE] < 0) s[ABOVE_SINCE] = t
                // a sustained return to real power: charging resumed (second pack, restart)
                if (t - s[ABOVE_SINCE] >= cfg.resumeS * 1000) {
                    // the charger had stayed down a while before: it terminated, then restarted
                    // (its step is put aside by then: the level is back)
                    const stepT = Math.max(s[STEP_T], s[ASIDE_STEP_T])
                    if (stepT >= 0 && s[ABOVE_SINCE] - stepT >= TERMINATED_HOLD_MS) s[TERMINATED_ONCE] = 1
                    s[LOW_SINCE] = -1
                    this.flat = null
                    s[STEP_T] = -1
                    s[ASIDE_STEP_T] = -1
                }
            } else s[ABOVE_SINCE] = -1
            return null
        }
        s[ABOVE_SINCE] = -1
        // on a sparse meter (means over 5-10 min), a fall to a tenth within one or two readings:
        // from the reading before this one, or from the level before a step found on the reading
        // before (its mean part taper, part standby). No taper falls so far so fast (over a
        // longer span a steep one does: a step a steep taper faked would later cut a charger that
        // terminates at 1 % early), so the charger terminated; a third reading to see the
        // standby stay flat cost 5-10 min. Whether a fall is the charger's or a pull is asked as
        // the unplug test asks it, from the reading before. Not in a top-up: its absorption
        // current collapses that fast before it floats
        const afterStep = s[STEP_T] >= 0 && t > s[STEP_T] && t - dt <= s[STEP_T]
        const from = afterStep ? s[STEP_FROM_W] : prevLevel
        if (
            sparse &&
            s[PLATEAU_MS] >= PLATEAU_MIN_MS &&
            (level <= SPARSE_SETTLED * from || (afterStep && s[SHARP_STEP_T] === s[STEP_T] && level <= (1 - STEP_DROP) * from)) &&
            this.tapered(prevLevel, level, false)
        ) {
            s[STEP_FROM_W] = from
            return this.fullAfterStep(level, lowW, dt / 1000)
        }
        if (s[LOW_SINCE] < 0) {
            // a step found over the band whose draw only glided into it minutes later was no
            // termination (a fan stopping mid-taper): it confirmed as soon as the taper came low
            if (!sparse && s[STEP_T] >= 0 && t - s[STEP_T] > STALE_STEP_MS) s[STEP_T] = -1
            // the fit's windows: 5 min means, doubling as the slots fill; a top-up collapses
            // within minutes, and a taper that stops at a corner is judged on the windows after
            // it, so the shorter they start the sooner (10 min ones cut such charges 10-25 min later)
            s[LOW_SINCE] = t
            s[ANCHOR_W] = level
            s[LAST_FALL_T] = t
            this.flat = newFlattening((cfg.flatConfirmS * 1000) / 6)
            return null
        }
        // low: the fit is held (it lives exactly while LOW_SINCE >= 0)
        flatAdd(this.flat, t, p, level)
        if (s[STEP_T] >= 0 && s[FLICKER] > FLICKER_CROSSINGS) {
            s[STEP_T] = -1
            s[LAST_FALL_T] = t
        }
        // after the charger terminated, a float current settling by a few tenths of a watt
        // is not charge: falls count only when they matter against the plateau
        // (not after a step the draw went on falling after, as the taper before it fell, for
        // minutes: a load that stopped long before the charger ends, whose taper, seen against
        // the plateau, reads as flat once it is low)
        const longFall = s[AFTER_T] >= s[STEP_T] && s[JUDGE_T] - s[AFTER_T] >= STALE_STEP_MS
        const floorFall = s[STEP_T] >= 0 && !longFall ? AFTER_STEP_FALL_FRACTION * s[REF_W] : MIN_TAPER_STEP_W
        // and a fall must also stand out of the meter's scatter, or noise keeps the
        // confirmation from ever completing. Flat is a rate (no fall by taperStepFraction
        // within fullConfirmS): between a sparse meter's readings minutes apart a float still
        // settling falls by more, and a battery already full was cut three or four readings
        // after its float began. So is the float's settling after a step on a sparse meter, when
        // the draw falls under half as fast as the taper fell before the step, and has not gone
        // on falling for minutes (a fan stopping, a top-up's collapse gliding on: they fall at
        // the taper's rate and are held to the float's fall a reading)
        const scale = Math.max(1, dt / (cfg.fullConfirmS * 1000))
        const settling = !sparse || (s[LAST_FALL_T] - s[STEP_T] < STALE_STEP_MS && s[ANCHOR_W] - level < GOES_ON_SHARE * s[RATE] * dt)
        const step = Math.max(cfg.taperStepFraction * s[ANCHOR_W] * scale, floorFall * (settling ? scale : 1), s[SCATTER_W])
        if (level < s[ANCHOR_W] - step) {
            // still falling: the battery is still taking charge, or the step is settling. Not
            // when a raw reading lies a step under the anchor after the charger's step: the level
            // follows a further step down (a maintenance pulse ending, the charger stepping on to
            // standby) for seconds, no taper's fall; flat is judged from before it, and the anchor
            // is where two raw readings landed (one glitching low leaves it at the level)
            if (s[STEP_T] >= 0 && !sparse && p <= (1 - SHARP_STEP_DROP) * s[ANCHOR_W]) {
                s[ANCHOR_W] = Math.min(level, Math.max(p, s[PREV_P]))
                s[FURTHER_T] = t
            } else {
                s[ANCHOR_W] = level
                s[LAST_FALL_T] = t
            }
            return null
        }
        // the level settling from a further step lands under the two raw readings it was anchored to
        if (t - s[FURTHER_T] < AFTER_STEP_MS && level < s[ANCHOR_W]) s[ANCHOR_W] = level
        const flat = (t - s[LAST_FALL_T]) / 1000
        if (s[STEP_T] >= 0 && flat >= cfg.fullConfirmS && s[AFTER_W] < 0) return this.fullAfterStep(level, lowW, flat)
        if (s[STEP_T] < 0) {
            const floorW = flatFloor(this.flat, s[SCATTER_W], t)
            if (floorW > 0) return verdict("full", "taper flattened onto " + roundTo(floorW, 1) + " W after a plateau of " + roundTo(s[REF_W], 0) + " W", level, s[REF_W])
        }
        return null
    }
}
