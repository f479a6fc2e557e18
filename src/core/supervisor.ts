// The shed supervisor: all sockets of one board. It owns the board-level rules the sockets
// cannot see alone: staggered relay closing, the board power cap (no new closing above the
// start threshold, shed the newest session above the cap), and it turns the sockets'
// wishes into the relay states the shell must apply on this tick.

import { ShedConfig } from "./config"
import { roundTo } from "./mathx"
import { boardVoltage, MainsGuard, MainsState } from "./mains"
import { CHECKPOINT_MS, Limit, refused, SocketEvent, SocketSession, StartOptions, StartResult } from "./session"
import { ThermalGuard } from "./thermal"

/** A temperature sensor reading open or shorted (or silent) this long is reported, and again as good this long after: a loose contact does not flood the outbox. */
const SENSOR_HOLD_MS = 10000

/** Sustained board overdraw tolerated before shedding (ms): inrush of a starting charger. */
const CAP_HOLD_MS = 5000

export class Supervisor {
    readonly sockets: SocketSession[] = []
    private lastCloseT = -1e12
    private overCapSince = -1
    private boardW = 0
    private events: SocketEvent[] = []
    /** when a mains-lost warning last had the running sessions written (board ms); -1: not this boot */
    private lostWrittenT = -1
    /** the temperature sensor reads open or shorted, or is silent; since when it reads as it does (ms); what was last reported */
    private sensorBad = false
    private sensorSince = 0
    private sensorReported = false
    readonly mains: MainsGuard
    readonly thermal: ThermalGuard

    constructor(private cfg: ShedConfig) {
        for (let i = 1; i <= cfg.sockets; i++) this.sockets.push(new SocketSession(i, cfg))
        this.mains = new MainsGuard(cfg)
        this.thermal = new ThermalGuard(cfg)
    }

    /**
     * The mains went (a meter's mains_lost): whether every running session's progress is written
     * now, on the supply's hold-up. Not within CHECKPOINT_MS of the last warning that was: a mains
     * that flaps (a failing supply, a meter repeating the event) had every session written twice a
     * second, wearing the flash out in days. A cut then loses what one without warning may.
     */
    mainsLostDue(now: number): boolean {
        if (this.lostWrittenT >= 0 && now - this.lostWrittenT < CHECKPOINT_MS) return false
        this.lostWrittenT = now
        return true
    }

    config(): ShedConfig {
        return this.cfg
    }

    setConfig(cfg: ShedConfig) {
        this.cfg = cfg
        this.sockets.forEach(s => s.setConfig(cfg))
        this.mains.setLimits(cfg)
        this.thermal.setLimits(cfg)
    }

    socket(n: number): SocketSession {
        if (typeof n !== "number" || Math.round(n) !== n || n < 1 || n > this.sockets.length) return null
        return this.sockets[n - 1]
    }

    /** Total draw of the board at the last tick (W). */
    totalW(): number {
        return this.boardW
    }

    /** Sessions holding a socket now (reserved or charging). */
    liveCount(): number {
        let n = 0
        for (let i = 0; i < this.sockets.length; i++) if (this.sockets[i].isLive()) n++
        return n
    }

    /**
     * The board's lockouts as one number, socket 1's lock code (SocketSession.lockCode) in the
     * units digit: the one small setting that keeps them over a restart; 0 when none.
     */
    locks(): number {
        let k = 0
        for (let i = this.sockets.length - 1; i >= 0; i--) k = k * 10 + this.sockets[i].lockCode()
        return k
    }

    /**
     * Lockouts read back at boot (locks()), before any order can be taken; null: none stored.
     * A value that is not a lock number (a corrupt setting) cannot say which socket is safe:
     * every socket is then marked suspect until cleared, and false is returned.
     */
    restoreLocks(k: any): boolean {
        if (k === null || k === undefined) return true
        const ok = typeof k === "number" && k >= 0 && Math.round(k) === k
        for (let i = 0; i < this.sockets.length; i++) {
            // not k % 10: the VM's % is on 32-bit integers, ten digits are not
            const c = ok ? k - Math.floor(k / 10) * 10 : 1
            this.sockets[i].restoreLock(c)
            k = (k - c) / 10
        }
        return ok
    }

    start(n: number, order: string, limit: Limit, opts: StartOptions, now: number): StartResult {
        const s = this.socket(n)
        if (!s) return refused("unknown_socket", "socket " + n + " does not exist on this board (1.." + this.sockets.length + ")")
        // the socket's own reason first: it still holds once the board-wide one has passed
        const own = s.refusal()
        if (own) return own
        if (this.mains.blocked()) return refused("mains_out_of_range", "mains at " + roundTo(this.mains.voltage, 0) + " V, outside " + this.cfg.mainsMinV + ".." + this.cfg.mainsMaxV + " V")
        if (this.thermal.level >= 2) return refused("over_temperature", "board at " + roundTo(this.thermal.tempC, 0) + " C; no new starts above " + this.cfg.tempNoStartC + " C")
        if (this.boardW > this.cfg.boardStartW) return refused("board_busy", "board draws " + roundTo(this.boardW, 0) + " W, over the start threshold " + this.cfg.boardStartW + " W")
        for (let i = 0; i < this.sockets.length; i++) {
            const o = this.sockets[i]
            if (o.isLive() && o.order === order) return refused("duplicate_order", "order " + order + " is already running on socket " + o.socket)
        }
        return s.start(order, limit, now, opts)
    }

    stop(n: number, now: number, reason: string, detail: string): StartResult {
        const s = this.socket(n)
        if (!s) return refused("unknown_socket", "socket " + n + " does not exist on this board")
        if (!s.stop(now, reason, detail)) return refused("not_running", "socket " + n + " has no session")
        return { ok: true }
    }

