// One socket's session state machine:
//   idle -> reserved (paid, relay on, waiting for the charger to draw) -> charging
//        -> ended (reason) -> idle (on the next order, or when cleared)
//   any -> faulted (short, overload, welded relay: locked until cleared with no draw)
// The socket is live only in reserved/charging. Pure: readings and time in, relay wish
// and events out; the supervisor decides when a wished-for relay may actually close.

import { ShedConfig } from "./config"
import { ChargeDetector } from "./detector"
import { finite, roundTo } from "./mathx"
import { PowerTrace } from "./trace"
import { persistedError } from "./persisted"

export type SocketState = "idle" | "reserved" | "charging" | "ended" | "faulted"

export type LimitKind = "full" | "minutes" | "wh"

export interface Limit {
    kind: LimitKind
    /** minutes or Wh; ignored for "full" */
    value: number
}

export interface StartOptions {
    /** per-order power cap (W), at most the socket limit */
    powerCapW?: number
    /** minutes to keep charging after full */
    topOffMin?: number
    /** charger profile hint: "auto" | "lithium" | "lead_acid" */
    profile?: string
}

/** What survives a power cut: enough to resume or to end the session correctly. */
export interface PersistedSession {
    order: string
    limit: Limit
    /** board ms at which the session started, in the previous boot's clock */
    elapsedS: number
    energyWh: number
    peakW: number
    refW: number
    drew: boolean
    powerCapW: number
    topOffMin: number
    /** the order's charger profile hint (absent: auto) */
    profile?: string
    /** seconds into the session when full was detected (-1: not yet) */
    fullAtS: number
}

export interface SessionRecord {
    order: string
    socket: number
    reason: string
    detail: string
    energyWh: number
    durationS: number
    peakW: number
    /** board ms (the shell maps them to server time) */
    startT: number
    endT: number
    /** seconds from start to the moment full was detected; -1 if never */
    fullAtS: number
    /** seconds charged after full (top-off) */
    topOffS: number
    /** the power level (W) and the plateau it was judged against when the session ended */
    levelW: number
    refW: number
}

export interface SocketEvent {
    kind: "state" | "started" | "ended" | "fault" | "warning"
    socket: number
    state?: SocketState
    record?: SessionRecord
    /** an ended session's power trace */
    trace?: PowerTrace
    fault?: string
    detail?: string
}

export interface StartResult {
    ok: boolean
    error?: string
    detail?: string
}

/** A refused start, stop or command: the error's name and, in words, why. */
export function refused(error: string, detail: string): StartResult {
    return { ok: false, error: error, detail: detail }
}

export const PROFILES = ["auto", "lithium", "lead_acid"]

/** Faults that lock a socket until cleared, by their index in a socket's lock code (lockCode). */
export const LOCKS = ["", "short", "overload", "welded_relay", "meter_silent"]

/**
 * Checkpoints of a running session (what a power cut may lose, docs/protocol.md). When the mains
 * goes, every running session's progress is written on the supply's hold-up (checkpointDue's
 * `mainsLost`): a power cut loses nothing then. For a cut without that warning (a crash, a
 * hold-up that fails) its progress is also written at least every CHECKPOINT_MS of board time
 * (DESIGN: once a minute), and sooner once the energy not yet written exceeds both
 * CHECKPOINT_SHARE of the session's energy and CHECKPOINT_MIN_WH. Tighter, these cost the
 * flash its life (docs/hardware.md "Flash").
 */
export const CHECKPOINT_MS = 60000
export const CHECKPOINT_SHARE = 0.01
export const CHECKPOINT_MIN_WH = 2

