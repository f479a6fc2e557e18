// The cloud link: MQTT to the operator's broker. Commands are verified by the protocol core
// and applied to the supervisor; every command gets a reply; session records and faults go
// through the persisted outbox and are resent until acked. Every message but `online` is signed
// with the board's key (docs/protocol.md). QoS 0 only (the runtime's client): reliability is the
// outbox's.
import * as ds from "@devicescript/core"
import { randomBuffer } from "@devicescript/crypto"
import { MqttLink } from "./mqtt-link"
import { applyConfigPatch, configDiff, configHash } from "../core/config"
import { Command, parseCommand, ParseContext, replyJson } from "../core/protocol/command"
import { ServerClock } from "../core/protocol/server-clock"
import { statusResult } from "../core/protocol/status"
import { bootEvent, endedEvent, explainEvent, faultEvent, lostEvent, quietEvent, startedEvent, warningEvent, stateEvent, telemetryEvent, traceEvent } from "../core/protocol/events"
import { firmwareVersion } from "../version"
import { EnqueueResult, FlashOp, Outbox, OUTBOX_SLOTS, slotKey } from "../core/protocol/outbox"
import { ReplayGuard } from "../core/protocol/replay-guard"
import { payCodeKey } from "../core/paycode"
import { refused, SocketEvent } from "../core/session"
import { ChannelCal } from "../core/metering"
import { Supervisor } from "../core/supervisor"
import { macHex, signed } from "./hmac"
import { loadJson, remove, saveBytes, saveJson, savePayCode } from "./persist"
import { coreNow, timeScale } from "./time-scale"
import { scheduledWindowDue } from "../core/update-schedule"

/** commands received and not yet worked off; more are dropped (the backend retries) */
const INBOX_MAX = 16
/** best-effort events (state, started, explanations, trace chunks) waiting to be published,
 * by count and by bytes: ten sessions ending at once queue ~6 KB of explanations and traces,
 * and while the broker is away 2 KB (three sessions' worth) is what the heap has room for */
const EVENTS_MAX = 24
const EVENTS_BYTES = 2 * 1024
/** a command larger than this is refused as too_large; the link skips it without reading it
 * into memory */
const MAX_COMMAND_BYTES = 1024
/** bytes of commands waiting at most: a flood cannot take the heap (ten sessions leave ~10 KB) */
const INBOX_BYTES = 3 * 1024
/** an update window without windowS (s) */
const DEFAULT_WINDOW_S = 300

export interface CloudOptions {
    host: string
    port: number
    proto: "tcp" | "tls"
    username?: string
    password?: string
    boardId: string
    keyHex: string
}

export class CloudLink {
    private mqtt: MqttLink = null
    private outbox = new Outbox()
    private clock: ServerClock
    private replay = new ReplayGuard(64)
    /** this boot's nonce: commands must carry it (replays from before a reboot are refused) */
    private boot = randomBuffer(8).toString("hex")
    private base: string
    /** server time high-water mark as last written to flash */
    private savedHw = 0
    private lastTelemetry = 0
    /** the socket (index) whose telemetry goes next in the round under way; past the last: none */
    private telemetryNext = 1e9
    /** the control loop's per-channel calibration (src/shell/shed.ts), edited by calibrate */
    cals: ChannelCal[] = null
    /** the control loop's tick, run at once on an accepted start (runShed) */
    tickNow: () => void = null
    /** sessions resumed at boot, for the boot event */
    resumed = 0
    boardName = ""
    private inbox: Buffer[] = []
    private inboxBytes = 0
    /** sizes of commands skipped as too large, each owed a too_large reply */
    private oversized: number[] = []
    private working = false
    private sending = false
    private pending: string[] = []
    private pendingBytes = 0
    private pumping = false
    private urgent = 0
    /** the broker is reachable (shown on the display); follows the link every pump */
    connected = false
    private bootSent = false
    /** an accepted update command's window (s), begun once its reply is out */
    private quietFor = 0
    /** in an update window now */
    private quiet = false
    /** core ms of the last update window (or of boot): the schedule counts from it */
    private lastWindow = 0