    /** Stop every live session (update with force, mains out of range, safe mode...). */
    stopAll(now: number, reason: string, detail: string) {
        this.sockets.forEach(s => {
            s.stop(now, reason, detail)
        })
    }

    /**
     * One control tick: every socket's reading, its active power `p` (W) and RMS voltage `v`
     * (V, NaN when unknown), its RMS current `amps` (A; NaN or none when the meters read none),
     * and its relay's actual state in, the relay states to apply out. A
     * socket that is not live is always switched off. Numbers in arrays, not an object a
     * socket: ten objects a tick held ~0.4 KB more of the board's heap.
     */
    tick(now: number, p: number[], v: number[], relays: boolean[], amps?: number[]): boolean[] {
        const n = this.sockets.length
        let total = 0
        // only running sessions count against the cap: a socket that tripped this tick is
        // already being cut, shedding another session for its last reading would be wrong
        let sessionsW = 0
        // one mains feeds the board: every socket's brownout hold is judged on the board's
        // voltage, so one meter whose voltage channel reads garbage (0 V, 150 V) does not hold
        // its socket's end of charge for ever
        const bv = boardVoltage(v)
        for (let i = 0; i < n; i++) {
            const w = p[i]
            this.sockets[i].reading(now, w, bv, relays[i], amps ? amps[i] : NaN)
            if (w > 0) {
                total += w
                if (this.sockets[i].isLive()) sessionsW += w
            }
        }
        this.boardW = total
        this.checkCap(now, sessionsW, relays)
        this.checkMains(now, bv)

        const out: boolean[] = []
        let closedOne = false
        for (let i = 0; i < n; i++) {
            const s = this.sockets[i]
            if (!s.wantsRelay()) {
                out.push(false)
                continue
            }
            if (relays[i]) {
                out.push(true)
                continue
            }
            // a new closing: one at a time, spaced, and only with headroom on the board
            const spaced = now - this.lastCloseT >= this.cfg.staggerS * 1000
            const room = total < this.cfg.boardStartW
            if (!closedOne && spaced && room) {
                closedOne = true
                this.lastCloseT = now
                out.push(true)
            } else out.push(false)
        }
        return out
    }

    private boardEvent(fault: string, detail: string) {
        this.events.push({ kind: "fault", socket: 0, fault: fault, detail: detail })
    }

    private checkMains(now: number, bv: number) {
        const before: MainsState = this.mains.state
        const after = this.mains.update(now, bv)
        if (after === before) return
        const v = roundTo(this.mains.voltage, 0)
        if (after === "out") {
            this.sockets.forEach(s => s.pause())
            this.boardEvent("mains_voltage", "mains at " + v + " V outside " + this.cfg.mainsMinV + ".." + this.cfg.mainsMaxV + " V: sessions paused")
        } else if (after === "expired") {
            this.stopAll(now, "mains_voltage", "mains out of range for " + this.cfg.mainsMaxOutMin + " min (last " + v + " V)")
            this.boardEvent("mains_voltage", "mains out of range for " + this.cfg.mainsMaxOutMin + " min: sessions ended")
        } else {
            this.sockets.forEach(s => s.unpause(now))
            this.boardEvent("mains_ok", "mains back at " + v + " V: sessions resumed")
        }
    }

    /**
     * Board temperature (boards with a sensor); NaN: the sensor reads open or shorted, or is silent. The board
     * then has no thermal guard (its level stays where it was: all off stays off), and says so;
     * the sockets charge on, as on a board without a sensor.
     */
    temperature(now: number, c: number) {
        const bad = c !== c
        if (bad !== this.sensorBad) {
            this.sensorBad = bad
            this.sensorSince = now
        }
        if (bad !== this.sensorReported && now - this.sensorSince >= SENSOR_HOLD_MS) {
            this.sensorReported = bad
            this.boardEvent(
                bad ? "temperature_sensor" : "temperature_ok",
                bad ? "temperature sensor open, shorted or silent: no thermal guard" : "temperature sensor reads again: board at " + roundTo(c, 1) + " C"
            )
        }
        if (bad) return
        const before = this.thermal.level
        const after = this.thermal.update(c)
        if (after === before) return
        const names = ["temperature_ok", "temperature_warning", "temperature_no_start", "over_temperature"]
        this.boardEvent(names[after], "board at " + roundTo(c, 1) + " C")
        if (after >= 3) this.stopAll(now, "over_temperature", "board at " + roundTo(c, 1) + " C, over " + this.cfg.tempCutC + " C")
    }

    /** Over the cap for longer than an inrush: shed the newest session. */
    private checkCap(now: number, total: number, relays: boolean[]) {
        if (total <= this.cfg.boardCapW) {
            this.overCapSince = -1
            return
        }
        if (this.overCapSince < 0) this.overCapSince = now
        if (now - this.overCapSince < CAP_HOLD_MS) return
        let newest: SocketSession = null
        this.sockets.forEach(s => {
            if (s.isLive() && relays[s.socket - 1] && (!newest || s.durationS() < newest.durationS())) newest = s
        })
        if (newest) {
            newest.stop(now, "board_cap", "board drew " + roundTo(total, 0) + " W over the cap " + this.cfg.boardCapW + " W; newest session shed")
            this.overCapSince = now
        }
    }

    /** Events of every socket since the last call, in socket order. */
    takeEvents(): SocketEvent[] {
        const out = this.events
        this.events = []
        this.sockets.forEach(s => {
            const e = s.takeEvents()
            for (let i = 0; i < e.length; i++) out.push(e[i])
        })
        return out
    }
}