// A session's numbers and flags, one number[] (a number costs 8 B of heap there, 16 as an
// object's field; booleans as 0/1). Times in board ms, -1: not going on.
const START_T = 0
const LAST_T = 1
/** the last reading judged (W), for the energy's trapezoids */
const LAST_P = 2
const ENERGY_WH = 3
const PEAK_W = 4
const POWER_CAP_W = 5
const TOP_OFF_MIN = 6
/** when full was detected; -1: not yet */
const FULL_AT_T = 7
/** 0/1: the overload warning went out */
const WARNED = 8
/** current through the open relay since */
const WELD_SINCE = 9
/** a resumed session's plateau and whether it drew (0/1), for the detector when the relay closes */
const RESUME_REF_W = 10
const RESUME_DREW = 11
/** 0/1: started, its relay not yet closed (paid time starts then) */
const FRESH = 12
/** board ms and Wh of the last checkpoint written */
const SAVED_T = 13
const SAVED_WH = 14
/** 0/1: the relay closes again after a pause */
const RECLOSE = 15
/** starts in a row that ended in no load with almost no draw */
const NO_LOAD_STREAK = 16
/** the socket's last reading (W) whatever its state; NaN while its meter is silent */
const DRAW_W = 17
/** 0/1: paused by a board-level condition (mains out of range): live, relay off */
const PAUSED = 18
/** 0/1: the last starts all ended in no load with almost no draw: blown fuse or broken outlet */
const SUSPECT = 19
/** the running (or last) session's limit: its kind's index in LIMIT_KINDS (-1: none yet) and value */
const LIMIT_KIND = 20
const LIMIT_VALUE = 21

/** by index: 1 and 2 are judged in checkLimits */
const LIMIT_KINDS = ["full", "minutes", "wh"]

export class SocketSession {
    state: SocketState = "idle"
    /** kind of the fault while faulted */
    fault = ""
    order = ""
    /**
     * the last ended session's reason ("" while none, or once another begins), for the screen. Its
     * record leaves with the "ended" event (the cloud link keeps it as text, in flash): held here
     * as well, ten ended sockets' records took ~3.5 KB of the heap until their next sessions
     */
    lastReason = ""
    /** the running session's per-minute power trace (it leaves with the session's ended event) */
    trace: PowerTrace = null
    /** the order's charger profile hint: "auto", "lithium" or "lead_acid" */
    profile = "auto"

    private detector: ChargeDetector = null
    /** indexed by the constants above */
    private s: number[] = [0, 0, 0, 0, 0, 0, 0, -1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0]
    private events: SocketEvent[] = []

    constructor(
        readonly socket: number,
        private cfg: ShedConfig
    ) {}

    /** The socket's last reading (W) whatever its state; NaN while its meter is silent. */
    drawW(): number {
        return this.s[DRAW_W]
    }

    /** The running (or last) session's limit; null before the first. */
    limit(): Limit {
        const k = this.s[LIMIT_KIND]
        return k < 0 ? null : { kind: LIMIT_KINDS[k] as LimitKind, value: this.s[LIMIT_VALUE] }
    }

    private setLimit(l: Limit) {
        this.s[LIMIT_KIND] = l ? LIMIT_KINDS.indexOf(l.kind) : -1
        this.s[LIMIT_VALUE] = l ? l.value : 0
    }

    /** The last starts all ended in no load with almost no draw: blown fuse or broken outlet. */
    suspect(): boolean {
        return this.s[SUSPECT] > 0
    }

    /** The relay should be closed. */
    wantsRelay(): boolean {
        return this.isLive() && !this.s[PAUSED]
    }

    isLive(): boolean {
        return this.state === "reserved" || this.state === "charging"
    }

    pause() {
        this.s[PAUSED] = this.isLive() ? 1 : 0
    }

    unpause(now: number) {
        const s = this.s
        if (!s[PAUSED]) return
        s[PAUSED] = 0
        s[RECLOSE] = 1
    }

    setConfig(cfg: ShedConfig) {
        this.cfg = cfg
    }

    /** Validate per-order options against the board's bounds. Returns an error name or null. */
    checkOptions(limit: Limit, opts: StartOptions): StartResult {
        if (!limit) return refused("bad_limit", "limit missing")
        if (limit.kind === "minutes") {
            if (!(limit.value >= 1 && limit.value <= this.cfg.maxDurationMin)) return refused("bad_limit", "minutes must be 1.." + this.cfg.maxDurationMin)
        } else if (limit.kind === "wh") {
            if (!(limit.value >= 1 && limit.value <= 100000)) return refused("bad_limit", "wh must be 1..100000")
        } else if (limit.kind !== "full") return refused("bad_limit", "limit kind must be full, minutes or wh")
        if (opts) {
            if (opts.powerCapW !== undefined && !(opts.powerCapW >= 50 && opts.powerCapW <= this.cfg.socketLimitW)) return refused("bad_power_cap", "powerCapW must be 50.." + this.cfg.socketLimitW)
            if (opts.topOffMin !== undefined && !(opts.topOffMin >= 0 && opts.topOffMin <= 240)) return refused("bad_top_off", "topOffMin must be 0..240")
            if (opts.profile !== undefined && PROFILES.indexOf(opts.profile) < 0) return refused("bad_profile", "profile must be auto, lithium or lead_acid")
        }
        return { ok: true }
    }