    constructor(
        private sup: Supervisor,
        private opts: CloudOptions
    ) {
        this.base = "shed/" + opts.boardId + "/"
        this.clock = new ServerClock(0)
    }

    /** Applies the outbox's flash operations; false when a write was refused. */
    private async flash(ops: FlashOp[]): Promise<boolean> {
        let ok = true
        for (let i = 0; i < ops.length; i++) {
            if (ops[i].value === null) await remove(ops[i].key)
            else if (await saveBytes(ops[i].key, Buffer.from(ops[i].value))) ok = false
        }
        return ok
    }

    /** Writes a new outbox record to flash; once it is there, its text leaves RAM. */
    private async keep(eid: string, r: EnqueueResult) {
        if ((await this.flash(r.ops)) && r.ok) this.outbox.inFlash(eid)
    }

    async start() {
        // commands at or before the last server time seen are replays, even across a reboot
        const hw = await loadJson("srvHw")
        this.savedHw = typeof hw === "number" && hw > 0 ? hw : 0
        this.clock = new ServerClock(this.savedHw)
        this.replay.floorTs = this.savedHw
        // settings reads are async, the outbox's restore is not: read every slot first
        const stored: any = {}
        for (let i = 0; i < OUTBOX_SLOTS; i++) {
            const v = await loadJson(slotKey(i))
            if (v) stored[slotKey(i)] = JSON.stringify(v)
        }
        const restored = this.outbox.restore(k => (stored[k] ? stored[k] : null), ds.millis())
        if (restored.corrupt.length > 0) console.log("outbox: dropped corrupt records " + restored.corrupt.join(","))
        await this.flash(restored.ops)
        const mqtt = new MqttLink({
            host: this.opts.host,
            port: this.opts.port,
            proto: this.opts.proto,
            username: this.opts.username,
            password: this.opts.password,
            clientId: "shed-" + this.opts.boardId,
            will: { topic: this.base + "online", message: "offline", retain: true },
            // a PUBLISH body is the topic (with its 2-byte length) and the payload
            maxPacket: MAX_COMMAND_BYTES + 5 + this.base.length,
        })
        this.mqtt = mqtt
        // arrow functions cannot use `this` in DeviceScript
        const self = this
        mqtt.subscribe(this.base + "cmd")
        // the link's reader must never wait: queue the command, work it off elsewhere
        // (a payload over MAX_COMMAND_BYTES is over the link's maxPacket: onOversized, never here;
        // one that does not fit INBOX_BYTES is never read: see room)
        mqtt.onMessage = payload => {
            if (self.inbox.length < INBOX_MAX) {
                self.inbox.push(payload)
                self.inboxBytes += payload.length
            }
        }
        // a full inbox: the link skips what comes without storing it (and counts it)
        mqtt.room = () => INBOX_BYTES - self.inboxBytes
        mqtt.onOversized = size => {
            if (self.oversized.length < INBOX_MAX) self.oversized.push(size)
        }
        mqtt.onConnect = async () => {
            await self.send("online", "online", true)
            if (!self.bootSent) {
                const cfg = self.sup.config()
                self.bootSent = await self.send("event", bootEvent(firmwareVersion(), self.boardName, self.sup.sockets.length, configHash(cfg), self.resumed, self.boot))
            }
            self.outbox.retryAll(ds.millis())
        }
        setInterval(async () => {
            if (self.working) return
            self.working = true
            // one command a tick (50 a second): a flood keeps the inbox full, and the link then
            // skips the rest unread instead of the board parsing and answering all of it
            try {
                if (self.oversized.length > 0) {
                    const size = self.oversized.shift()
                    await self.reply(null, false, "too_large", "packet of " + size + " bytes (payload and topic)", null)
                } else if (self.inbox.length > 0) {
                    const raw = self.inbox.shift()
                    self.inboxBytes -= raw.length
                    await self.onCommand(raw)
                }
            } catch (e) {
                console.log("command handler error: " + e)
            }
            self.working = false
        }, 20)
        mqtt.start()
        this.lastWindow = coreNow()
        setInterval(async () => {
            self.connected = mqtt.connected
            const cfg = self.sup.config()
            if (!self.quiet && self.quietFor === 0 && scheduledWindowDue(coreNow(), self.lastWindow, cfg.updateEveryH, self.sup.liveCount())) {
                console.log("scheduled update window")
                await self.goQuiet(cfg.updateWindowS)
            }
            try {
                await self.pump()
            } catch (e) {
                console.log("outbox error: " + e)
            }
        }, 200)
    }

