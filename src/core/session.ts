// One socket's session state machine:
//   idle -> reserved (paid, relay on, waiting for the charger to draw) -> charging
//        -> ended (reason) -> idle (on the next order, or when cleared)
//   any -> faulted (short, overload, welded relay: locked until cleared with no draw)
// The socket is live only in reserved/charging. Pure: readings and time in, relay wish
// and events out; the supervisor decides when a wished-for relay may actually close.

import { ShedConfig } from "./config"
import { ChargeDetector } from "./detector"
import { finite, roundTo } from "./mathx"
import { Verdict } from "./reasons"
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
    fault?: string
    detail?: string
}

export interface StartResult {
    ok: boolean
    error?: string
    detail?: string
}

export const PROFILES = ["auto", "lithium", "lead_acid"]

/** Faults that lock a socket until cleared, by their index in a socket's lock code (lockCode). */
export const LOCKS = ["", "short", "overload", "welded_relay", "meter_silent"]

/**
 * Checkpoints of a running session (what a power cut may lose, docs/protocol.md): its progress
 * is written at least every CHECKPOINT_MS of board time, and sooner once the energy not yet
 * written exceeds both CHECKPOINT_SHARE of the session's energy and CHECKPOINT_MIN_WH.
 */
export const CHECKPOINT_MS = 20000
export const CHECKPOINT_SHARE = 0.003
export const CHECKPOINT_MIN_WH = 0.25

export class SocketSession {
    state: SocketState = "idle"
    /** kind of the fault while faulted */
    fault = ""
    order = ""
    /** the running (or last) session's limit; none before the first (ten idle sockets need no object each) */
    limit: Limit = null
    lastRecord: SessionRecord = null
    /** the socket's last reading (W) whatever its state; NaN while its meter is silent */
    drawW = 0
    /** the running (or last ended) session's per-minute power trace */
    trace: PowerTrace = null

    private detector: ChargeDetector = null
    private startT = 0
    private lastT = 0
    private lastP = 0
    private energyWh = 0
    private peakW = 0
    private powerCapW = 0
    private topOffMin = 0
    /** the order's charger profile hint: "auto", "lithium" or "lead_acid" */
    profile = "auto"
    private fullAtT = -1
    private warned = false
    private weldSince = -1
    private resumeRefW = 0
    private resumeDrew = false
    private fresh = false
    /** board ms and Wh of the last checkpoint written */
    private savedT = 0
    private savedWh = 0
    private reclose = false
    private events: SocketEvent[] = []

    constructor(
        readonly socket: number,
        private cfg: ShedConfig
    ) {}

    /** paused by a board-level condition (mains out of range): live, relay off */
    paused = false
    /** the last starts all ended in no load with almost no draw: blown fuse or broken outlet */
    suspect = false
    private noLoadStreak = 0

    /** The relay should be closed. */
    wantsRelay(): boolean {
        return this.isLive() && !this.paused
    }

    isLive(): boolean {
        return this.state === "reserved" || this.state === "charging"
    }

    pause() {
        this.paused = this.isLive()
    }

    unpause(now: number) {
        if (!this.paused) return
        this.paused = false
        this.reclose = true
    }

    setConfig(cfg: ShedConfig) {
        this.cfg = cfg
    }

    /** Validate per-order options against the board's bounds. Returns an error name or null. */
    checkOptions(limit: Limit, opts: StartOptions): StartResult {
        if (!limit) return { ok: false, error: "bad_limit", detail: "limit missing" }
        if (limit.kind === "minutes") {
            if (!(limit.value >= 1 && limit.value <= this.cfg.maxDurationMin))
                return { ok: false, error: "bad_limit", detail: "minutes must be 1.." + this.cfg.maxDurationMin }
        } else if (limit.kind === "wh") {
            if (!(limit.value >= 1 && limit.value <= 100000)) return { ok: false, error: "bad_limit", detail: "wh must be 1..100000" }
        } else if (limit.kind !== "full") return { ok: false, error: "bad_limit", detail: "limit kind must be full, minutes or wh" }
        if (opts) {
            if (opts.powerCapW !== undefined && !(opts.powerCapW >= 50 && opts.powerCapW <= this.cfg.socketLimitW))
                return { ok: false, error: "bad_power_cap", detail: "powerCapW must be 50.." + this.cfg.socketLimitW }
            if (opts.topOffMin !== undefined && !(opts.topOffMin >= 0 && opts.topOffMin <= 240))
                return { ok: false, error: "bad_top_off", detail: "topOffMin must be 0..240" }
            if (opts.profile !== undefined && PROFILES.indexOf(opts.profile) < 0)
                return { ok: false, error: "bad_profile", detail: "profile must be auto, lithium or lead_acid" }
        }
        return { ok: true }
    }