    /** A paid order for this socket. Refused (and nothing changes) unless the socket is free. */
    /** Why this socket cannot take an order, whatever the board's state; null when it can. */
    refusal(): StartResult {
        const s = this.s
        if (this.state === "faulted") return refused("socket_faulted", "socket " + this.socket + " is faulted: " + this.fault)
        if (s[SUSPECT]) return refused("socket_suspect", "socket " + this.socket + ": its last " + s[NO_LOAD_STREAK] + " starts drew nothing (blown fuse or broken outlet?); clear it after a check")
        if (this.isLive()) return refused("socket_busy", "socket " + this.socket + " has order " + this.order)
        return null
    }

    start(order: string, limit: Limit, now: number, opts: StartOptions): StartResult {
        const s = this.s
        const own = this.refusal()
        if (own) return own
        const check = this.checkOptions(limit, opts)
        if (!check.ok) return check
        this.order = order
        this.setLimit(limit)
        s[POWER_CAP_W] = opts && opts.powerCapW !== undefined ? opts.powerCapW : this.cfg.socketLimitW
        // an order that does not say takes the board's default (a shed that serves lead-acid bikes)
        this.profile = opts && opts.profile !== undefined ? opts.profile : PROFILES[this.cfg.defaultProfile]
        s[TOP_OFF_MIN] = opts && opts.topOffMin !== undefined ? opts.topOffMin : this.profile === "lead_acid" ? this.cfg.topOffLeadAcidMin : this.cfg.topOffMin
        this.begin(now, 0, 0, 0, -1)
        s[FRESH] = 1
        this.setState("reserved")
        this.events.push({ kind: "started", socket: this.socket })
        return { ok: true }
    }

    private begin(now: number, elapsedS: number, energyWh: number, peakW: number, fullAtS: number) {
        const s = this.s
        s[START_T] = now - elapsedS * 1000
        s[LAST_T] = now
        s[LAST_P] = 0
        s[ENERGY_WH] = energyWh
        s[PEAK_W] = peakW
        s[FULL_AT_T] = fullAtS >= 0 ? s[START_T] + fullAtS * 1000 : -1
        s[WARNED] = 0
        this.trace = new PowerTrace()
        // the screen shows the previous session's reason only until another begins
        this.lastReason = ""
        // the detector starts when the relay actually closes: inrush blanking and the
        // no-load timer count from then, not from a staggered wait
        this.detector = null
        s[RESUME_REF_W] = 0
        s[RESUME_DREW] = 0
        s[SAVED_T] = now
        s[SAVED_WH] = energyWh
    }

    /**
     * Resume a persisted session after a reboot; the caller decides whether it may resume. A
     * record that is not whole (a corrupt setting) cannot run on, and must not throw here, at
     * boot (a crash loop): it ends at once as a fault, its record carrying the order and the
     * energy it states. `ck` is the session's last checkpoint (checkpoint()), taken when whole
     * and ahead of the record. A socket locked before the restart (restoreLock) does not run the
     * session on: it ends at once with the lockout as its reason, the socket stays locked.
     */
    resume(p: PersistedSession, now: number, ck?: number[]) {
        const s = this.s
        const lock = this.fault
        const err = persistedError(p)
        // only what the record needs: the session stops below, before anything else reads it
        if (err) p = { order: "" + p.order, limit: null, elapsedS: 0, energyWh: typeof p.energyWh === "number" ? p.energyWh : 0, peakW: 0, fullAtS: -1 } as PersistedSession
        else if (ck && typeof ck[0] === "number" && typeof ck[1] === "number" && ck[0] >= p.elapsedS && ck[1] >= p.energyWh && ck[2] <= ck[0]) {
            p.elapsedS = ck[0]
            p.energyWh = ck[1]
            p.fullAtS = ck[2]
        }
        this.order = p.order
        this.setLimit(p.limit)
        s[POWER_CAP_W] = p.powerCapW
        s[TOP_OFF_MIN] = p.topOffMin
        this.profile = p.profile ? p.profile : "auto"
        this.begin(now, p.elapsedS, p.energyWh, p.peakW, p.fullAtS)
        s[FRESH] = 0
        s[RESUME_REF_W] = p.refW
        s[RESUME_DREW] = p.drew ? 1 : 0
        this.setState(p.drew ? "charging" : "reserved")
        if (err) this.stop(now, "fault", "persisted record refused: " + err)
        else if (lock) this.trip(now, lock, "socket locked before the restart")
    }