    private ctx(): ParseContext {
        return {
            topic: this.base + "cmd",
            keyHex: this.opts.keyHex,
            boot: this.boot,
            nowMs: ds.millis(),
            sockets: this.sup.sockets.length,
            maxBytes: MAX_COMMAND_BYTES,
            staleMs: 300000,
            mac: macHex,
            clock: this.clock,
            replay: this.replay,
        }
    }

    /**
     * Every publish goes through here, one at a time: the runtime's client drops a publish that
     * waits over two seconds for another to finish.
     */
    private async send(sub: string, body: string, retain = false): Promise<boolean> {
        if (!this.mqtt) return false
        // replies go before queued events: the backend is waiting on them
        const urgent = sub === "reply"
        if (urgent) this.urgent++
        while (this.sending || (!urgent && this.urgent > 0)) await ds.sleep(5)
        if (urgent) this.urgent--
        this.sending = true
        let ok = false
        try {
            const topic = this.base + sub
            ok = await this.mqtt.publish(topic, retain ? body : signed(this.opts.keyHex, topic, body), retain)
        } catch (e) {
            console.log("publish failed: " + e)
        }
        this.sending = false
        return ok
    }

    private async reply(id: string, ok: boolean, error: string, detail: string, result: any): Promise<boolean> {
        return await this.send("reply", replyJson(id, ok, error, detail, result, this.boot))
    }

    private async onCommand(raw: Buffer) {
        const r = parseCommand(raw, this.ctx())
        await this.saveHighWater()
        if (!r.ok) {
            await this.reply(r.id, false, r.error, r.detail, null)
            return
        }
        const res = await this.apply(r.command)
        const told = await this.reply(r.id, res.ok, res.error, res.detail, res.result)
        if (this.quietFor > 0) {
            const w = this.quietFor
            this.quietFor = 0
            // a window the server never hears of is one nobody deploys in, with the board away from
            // MQTT for all of it: go quiet only once the broker's answer to a ping says it has the
            // reply (what the board writes can be lost while commands still arrive); unconfirmed,
            // the link reconnects and the server asks again
            if (told && (await this.mqtt.confirm(3000))) await this.goQuiet(w)
            else console.log("update window not taken: the broker did not confirm the reply")
        }
    }