    /** A paid order for this socket. Refused (and nothing changes) unless the socket is free. */
    /** Why this socket cannot take an order, whatever the board's state; null when it can. */
    refusal(): StartResult {
        if (this.state === "faulted") return { ok: false, error: "socket_faulted", detail: "socket " + this.socket + " is faulted: " + this.fault }
        if (this.suspect)
            return { ok: false, error: "socket_suspect", detail: "socket " + this.socket + ": its last " + this.noLoadStreak + " starts drew nothing (blown fuse or broken outlet?); clear it after a check" }
        if (this.isLive()) return { ok: false, error: "socket_busy", detail: "socket " + this.socket + " has order " + this.order }
        return null
    }

    start(order: string, limit: Limit, now: number, opts: StartOptions): StartResult {
        const own = this.refusal()
        if (own) return own
        const check = this.checkOptions(limit, opts)
        if (!check.ok) return check
        this.order = order
        this.limit = limit
        this.powerCapW = opts && opts.powerCapW !== undefined ? opts.powerCapW : this.cfg.socketLimitW
        this.topOffMin = opts && opts.topOffMin !== undefined ? opts.topOffMin : this.cfg.topOffMin
        this.profile = opts && opts.profile !== undefined ? opts.profile : "auto"
        this.begin(now, 0, 0, 0, -1)
        this.fresh = true
        this.setState("reserved")
        this.events.push({ kind: "started", socket: this.socket })
        return { ok: true }
    }

    private begin(now: number, elapsedS: number, energyWh: number, peakW: number, fullAtS: number) {
        this.startT = now - elapsedS * 1000
        this.lastT = now
        this.lastP = 0
        this.energyWh = energyWh
        this.peakW = peakW
        this.fullAtT = fullAtS >= 0 ? this.startT + fullAtS * 1000 : -1
        this.warned = false
        this.trace = new PowerTrace()
        // the previous session's record went out with its "ended" event; holding it through
        // this one would cost ~370 B a socket of the heap while every socket charges
        this.lastRecord = null
        // the detector starts when the relay actually closes: inrush blanking and the
        // no-load timer count from then, not from a staggered wait
        this.detector = null
        this.resumeRefW = 0
        this.resumeDrew = false
        this.savedT = now
        this.savedWh = energyWh
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
        // a literal: the parsed object's keys would be strings kept in the heap
        const l = p.limit
        this.limit = l ? { kind: l.kind, value: l.value } : l
        this.powerCapW = p.powerCapW
        this.topOffMin = p.topOffMin
        this.profile = p.profile ? p.profile : "auto"
        this.begin(now, p.elapsedS, p.energyWh, p.peakW, p.fullAtS)
        this.fresh = false
        this.resumeRefW = p.refW
        this.resumeDrew = p.drew
        this.setState(p.drew ? "charging" : "reserved")
        if (err) this.stop(now, "fault", "persisted record refused: " + err)
        else if (lock) this.trip(now, lock, "socket locked before the restart")
    }

    /** The whole record to write (a checkpoint too); null when no session runs. */
    persisted(now: number): PersistedSession {
        if (!this.isLive()) return null
        this.savedT = now
        this.savedWh = this.energyWh
        return {
            order: this.order,
            limit: this.limit,
            elapsedS: roundTo((now - this.startT) / 1000, 0),
            energyWh: roundTo(this.energyWh, 2),
            peakW: roundTo(this.peakW, 1),
            refW: roundTo(this.detector ? this.detector.refW : this.resumeRefW, 1),
            drew: this.detector ? this.detector.drew : this.resumeDrew,
            powerCapW: this.powerCapW,
            topOffMin: this.topOffMin,
            profile: this.profile,
            fullAtS: this.fullAtT >= 0 ? roundTo((this.fullAtT - this.startT) / 1000, 0) : -1,
        }
    }

    /** A running session's progress is due to be written (checkpoint()); not before its relay first closed. */
    checkpointDue(now: number): boolean {
        if (!this.isLive() || this.fresh) return false
        const d = this.energyWh - this.savedWh
        return now - this.savedT >= CHECKPOINT_MS || (d > CHECKPOINT_MIN_WH && d > CHECKPOINT_SHARE * this.energyWh)
    }