    /** The whole record to write (a checkpoint too); null when no session runs. */
    persisted(now: number): PersistedSession {
        const s = this.s
        if (!this.isLive()) return null
        s[SAVED_T] = now
        s[SAVED_WH] = s[ENERGY_WH]
        return {
            order: this.order,
            limit: this.limit(),
            elapsedS: roundTo((now - s[START_T]) / 1000, 0),
            energyWh: roundTo(s[ENERGY_WH], 2),
            peakW: roundTo(s[PEAK_W], 1),
            refW: roundTo(this.detector ? this.detector.refW() : s[RESUME_REF_W], 1),
            drew: this.detector ? this.detector.drew() : s[RESUME_DREW] > 0,
            powerCapW: s[POWER_CAP_W],
            topOffMin: s[TOP_OFF_MIN],
            profile: this.profile,
            fullAtS: s[FULL_AT_T] >= 0 ? roundTo((s[FULL_AT_T] - s[START_T]) / 1000, 0) : -1,
        }
    }

    /**
     * A running session's progress is due to be written (checkpoint()); not before its relay first
     * closed. `mainsLost`: the board runs on its hold-up, every running session is due.
     */
    checkpointDue(now: number, mainsLost?: boolean): boolean {
        const s = this.s
        if (!this.isLive() || s[FRESH]) return false
        if (mainsLost) return true
        const d = s[ENERGY_WH] - s[SAVED_WH]
        return now - s[SAVED_T] >= CHECKPOINT_MS || (d > CHECKPOINT_MIN_WH && d > CHECKPOINT_SHARE * s[ENERGY_WH])
    }

    /** The session's progress, small: [elapsed s, Wh, s at full or -1] (resume takes it over the record); marks it written. */
    checkpoint(now: number): number[] {
        const s = this.s
        s[SAVED_T] = now
        s[SAVED_WH] = s[ENERGY_WH]
        return [roundTo((now - s[START_T]) / 1000, 0), roundTo(s[ENERGY_WH], 2), roundTo(this.fullAtS(), 0)]
    }

    /** This socket's lock code: its locked fault's index in LOCKS times 2, plus 1 when suspect (Supervisor.locks). */
    lockCode(): number {
        const f = this.state === "faulted" ? LOCKS.indexOf(this.fault) : 0
        // a fault missing from LOCKS still locks (as a short) rather than be forgotten
        return (f < 0 ? 1 : f) * 2 + (this.s[SUSPECT] ? 1 : 0)
    }

    /** A lock code read back at boot, before any order: the fault stays locked, the suspect mark stays. */
    restoreLock(c: number) {
        const s = this.s
        const f = LOCKS[c >> 1]
        if (f) {
            this.fault = f
            this.setState("faulted")
        }
        if (c & 1) {
            s[SUSPECT] = 1
            s[NO_LOAD_STREAK] = this.cfg.suspectStarts
        }
    }

    energy(): number {
        return this.s[ENERGY_WH]
    }

    levelW(): number {
        return this.detector && this.isLive() ? this.detector.levelW() : 0
    }

    /** The session's own plateau so far (W). */
    plateauW(): number {
        return this.detector ? this.detector.refW() : this.s[RESUME_REF_W]
    }

    durationS(): number {
        const s = this.s
        return (s[LAST_T] - s[START_T]) / 1000
    }

    /** Seconds from start to full, -1 while not full. */
    fullAtS(): number {
        const s = this.s
        return s[FULL_AT_T] >= 0 ? (s[FULL_AT_T] - s[START_T]) / 1000 : -1
    }