    private async apply(c: Command): Promise<{ ok: boolean; error?: string; detail?: string; result?: any }> {
        const a = c.args
        const cmd = c.cmd
        const socket = a.socket
        const sup = this.sup
        const now = coreNow()
        if (cmd === "start") {
            if (!this.outbox.canAcceptBilling(sup.liveCount())) return refused("outbox_full", "too many session records wait for their ack")
            // an option left out is undefined here, as the core takes it
            const opts = { powerCapW: a.powerCapW, topOffMin: a.topOffMin, profile: a.profile }
            const lim = { kind: a.limit.kind, value: a.limit.value === undefined ? 0 : a.limit.value }
            const r = sup.start(socket, a.order, lim, opts, now)
            if (r.ok && this.tickNow) this.tickNow()
            return { ok: r.ok, error: r.error, detail: r.detail, result: r.ok ? { socket, state: sup.socket(socket).state } : null }
        }
        if (cmd === "stop") {
            const s = sup.socket(socket)
            if (a.order !== undefined && s.order !== a.order) return refused("not_running", "order " + a.order + " is not on socket " + socket)
            return sup.stop(socket, now, "remote_stop", "stopped by the backend")
        }
        if (cmd === "clear") {
            const s = sup.socket(socket)
            // what the meter reads now, not the session's level (0 once a session has ended)
            return s.clear(s.drawW())
        }
        if (cmd === "status") {
            return { ok: true, result: statusResult(sup, this.outbox.pending().length) }
        }
        if (cmd === "config") {
            const r = applyConfigPatch(sup.config(), a.patch)
            if (!r.ok) return refused("bad_config", r.error)
            // flash keeps every key that differs from the defaults; only once it is stored does
            // the running board take the new configuration
            const err = await saveJson("config", configDiff(r.config))
            if (err) return refused("bad_config", "not stored: " + err)
            sup.setConfig(r.config)
            return { ok: true, result: { cfg: configHash(r.config) } }
        }
        if (cmd === "calibrate") {
            // stored first: only a constant that survives a reboot is applied
            const cal = { gain: a.gain, offsetW: a.offsetW }
            const err = await saveJson("cal" + socket, cal)
            if (err) return refused("bad_calibration", "not stored: " + err)
            if (this.cals) this.cals[socket - 1] = cal
            return { ok: true, result: { socket, gain: a.gain, offsetW: a.offsetW } }
        }
        if (cmd === "paycode") {
            // checked whole by the command's validation; the display reads it when it shows the socket
            const err = await savePayCode(payCodeKey(socket), a.code)
            if (err) return refused("bad_args", "not stored: " + err)
            return { ok: true }
        }
        if (cmd === "ack") {
            await this.flash(this.outbox.ack(a.ids))
            return { ok: true }
        }
        // update: a window with the socket free for the runtime's update channel
        const live = sup.liveCount()
        if (live > 0 && a.force !== true) return refused("busy", live + " sessions running; force: true keeps them running (persisted) and goes quiet anyway")
        const windowS = a.windowS !== undefined ? a.windowS : DEFAULT_WINDOW_S
        this.quietFor = windowS
        return { ok: true, result: { windowS: windowS, live: live } }
    }

    /**
     * The update window: say so, close MQTT (the runtime has one socket, and its update channel
     * needs it), come back when the window ends. A deploy meanwhile restarts the board into the
     * new program, which resumes the persisted sessions; the sessions run on meanwhile.
     */
    private async goQuiet(windowS: number) {
        this.quiet = true
        this.lastWindow = coreNow()
        await this.send("event", quietEvent(windowS, this.toServer(coreNow())))
        await this.send("online", "updating", true)
        // the reply, the quiet event and the presence reach the broker before the socket closes
        // (its answer to a ping comes after them; at most 3 s): a window the server never hears
        // of is a window nobody deploys in
        await this.mqtt.confirm(3000)
        await this.mqtt.pause()
        this.connected = false
        console.log("update window: " + windowS + " s with the network socket free")
        const self = this
        setTimeout(() => {
            console.log("update window over; reconnecting")
            self.quiet = false
            self.mqtt.resume()
        }, windowS * 1000)
    }

    /** core time (ms) to server time (ms), -1 before the first signed command */
    private toServer(ms: number): number {
        const t = this.clock.now(ms / timeScale())
        return t >= 0 ? t : -1
    }

