// The operator's backend, simulated: a rider scans and pays for a socket, the backend creates
// an order, signs and sends `start`; it records what the board reports, bills each session
// once (by its event id), acks billing records and faults, and works out refunds of prepaid
// money that was not used. Every message from the board is verified (its signature under the
// board's key, over the topic and its bytes) before it is recorded, billed, acked or believed;
// the rest is refused with a log line (docs/protocol.md).
import { randomUUID } from "node:crypto"
import mqtt, { MqttClient } from "mqtt"
import { CommandReplies, openMessage, signCommand } from "../../host/board-command"

export interface Tariff {
    /** prepaid deposit for "until full" and energy orders (cents) */
    depositCents: number
    centsPerKWh: number
    centsPerMinute: number
}

export const DEFAULT_TARIFF: Tariff = { depositCents: 300, centsPerKWh: 30, centsPerMinute: 2 }

export type Limit = { kind: "full" } | { kind: "minutes"; value: number } | { kind: "wh"; value: number }

export interface Order {
    order: string
    socket: number
    limit: Limit
    paidCents: number
    /** set once the board's billing record arrived */
    billed?: { eid: string; reason: string; energyWh: number; durationS: number; chargedCents: number; refundCents: number }
    startReply?: { ok: boolean; error?: string; detail?: string }
}

export class Backend {
    readonly orders = new Map<string, Order>()
    readonly replies: any[] = []
    readonly events: any[] = []
    /** eids billed: a resent record is acked again but billed once */
    readonly billedEids = new Set<string>()
    online = false
    private client!: MqttClient
    private commands = new CommandReplies()
    private n = 0
    onEvent: (e: any) => void = () => {}
    /** board messages refused (not signed with the board's key), as logged */
    readonly refused: string[] = []
    log: (line: string) => void = line => console.log(line)

    constructor(
        readonly url: string,
        readonly boardId: string,
        private keyHex: string,
        readonly tariff: Tariff = DEFAULT_TARIFF
    ) {}

    async connect() {
        this.client = await mqtt.connectAsync(this.url, { clientId: "backend-" + randomUUID().slice(0, 8), reconnectPeriod: 500 })
        const base = `shed/${this.boardId}/`
        const log = process.env.SHED_BROKER_LOG
        this.client.on("message", (topic, payload) => {
            if (log) require("node:fs").appendFileSync(log, `${Date.now()} backend<- ${topic} ${payload.toString().slice(0, 60)}\n`)
            this.receive(topic.slice(base.length), payload)
        })
        await this.client.subscribeAsync(base + "#")
    }

    async close() {
        await this.client?.endAsync(true)
    }

    /** A message from the board (`sub` under shed/<board>/), as it came from the broker. */
    receive(sub: string, payload: Buffer) {
        if (sub === "online") {
            // presence text, retained, the last will among it: not signed, decides nothing here
            this.online = payload.toString() === "online"
            return
        }
        if (sub === "cmd") return
        const m = openMessage(`shed/${this.boardId}/${sub}`, this.keyHex, payload)
        if (!m) {
            const line = `backend: refused a message on ${sub} not signed by board ${this.boardId}: ${payload.toString().slice(0, 80)}`
            this.refused.push(line)
            this.log(line)
            return
        }
        if (sub === "reply") {
            this.replies.push(m)
            this.commands.deliver(this.boardId, m)
        } else if (sub === "event" || sub === "telemetry") {
            if (m.t === "boot") this.commands.noteBoot(this.boardId, m.boot)
            this.events.push(m)
            if (m.t === "ended") this.bill(m)
            if ((m.t === "ended" || m.t === "fault") && m.eid) void this.send("ack", { ids: [m.eid] }).catch(() => {})
            this.onEvent(m)
        }
    }

    private bill(rec: any) {
        if (this.billedEids.has(rec.eid)) return
        this.billedEids.add(rec.eid)
        const o = this.orders.get(rec.order)
        if (!o) return
        const t = this.tariff
        const cost = o.limit.kind === "minutes" ? Math.ceil(rec.s / 60) * t.centsPerMinute : Math.round((rec.wh / 1000) * t.centsPerKWh)
        const charged = Math.min(o.paidCents, cost)
        o.billed = { eid: rec.eid, reason: rec.reason, energyWh: rec.wh, durationS: rec.s, chargedCents: charged, refundCents: o.paidCents - charged }
    }

    /** A command signed for the board; it carries the board's boot nonce as last learned unless it names one. */
    sign(cmd: object): string {
        const { id, ts, ...rest } = cmd as any
        return signCommand(this.boardId, this.keyHex, { id, ts, boot: this.commands.boot(this.boardId) ?? "", ...rest })
    }

    /** the board's boot nonce as last learned (its boot event, or any reply) */
    get boot(): string | undefined {
        return this.commands.boot(this.boardId)
    }

    /**
     * Sends a signed command and waits for its reply. The board's link is at most once (QoS 0,
     * and the runtime's client can lose a packet under load), so a command without a reply in
     * 5 s is sent again under a new id until `ms` runs out: a start is idempotent per order
     * (`duplicate_order` then means it runs), a stop per socket (`not_running`).
     */
    async send(cmd: string, args: object, ms = 20000): Promise<any> {
        const t0 = Date.now()
        for (let attempt = 0; ; attempt++) {
            const left = ms - (Date.now() - t0)
            try {
                const r = await this.sendOnce(cmd, args, Math.min(left, 5000))
                if (attempt === 0) return r
                this.retries++
                if (cmd === "start" && r.error === "duplicate_order") return { ...r, ok: true, error: undefined, detail: "started by an earlier attempt" }
                if (cmd === "stop" && r.error === "not_running") return { ...r, ok: true, error: undefined, detail: "stopped by an earlier attempt" }
                return r
            } catch (e) {
                if (ms - (Date.now() - t0) <= 0) throw e
            }
        }
    }

    /** commands that needed more than one attempt */
    retries = 0

    /** ids of the commands this backend sent itself (its acks among them), to tell their replies from others' */
    readonly sentIds = new Set<string>()

    private async sendOnce(cmd: string, args: object, ms: number): Promise<any> {
        const id = `c${++this.n}-${Date.now().toString(36)}`
        this.sentIds.add(id)
        const r = await this.commands.send(this.client, this.boardId, this.keyHex, id, cmd, args, ms)
        if (r === null) throw new Error(`no reply to ${cmd} ${id} within ${ms} ms`)
        return r
    }

    /** Publishes raw bytes on the command topic (tests of bad input). */
    async sendRaw(payload: string | Buffer) {
        await this.client.publishAsync(`shed/${this.boardId}/cmd`, payload)
    }

    /** A rider scans the socket's code and pays: the order is created and started. */
    async pay(socket: number, limit: Limit = { kind: "full" }, extra: object = {}): Promise<Order> {
        const t = this.tariff
        const paid = limit.kind === "minutes" ? limit.value * t.centsPerMinute : t.depositCents
        const o: Order = { order: `o${Date.now().toString(36)}${++this.n}`, socket, limit, paidCents: paid }
        this.orders.set(o.order, o)
        const r = await this.send("start", { order: o.order, socket, limit, ...extra })
        o.startReply = { ok: r.ok, error: r.error, detail: r.detail }
        // a refused start is refunded in full at once
        if (!r.ok) o.billed = { eid: "", reason: "refused:" + r.error, energyWh: 0, durationS: 0, chargedCents: 0, refundCents: paid }
        return o
    }
}