    /** The session's progress, small: [elapsed s, Wh, s at full or -1] (resume takes it over the record); marks it written. */
    checkpoint(now: number): number[] {
        this.savedT = now
        this.savedWh = this.energyWh
        return [roundTo((now - this.startT) / 1000, 0), roundTo(this.energyWh, 2), roundTo(this.fullAtS(), 0)]
    }

    /** This socket's lock code: its locked fault's index in LOCKS times 2, plus 1 when suspect (Supervisor.locks). */
    lockCode(): number {
        const f = this.state === "faulted" ? LOCKS.indexOf(this.fault) : 0
        // a fault missing from LOCKS still locks (as a short) rather than be forgotten
        return (f < 0 ? 1 : f) * 2 + (this.suspect ? 1 : 0)
    }

    /** A lock code read back at boot, before any order: the fault stays locked, the suspect mark stays. */
    restoreLock(c: number) {
        const f = LOCKS[c >> 1]
        if (f) {
            this.fault = f
            this.setState("faulted")
        }
        if (c & 1) {
            this.suspect = true
            this.noLoadStreak = this.cfg.suspectStarts
        }
    }

    energy(): number {
        return this.energyWh
    }

    levelW(): number {
        return this.detector && this.isLive() ? this.detector.levelW() : 0
    }

    /** The session's own plateau so far (W). */
    plateauW(): number {
        return this.detector ? this.detector.refW : this.resumeRefW
    }

    durationS(): number {
        return (this.lastT - this.startT) / 1000
    }

    /** Seconds from start to full, -1 while not full. */
    fullAtS(): number {
        return this.fullAtT >= 0 ? (this.fullAtT - this.startT) / 1000 : -1
    }