    /**
     * One meter reading: power (W), voltage (V) and current (A), NaN when the meter reads none.
     * `relayOn` is the relay's actual state: a reading on a socket whose relay is open is only
     * checked for a welded relay.
     */
    reading(now: number, p: number, v: number, relayOn: boolean, a: number) {
        const s = this.s
        // no socket feeds the mains: a reading under zero is its draw read through a clamp put on
        // backwards (or noise around nothing), and counts at its size, for the bill, the board's
        // cap, the judging and a weld alike (taken as read it came off the bill)
        if (p < 0) p = -p
        s[DRAW_W] = p
        if (p !== p) {
            // NaN: the meter stopped reporting; a live socket nobody measures is cut at once
            if (this.isLive() && relayOn) {
                this.end(now, "fault", "meter silent: the socket could not be supervised", this.levelW(), this.plateauW())
                this.fault = "meter_silent"
                this.setState("faulted")
                this.events.push({ kind: "fault", socket: this.socket, fault: "meter_silent", detail: "no meter reading for over a second with the relay closed" })
            }
            return
        }
        if (!this.isLive()) {
            this.checkWeld(now, p, relayOn)
            return
        }
        if (!relayOn) {
            // waiting for the supervisor (staggered start, paused): time runs, no judging,
            // but current through the open relay is still a weld
            s[LAST_T] = now
            this.checkWeld(now, p, relayOn)
            return
        }
        if (!this.detector) {
            // paid time runs from the moment the socket is live, not from a staggered wait
            if (s[FRESH]) s[START_T] = now
            s[FRESH] = 0
            this.detector = new ChargeDetector(this.cfg, { limitW: s[POWER_CAP_W], profile: PROFILES.indexOf(this.profile) }, now, s[RESUME_REF_W], s[RESUME_DREW] > 0)
            s[LAST_T] = now
        } else if (s[RECLOSE]) this.detector.relayReclosed(now)
        s[RECLOSE] = 0
        const dt = (now - s[LAST_T]) / 1000
        // a reading bills at most what a socket can deliver: over the hard limit is a short (the
        // relay opens on it) or a meter's glitch, never a megawatt's worth (the Socket Meter's
        // register reaches 2 MW)
        const w = p > this.cfg.shortW ? this.cfg.shortW : p
        if (dt > 0) s[ENERGY_WH] += ((s[LAST_P] + w) / 2) * (dt / 3600)
        s[LAST_T] = now
        s[LAST_P] = w
        this.trace.add(now, p)
        const v0 = this.detector.update(now, p, v, a)
        const level = this.detector.levelW()
        if (level > s[PEAK_W]) s[PEAK_W] = level
        if (this.state === "reserved" && this.detector.drew()) this.setState("charging")

        if (this.detector.overloadWarning() && !s[WARNED]) {
            s[WARNED] = 1
            this.events.push({ kind: "warning", socket: this.socket, fault: "overload", detail: "draw " + roundTo(p, 0) + " W over the limit " + s[POWER_CAP_W] + " W" })
        } else if (!this.detector.overloadWarning()) s[WARNED] = 0

        if (v0) {
            // full with a top-off to run: the session goes on, its limits judged below
            const full = v0.reason === "full"
            if (full && s[FULL_AT_T] < 0) s[FULL_AT_T] = now
            if (!full || s[TOP_OFF_MIN] <= 0) {
                this.end(now, v0.reason, v0.detail, v0.levelW, v0.refW)
                if (v0.reason === "short" || v0.reason === "overload") this.trip(now, v0.reason, v0.detail)
                return
            }
        }
        this.checkLimits(now)
    }

    /** Current through an open relay, sustained: the contacts are welded. */
    private checkWeld(now: number, p: number, relayOn: boolean) {
        const s = this.s
        if (relayOn || p <= this.cfg.weldW || this.fault === "welded_relay") {
            s[WELD_SINCE] = -1
            return
        }
        if (s[WELD_SINCE] < 0) s[WELD_SINCE] = now
        if (now - s[WELD_SINCE] >= this.cfg.weldHoldS * 1000) this.trip(now, "welded_relay", "draw " + roundTo(p, 1) + " W with the relay open for " + this.cfg.weldHoldS + " s")
    }

    /** Ends the session when its top-off, its paid time or energy, or the board's maximum duration is done. */
    private checkLimits(now: number) {
        const s = this.s
        const elapsedS = (now - s[START_T]) / 1000
        const k = s[LIMIT_KIND]
        const lv = s[LIMIT_VALUE]
        let reason = ""
        let detail = ""
        if (s[FULL_AT_T] >= 0 && now - s[FULL_AT_T] >= s[TOP_OFF_MIN] * 60000) {
            reason = "full"
            detail = "top-off of " + s[TOP_OFF_MIN] + " min after full done"
        } else if (k === 1 && elapsedS >= lv * 60) {
            reason = "limit_time"
            detail = "paid time of " + lv + " min used"
        } else if (k === 2 && s[ENERGY_WH] >= lv) {
            reason = "limit_energy"
            detail = "paid energy of " + lv + " Wh delivered"
        } else if (elapsedS >= this.cfg.maxDurationMin * 60) {
            reason = "max_duration"
            detail = "session reached the maximum of " + this.cfg.maxDurationMin + " min"
        }
        if (reason) this.end(now, reason, detail, this.levelW(), this.plateauW())
    }