    /** Supervisor events: billing records and faults into the outbox, the rest best effort. */
    async onEvent(e: SocketEvent, now: number) {
        const ts = this.toServer(now)
        // the outbox's resend timers run on the board's own clock
        const real = ds.millis()
        if (e.kind === "ended") {
            const eid = "b" + randomBuffer(6).toString("hex")
            const self = this
            const body = endedEvent(eid, e.record, ms => self.toServer(ms))
            const r = this.outbox.enqueue(eid, "billing", body, real)
            if (!r.ok) console.log("billing record not persisted: " + r.error)
            await this.keep(eid, r)
            if (r.displaced) this.later(lostEvent(r.displaced, ts))
            // the explanation and the power trace follow the record, best effort
            this.later(explainEvent(eid, e.record.detail))
            const tr = e.trace
            const chunks = tr ? tr.chunks() : []
            for (let k = 0; k < chunks.length; k++) this.later(traceEvent(eid, k, chunks.length, tr.minutesPerRow(), chunks[k]))
        } else if (e.kind === "fault") {
            const eid = "f" + randomBuffer(6).toString("hex")
            await this.keep(eid, this.outbox.enqueue(eid, "fault", faultEvent(eid, e.socket, e.fault, e.detail, ts), real))
        } else if (e.kind === "warning") {
            this.later(warningEvent(e.socket, e.fault, e.detail, ts))
        } else if (e.kind === "started") {
            this.later(startedEvent(this.sup.socket(e.socket).order, e.socket, ts))
        } else if (e.kind === "state") {
            this.later(stateEvent(e.socket, e.state, ts))
        }
    }

    private async saveHighWater() {
        const hw = this.clock.highWater
        if (hw > this.savedHw) {
            const err = await saveJson("srvHw", hw)
            if (!err) this.savedHw = hw
        }
    }

    /**
     * One telemetry message per charging socket every telemetryS seconds, each built when it
     * goes out (live state, never queued: the next socket's only once the last one is sent).
     */
    private nextTelemetry(now: number): string {
        if (now - this.lastTelemetry >= this.sup.config().telemetryS * 1000) {
            this.lastTelemetry = now
            this.telemetryNext = 0
        }
        const socks = this.sup.sockets
        while (this.telemetryNext < socks.length) {
            const i = this.telemetryNext++
            const s = socks[i]
            if (s.state === "charging") return telemetryEvent(i + 1, s.levelW(), s.energy(), this.sup.mains.voltage, this.toServer(coreNow()))
        }
        return null
    }

    /**
     * Best-effort events wait here for the pump: the control loop hands events over and goes
     * on, it never waits on the network. Bounded; the oldest go first when it is full.
     */
    private later(body: string) {
        this.pending.push(body)
        this.pendingBytes += body.length
        while (this.pending.length > EVENTS_MAX || (this.pendingBytes > EVENTS_BYTES && this.pending.length > 1)) this.pendingBytes -= this.pending.shift().length
    }

    private async pump() {
        if (!this.mqtt || this.pumping) return
        this.pumping = true
        try {
            while (this.pending.length > 0 && this.connected) {
                const body = this.pending.shift()
                this.pendingBytes -= body.length
                await this.send("event", body)
            }
            await this.pumpOutbox()
        } finally {
            this.pumping = false
        }
    }

    private async pumpOutbox() {
        // telemetry only while the broker is there (the billing record carries the energy):
        // records due go first
        if (!this.connected) return
        for (let k = 0; k < 4; k++) {
            const it = this.outbox.nextToSend(ds.millis())
            if (!it) {
                const tm = this.nextTelemetry(ds.millis())
                if (!tm) return
                await this.send("telemetry", tm)
                continue
            }
            let body = it.body
            if (body === null) {
                const rec = await loadJson(slotKey(it.slot))
                if (!rec) {
                    // unreadable now: it stays in the outbox and is tried again on its back-off
                    // (a billing record is never dropped on a failed read)
                    console.log("outbox: record " + it.eid + " could not be read from " + slotKey(it.slot))
                    continue
                }
                body = JSON.stringify(rec)
            }
            await this.send("event", body)
        }
    }
}