    /**
     * One meter reading. `relayOn` is the relay's actual state: a reading on a socket whose
     * relay is open is only checked for a welded relay.
     */
    reading(now: number, p: number, v: number, relayOn: boolean) {
        this.drawW = p
        if (p !== p) {
            // NaN: the meter stopped reporting; a live socket nobody measures is cut at once
            if (this.isLive() && relayOn) {
                this.end(now, { reason: "fault", detail: "meter silent: the socket could not be supervised", levelW: this.levelW(), refW: this.plateauW(), heldS: 0 })
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
            this.lastT = now
            this.checkWeld(now, p, relayOn)
            return
        }
        if (!this.detector) {
            // paid time runs from the moment the socket is live, not from a staggered wait
            if (this.fresh) this.startT = now
            this.fresh = false
            this.detector = new ChargeDetector(this.cfg, { limitW: this.powerCapW, allowFlatten: this.profile !== "lithium" }, now)
            this.detector.refW = this.resumeRefW
            this.detector.drew = this.resumeDrew
            this.lastT = now
        } else if (this.reclose) this.detector.relayReclosed(now)
        this.reclose = false
        const dt = (now - this.lastT) / 1000
        if (dt > 0) this.energyWh += ((this.lastP + p) / 2) * (dt / 3600)
        this.lastT = now
        this.lastP = p
        this.trace.add(now, p)
        const v0 = this.detector.update(now, p, v)
        const level = this.detector.levelW()
        if (level > this.peakW) this.peakW = level
        if (this.state === "reserved" && this.detector.drew) this.setState("charging")

        if (this.detector.overloadWarning && !this.warned) {
            this.warned = true
            this.events.push({ kind: "warning", socket: this.socket, fault: "overload", detail: "draw " + roundTo(p, 0) + " W over the limit " + this.powerCapW + " W" })
        } else if (!this.detector.overloadWarning) this.warned = false

        if (v0) {
            if (v0.reason === "short" || v0.reason === "overload") {
                this.end(now, v0)
                this.trip(now, v0.reason, v0.detail)
                return
            }
            if (v0.reason === "full") {
                if (this.fullAtT < 0) this.fullAtT = now
                if (this.topOffMin <= 0) return this.end(now, v0)
            } else return this.end(now, v0)
        }
        const limitVerdict = this.checkLimits(now)
        if (limitVerdict) this.end(now, limitVerdict)
    }

    /** Current through an open relay, sustained: the contacts are welded. */
    private checkWeld(now: number, p: number, relayOn: boolean) {
        if (relayOn || p <= this.cfg.weldW || this.fault === "welded_relay") {
            this.weldSince = -1
            return
        }
        if (this.weldSince < 0) this.weldSince = now
        if (now - this.weldSince >= this.cfg.weldHoldS * 1000)
            this.trip(now, "welded_relay", "draw " + roundTo(p, 1) + " W with the relay open for " + this.cfg.weldHoldS + " s")
    }

    private checkLimits(now: number): Verdict {
        const elapsedS = (now - this.startT) / 1000
        const level = this.levelW()
        const ref = this.plateauW()
        if (this.fullAtT >= 0 && now - this.fullAtT >= this.topOffMin * 60000)
            return { reason: "full", detail: "top-off of " + this.topOffMin + " min after full done", levelW: level, refW: ref, heldS: (now - this.fullAtT) / 1000 }
        if (this.limit.kind === "minutes" && elapsedS >= this.limit.value * 60)
            return { reason: "limit_time", detail: "paid time of " + this.limit.value + " min used", levelW: level, refW: ref, heldS: elapsedS }
        if (this.limit.kind === "wh" && this.energyWh >= this.limit.value)
            return { reason: "limit_energy", detail: "paid energy of " + this.limit.value + " Wh delivered", levelW: level, refW: ref, heldS: elapsedS }
        if (elapsedS >= this.cfg.maxDurationMin * 60)
            return { reason: "max_duration", detail: "session reached the maximum of " + this.cfg.maxDurationMin + " min", levelW: level, refW: ref, heldS: elapsedS }
        return null
    }

    /** Stop from outside (remote stop, board cap, mains, update...). */
    stop(now: number, reason: string, detail: string): boolean {
        if (!this.isLive()) return false
        this.end(now, { reason: reason, detail: detail, levelW: this.levelW(), refW: this.plateauW(), heldS: 0 })
        return true
    }

    private end(now: number, v: Verdict) {
        const fullAtS = this.fullAtS()
        this.lastRecord = {
            order: this.order,
            socket: this.socket,
            reason: v.reason,
            detail: v.detail,
            energyWh: roundTo(this.energyWh, 2),
            durationS: roundTo((now - this.startT) / 1000, 0),
            peakW: roundTo(this.peakW, 1),
            startT: this.startT,
            endT: now,
            fullAtS: roundTo(fullAtS, 0),
            topOffS: fullAtS >= 0 ? roundTo((now - this.fullAtT) / 1000, 0) : 0,
            // a silent meter leaves no level: 0, and the detail says why
            levelW: finite(v.levelW) ? roundTo(v.levelW, 1) : 0,
            refW: finite(v.refW) ? roundTo(v.refW, 0) : 0,
        }
        this.paused = false
        // the detector's state (~1 KB of the board's heap) has no use once the session ended;
        // the trace stays until the next session (the cloud link sends it after the record)
        this.detector = null
        this.setState("ended")
        this.events.push({ kind: "ended", socket: this.socket, record: this.lastRecord })
        this.trackHealth(v.reason)
    }

    /** A protection fault: relay off, socket locked until cleared. */
    trip(now: number, kind: string, detail: string) {
        if (this.isLive()) this.end(now, { reason: kind, detail: detail, levelW: this.levelW(), refW: this.plateauW(), heldS: 0 })
        this.fault = kind
        this.setState("faulted")
        this.events.push({ kind: "fault", socket: this.socket, fault: kind, detail: detail })
    }

    /** Starts that all end in no load with next to no draw point at the socket, not the riders. */
    private trackHealth(reason: string) {
        if (reason === "no_load" && this.peakW < this.cfg.suspectW) this.noLoadStreak++
        else if (reason !== "remote_stop") this.noLoadStreak = 0
        if (!this.suspect && this.noLoadStreak >= this.cfg.suspectStarts) {
            this.suspect = true
            this.events.push({ kind: "fault", socket: this.socket, fault: "suspect", detail: "last " + this.noLoadStreak + " starts ended in no load under " + this.cfg.suspectW + " W" })
        }
    }

    /** Clear a fault. Refused while the socket still draws (a welded relay would stay live). */
    clear(drawW: number): StartResult {
        if (this.state !== "faulted" && !this.suspect) return { ok: false, error: "not_faulted", detail: "socket " + this.socket + " has no fault" }
        if (this.state !== "faulted") {
            this.suspect = false
            this.noLoadStreak = 0
            return { ok: true }
        }
        // a silent meter (NaN) cannot show the socket is dead: refused as well
        if (!(drawW <= this.cfg.weldW)) return { ok: false, error: "socket_drawing", detail: "socket " + this.socket + " still draws " + roundTo(drawW, 1) + " W" }
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