    /** Stop from outside (remote stop, board cap, mains, update...). */
    stop(now: number, reason: string, detail: string): boolean {
        if (!this.isLive()) return false
        this.end(now, reason, detail, this.levelW(), this.plateauW())
        return true
    }

    /** Ends the session for `reason` (a stop reason), its level and plateau (W) as judged. */
    private end(now: number, reason: string, detail: string, levelW: number, refW: number) {
        const s = this.s
        const fullAtS = this.fullAtS()
        const record: SessionRecord = {
            order: this.order,
            socket: this.socket,
            reason: reason,
            detail: detail,
            energyWh: roundTo(s[ENERGY_WH], 2),
            durationS: roundTo((now - s[START_T]) / 1000, 0),
            peakW: roundTo(s[PEAK_W], 1),
            startT: s[START_T],
            endT: now,
            fullAtS: roundTo(fullAtS, 0),
            topOffS: fullAtS >= 0 ? roundTo((now - s[FULL_AT_T]) / 1000, 0) : 0,
            // a silent meter leaves no level: 0, and the detail says why
            levelW: finite(levelW) ? roundTo(levelW, 1) : 0,
            refW: finite(refW) ? roundTo(refW, 0) : 0,
        }
        this.lastReason = reason
        s[PAUSED] = 0
        // the detector's state (~1 KB of the board's heap) has no use once the session ended;
        // the trace leaves with the ended event (the cloud link sends it after the record):
        // ten ended sessions' traces held ~3 KB while their records waited for the broker
        this.detector = null
        this.setState("ended")
        this.events.push({ kind: "ended", socket: this.socket, record: record, trace: this.trace })
        this.trace = null
        this.trackHealth(reason)
    }

    /** A protection fault: relay off, socket locked until cleared. */
    trip(now: number, kind: string, detail: string) {
        if (this.isLive()) this.end(now, kind, detail, this.levelW(), this.plateauW())
        this.fault = kind
        this.setState("faulted")
        this.events.push({ kind: "fault", socket: this.socket, fault: kind, detail: detail })
    }

    /** Starts that all end in no load with next to no draw point at the socket, not the riders. */
    private trackHealth(reason: string) {
        const s = this.s
        if (reason === "no_load" && s[PEAK_W] < this.cfg.suspectW) s[NO_LOAD_STREAK]++
        else if (reason !== "remote_stop") s[NO_LOAD_STREAK] = 0
        if (!s[SUSPECT] && s[NO_LOAD_STREAK] >= this.cfg.suspectStarts) {
            s[SUSPECT] = 1
            this.events.push({ kind: "fault", socket: this.socket, fault: "suspect", detail: "last " + s[NO_LOAD_STREAK] + " starts ended in no load under " + this.cfg.suspectW + " W" })
        }
    }

    /** Clear a fault. Refused while the socket still draws (a welded relay would stay live). */
    clear(drawW: number): StartResult {
        const s = this.s
        if (this.state !== "faulted" && !s[SUSPECT]) return refused("not_faulted", "socket " + this.socket + " has no fault")
        if (this.state !== "faulted") {
            s[SUSPECT] = 0
            s[NO_LOAD_STREAK] = 0
            return { ok: true }
        }
        // a silent meter (NaN) cannot show the socket is dead: refused as well
        if (!(drawW <= this.cfg.weldW)) return refused("socket_drawing", "socket " + this.socket + " still draws " + roundTo(drawW, 1) + " W")
        this.fault = ""
        this.setState("idle")
        return { ok: true }
    }

    private setState(s: SocketState) {
        if (this.state === s) return
        this.state = s
        this.events.push({ kind: "state", socket: this.socket, state: s })
    }

    /** Events since the last call. */
    takeEvents(): SocketEvent[] {
        const e = this.events
        this.events = []
        return e
    }
}
