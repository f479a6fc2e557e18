// The fleet update server: a registry of boards and releases, staged rollouts, and the
// runtime's update channel (WSSK) to deploy them.
//
// A board holds its MQTT socket, and the runtime has only one: to deploy, the server asks the
// board over MQTT (a signed `update` command) to open an update window. The board replies
// busy while sockets charge (the server asks again later) unless the rollout forces it; in
// the window the runtime connects here, the server compares hashes, writes the image and reads
// the hash back. The new program boots, reconnects MQTT and reports its version on its boot
// event, which is how the server knows it is healthy. A board that does not report the new
// version in time, or crashes (exception reports over WSSK, repeated boots), fails the rollout:
// every board on the release goes back to the previous one.
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http"
import { AddressInfo } from "node:net"
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto"
import { hostname } from "node:os"
import { WebSocketServer } from "ws"
import mqtt, { MqttClient } from "mqtt"
import { FleetStore, Registry } from "./store"
import { PgStore } from "./pg-store"
import { BoardRecord, BoardType, Manifest, Rollout } from "./types"
import { BOARD_NAMES, isBoardName } from "../boards/catalogue"
import { verifyRelease } from "./release"
import { emptyStage, firstStage, rollBackNow, rollbackTarget, step, StepResult } from "./rollout"
// a board not heard on MQTT for SILENT_MS has no working program (safe mode, none at all)
import { SILENT_MS, summarize } from "./summary"
import { clientRandom, Cmd, deploy, WsskSession } from "./wssk"
import { CommandReplies, openMessage } from "../host/board-command"
import { BrokerAccount, checkMqttPassword, hashMqttPassword } from "./broker-config"
import { payCodesFor } from "../host/pay-codes"

export interface FleetServerOptions {
    /** database and images (the embedded store), unless databaseUrl is given */
    dataDir: string
    /** PostgreSQL connection string: the registry several servers share (fleet/pg-store.ts) */
    databaseUrl?: string
    /** this process's name in deploy claims (default host-pid-random) */
    serverId?: string
    /** a deploy claim's lease (ms), renewed while the deploy runs; a killed server's runs out after it */
    leaseMs?: number
    /** HTTP API and WSSK; 0: any free port */
    port?: number
    host?: string
    /** ed25519 public keys (PEM) whose releases are accepted */
    trust: string[]
    /** the operator's broker, where boards report and take commands */
    mqttUrl?: string
    /** bearer token for the HTTP API; without one the server listens on localhost only */
    token?: string
    /** the server's own broker account (a service account of \`fleet broker-config\`) */
    mqttUser?: string
    mqttPass?: string
    /** rollout and update-request period (ms) */
    tickMs?: number
    /** update commands awaiting their reply at most (default 100): the rest are asked on later ticks */
    maxAsking?: number
    /** ask a busy board again after this (s) */
    retryS?: number
    /** the window the server asks for (s) */
    windowS?: number
    /** a deploy step's answer must come within this (ms) */
    stepMs?: number
    log?: (line: string) => void
}

const MAX_BODY = 2 * 1024 * 1024
/** an update command nobody answered is sent again this soon (ms) */
const NO_REPLY_RETRY_MS = 5000
/** boot nonces a board's record keeps, to take each boot event in once */
const RECENT_BOOTS = 8
/** boards a tick looks at together */
const NUDGE_BATCH = 16
/** a board's lastSeen is written at most this often (ms) from its signed messages */
const SEEN_WRITE_MS = 60000
/** exception report frames closer than this (ms) are one crash */
const CRASH_BURST_MS = 2000
/** hosts the API may listen on without a token */
export const LOCAL_HOSTS = ["127.0.0.1", "localhost", "::1"]

function sameToken(given: string | undefined, token: string): boolean {
    const a = Buffer.from(given ?? "")
    const b = Buffer.from("Bearer " + token)
    return a.length === b.length && timingSafeEqual(a, b)
}

/** A board running its assigned release whole: no failed deploy left, nothing to retry, nothing half written. */
const RUNS_ASSIGNED: Partial<BoardRecord> = { fails: 0, retryAt: undefined, cutAt: undefined }

function backoffS(fails: number): number {
    return Math.min(300, 5 * 2 ** Math.min(fails, 6))
}

/** A board's record once a rollout step assigns it a release; a rollback's say where from, for the operator's counts. */
function assignPatch(a: { version: string; previous?: string }, after: Rollout, fromVersion: string): Partial<BoardRecord> {
    return {
        assigned: a.version,
        previous: a.previous,
        deployedAt: undefined,
        healthyAt: undefined,
        crashes: 0,
        fails: 0,
        retryAt: undefined,
        cutAt: undefined,
        rolledBackFrom: after.stage === "rolled_back" ? fromVersion : undefined,
    }
}

export class FleetServer {
    store!: Registry
    /** this process in deploy claims */
    readonly id: string
    private http!: Server
    private wss = new WebSocketServer({ noServer: true })
    private mq: MqttClient | null = null
    private timer: NodeJS.Timeout | null = null
    /** live WSSK sessions by board id */
    private sessions = new Map<string, WsskSession>()
    /** boards being deployed to right now */
    private deploying = new Set<string>()
    /** board id -> ms: when we last asked it for a window */
    private asked = new Map<string, number>()
    /** board id -> ms: end of the update window it granted us */
    private windows = new Map<string, number>()
    /** board id -> ms: last exception report frame */
    private lastCrash = new Map<string, number>()
    /** boards whose program a deploy stopped and did not replace (a cut deploy): no program runs */
    private unprogrammed = new Set<string>()
    /** board id -> ms: last message from its program over MQTT */
    private heard = new Map<string, number>()
    /** our update commands waiting for their replies */
    private commands = new CommandReplies()
    private ticking = false
    /** update commands sent and not yet answered */
    private asking = 0
    /** read-modify-writes of board records from reports, one at a time (two crash reports in one
     * breath must count two) */
    private writes: Promise<unknown> = Promise.resolve()
    port = 0
    /** deploy progress (bytes written, image size), for watchers */
    onProgress?: (board: string, sent: number, total: number) => void
    private progress = new Map<string, { sent: number; total: number }>()
    /** ms each finished deploy took, for the bench */
    readonly deployTimes: number[] = []
    /** release manifests by version/type (releases are immutable), for the ticks' comparisons */
    private manifests = new Map<string, Manifest>()

    constructor(readonly opts: FleetServerOptions) {
        this.id = opts.serverId ?? `${hostname()}-${process.pid}-${randomBytes(2).toString("hex")}`
    }

    private get leaseMs(): number {
        return this.opts.leaseMs ?? 60000
    }

    private async manifest(version: string, type: string): Promise<Manifest | null> {
        const k = version + "/" + type
        const m = this.manifests.get(k)
        if (m) return m
        const rel = await this.store.getRelease(version, type)
        if (rel) this.manifests.set(k, rel.manifest)
        return rel?.manifest ?? null
    }

    private log(msg: string, board?: string) {
        this.opts.log?.(`fleet: ${board ? board + ": " : ""}${msg}`)
        void this.store.log({ t: Date.now(), board, msg }).catch(() => {})
    }

    async start() {
        const host = this.opts.host ?? "127.0.0.1"
        // the API hands out rollouts and registers boards: open only to this machine
        if (!this.opts.token && !LOCAL_HOSTS.includes(host)) throw new Error(`the fleet API needs a token (FLEET_TOKEN) to listen on ${host}; without one it listens on 127.0.0.1 only`)
        this.store = this.opts.databaseUrl ? await PgStore.open({ url: this.opts.databaseUrl }) : await FleetStore.open(this.opts.dataDir)
        this.http = createServer((req, res) => void this.api(req, res))
        this.http.on("upgrade", (req, sock, head) => this.upgrade(req, sock, head))
        await new Promise<void>((res, rej) => this.http.listen(this.opts.port ?? 0, host, () => res()).on("error", rej))
        this.port = (this.http.address() as AddressInfo).port
        if (this.opts.mqttUrl) await this.connectBroker(this.opts.mqttUrl)
        this.timer = setInterval(() => void this.tick(), this.opts.tickMs ?? 1000)
        this.log(`listening on ${this.port} (server ${this.id}, registry ${this.store.kind})`)
    }

    async stop() {
        if (this.timer) clearInterval(this.timer)
        for (const s of this.sessions.values()) s.close("server stopping")
        await this.mq?.endAsync(true)
        await new Promise<void>(res => this.http.close(() => res()))
        this.http.closeAllConnections?.()
        await this.store.close()
    }

    // --- the boards' reports, from the broker ---

    private async connectBroker(url: string) {
        this.mq = await mqtt.connectAsync(url, { clientId: "fleet-" + randomUUID().slice(0, 8), reconnectPeriod: 1000, username: this.opts.mqttUser, password: this.opts.mqttPass })
        this.mq.on("message", (topic, payload) => {
            if (process.env.FLEET_DEBUG) this.log(`mqtt in: ${topic} ${payload.length} B ${payload.toString().slice(0, 60)}`)
            void this.serial(() => this.report(topic, payload))
        })
        await this.mq.subscribeAsync(["shed/+/event", "shed/+/reply", "shed/+/online", "shed/+/telemetry"])
    }

    /**
     * A board's message from the broker. Everything but the presence text on `online` must be
     * signed with the board's key (docs/protocol.md): a message that is not is logged and
     * changes nothing (a forged `boot` would otherwise roll a canary back or record a version).
     */
    private async report(topic: string, payload: Buffer): Promise<void> {
        const [, id, sub] = topic.split("/")
        if (sub === "online") {
            // unsigned presence: a program that says it is online runs (its last will "offline"
            // is the broker's); it only holds back a deploy without a window, never causes one
            if (payload.toString() === "online") this.heard.set(id, Date.now())
            return
        }
        const b = await this.store.getBoard(id)
        if (!b) return
        const m = openMessage(topic, b.cmdKey, payload)
        if (!m) return this.log(`refused a message on ${sub} not signed with the board's key`, id)
        // a program that talks is a program that runs; the registry hears of it once a minute (every server reads it)
        this.heard.set(id, Date.now())
        if (m.t !== "boot" && Date.now() - (b.lastSeen ?? 0) > SEEN_WRITE_MS) await this.store.updateBoard(id, { lastSeen: Date.now() })
        if (sub === "reply") {
            // a reply nobody waits for: its command timed out here (a slow broker or a busy server), or was not ours
            if (!this.commands.deliver(id, m) && typeof m.id === "string" && m.id.startsWith("fleet-")) this.log(`a reply came after its command gave up (${m.ok ? "ok" : m.error})`, id)
            return
        }
        if (m.t === "quiet" && typeof m.s === "number" && m.s > 0 && m.s <= 3600) {
            // the board's own word that its window is open: enough when the reply to the update
            // command was lost (the board closes its socket right after both)
            await this.openWindow(id, Date.now() + m.s * 1000)
            return
        }
        if (m.t !== "boot") return
        this.commands.noteBoot(id, m.boot)
        // a program that boots has left any window it granted
        this.windows.delete(id)
        this.asked.delete(id)
        const now = Date.now()
        let patch: Partial<BoardRecord> = {}
        // every update server hears every boot event: the first to take it in counts it, the others
        // find its nonce recorded (else a second server would count the first boot as a restart)
        const taken = await this.store.mutateBoard(id, cur => {
            // the last few, not only the last: a server that lags two boots behind must not count them again
            if (typeof m.boot === "string" && (cur.boot === m.boot || cur.recentBoots?.includes(m.boot))) return null
            patch = { version: m.ver, lastSeen: now, windowUntil: undefined, askedAt: undefined }
            if (typeof m.boot === "string") {
                patch.boot = m.boot
                patch.recentBoots = [...(cur.recentBoots ?? []), m.boot].slice(-RECENT_BOOTS)
            }
            if (cur.deployedAt && cur.assigned === m.ver) {
                // the first boot after a deploy proves it; each further one is a restart to count
                // not before the deploy's record: the deploying server (another process, another clock) may
                // have written it while this report waited for the row
                if (!cur.healthyAt) patch.healthyAt = Math.max(now, cur.deployedAt)
                else patch.crashes = cur.crashes + 1
            }
            return patch
        })
        if (taken) this.log(`boot ${m.ver}${patch.crashes ? " (restart " + patch.crashes + ")" : ""}`, id)
    }

    // --- rollouts and asking boards for windows ---

    private async tick() {
        if (this.ticking) return
        this.ticking = true
        try {
            const now = Date.now()
            // one server steps the rollout at a time; its assignments and stage are written together
            const stepped = await this.store.stepRollout((r, boards) => {
                const out = step(r, boards, now)
                const patches = out.assign.map(a => ({ id: a.id, patch: assignPatch(a, out.rollout, r.version) }))
                return { rollout: out.rollout, patches, out: out.log }
            })
            for (const l of stepped?.out ?? []) this.log(l)
            const r = await this.store.activeRollout()
            const force = r ? r.force && (r.stage === "canary" || r.stage === "percent" || r.stage === "all") : false
            // a few boards at a time: thousands of boards asked one after the other would leave the
            // windows granted early to run out before the tick came round to them
            const boards = await this.store.listBoards()
            for (let i = 0; i < boards.length; i += NUDGE_BATCH) await Promise.all(boards.slice(i, i + NUDGE_BATCH).map(b => this.nudge(b, force, now)))
        } catch (e) {
            this.log("tick error: " + (e as Error).message)
        } finally {
            this.ticking = false
        }
    }

    /** A rollout's step: its assignments (each a fresh deploy record), its log, the rollout stored. */
    /** An operator's rollback, outside the rollout's steps: the boards' assignments, then the rollout. */
    private async apply(out: StepResult, from: Rollout) {
        for (const a of out.assign) await this.store.updateBoard(a.id, assignPatch(a, out.rollout, from.version))
        for (const l of out.log) this.log(l)
        await this.store.putRollout(out.rollout)
    }

    /** A board whose program is not its assigned release is asked for an update window. */
    private async nudge(b: BoardRecord, force: boolean, now: number): Promise<void> {
        if (!b.assigned || this.deploying.has(b.id)) return
        const m = await this.manifest(b.assigned, b.type)
        if (!m) return
        if (m.sha256 === b.hash) {
            // already running it (assigned what it runs): nothing to deploy, nothing to wait for,
            // and no failure to count (one server's failed deploy written after the other's
            // success stood, and the summary counted a board running its release as failed)
            const patch: Partial<BoardRecord> = (b.fails ?? 0) > 0 ? { ...RUNS_ASSIGNED } : {}
            if (!b.deployedAt && b.version === b.assigned) {
                patch.deployedAt = now
                patch.healthyAt = now
            }
            if (Object.keys(patch).length) await this.store.updateBoard(b.id, patch)
            return
        }
        if (b.retryAt && now < b.retryAt) return
        // on the channel already, and free to take (a window, safe mode, a broken program)
        const s = this.sessions.get(b.id)
        if (s && this.mayDeploy(b, now)) return void this.sync(b.id, s)
        const last = this.asked.get(b.id) ?? 0
        const retryMs = (this.opts.retryS ?? 60) * 1000
        if (now - last < retryMs) return
        // so many boards asked and not yet answered: the rest wait for a later tick (thousands asked at
        // once answer later than the reply's timeout, and are asked again, and again)
        if (this.asking >= (this.opts.maxAsking ?? 100)) return
        this.asking++
        let sent = false
        try {
            this.asked.set(b.id, now)
            // one server asks: another that asked lately, or a window open for any server, holds it
            const quiet = (x: BoardRecord) => (x.askedAt !== undefined && now - x.askedAt < retryMs) || (x.windowUntil ?? 0) > now
            if (quiet(b) || !(await this.store.mutateBoard(b.id, x => (quiet(x) ? null : { askedAt: now })))) return
            sent = true
        } finally {
            if (!sent) this.asking--
        }
        const windowS = this.opts.windowS ?? 120
        // the reply is awaited aside: one silent board must not hold up the others' ticks
        void this.command(b, "update", { windowS, force }).then(r => {
            this.asking--
            if (!r) {
                // unanswered is not busy: the command may have met a dead connection (the
                // runtime's update channel ends the program's socket unannounced, docs/updates.md),
                // so ask again soon rather than after retryS, which could fall in the next dead spell
                const again = Date.now() - (this.opts.retryS ?? 60) * 1000 + NO_REPLY_RETRY_MS
                this.asked.set(b.id, again)
                // the registry's mark too: every server reads it before asking
                void this.store.updateBoard(b.id, { askedAt: again }).catch(() => {})
                return this.log(`no reply to update (asking again in ${NO_REPLY_RETRY_MS / 1000} s)`, b.id)
            }
            if (!r.ok) return this.log(`update deferred: ${r.error}${r.detail ? " (" + r.detail + ")" : ""}`, b.id)
            // quiet for the window: ask again only once it is over; any server may deploy in it
            this.log(`update window open (${r.windowS} s, ${r.live} sessions running)`, b.id)
            void this.openWindow(b.id, Date.now() + windowS * 1000).catch(() => {})
        })
    }

    /**
     * A board's update window is open until `until` (its reply to `update`, or its own quiet
     * event when that reply was lost): asked again only once it is over, recorded for every
     * server, and its update channel served at once when it is here already (it opens as soon
     * as the board has replied). A later word on the same window changes nothing.
     */
    private async openWindow(id: string, until: number) {
        if ((this.windows.get(id) ?? 0) >= until) return
        this.windows.set(id, until)
        this.asked.set(id, until)
        await this.store.updateBoard(id, { windowUntil: until })
        const s = this.sessions.get(id)
        if (s) void this.sync(id, s)
    }

    private command(b: BoardRecord, cmd: string, args: object, ms = 10000): Promise<any> {
        if (!this.mq) return Promise.resolve(null)
        return this.commands.send(this.mq, b.id, b.cmdKey, "fleet-" + randomUUID().slice(0, 8), cmd, args, ms)
    }

    /**
     * The operator changed a board's pay URL: every socket's code rendered again for the board's
     * screen and sent as a signed `paycode` command, one socket after the other. Nothing is sent
     * unless every code renders. Returns each socket's reply (null: none in time).
     */
    private async payCodes(id: string, body: any): Promise<{ board: string; replies: { socket: number; ok: boolean; error?: string; detail?: string }[] }> {
        const b = await this.store.getBoard(id)
        if (!b) throw new ApiError(404, "no board " + id)
        if (typeof body?.payUrl !== "string") throw new ApiError(400, "payUrl: the pay URL template, e.g. https://pay.example.com/{board}/{socket}")
        let codes: { [k: string]: any }
        try {
            codes = payCodesFor(b.type, b.id, body.payUrl)
        } catch (e) {
            throw new ApiError(400, (e as Error).message)
        }
        if (!this.mq) throw new ApiError(503, "the server has no MQTT connection (--mqtt): it cannot reach the board")
        const replies = []
        for (const k of Object.keys(codes)) {
            const socket = Number(k.slice(2))
            const r = await this.command(b, "paycode", { socket, code: codes[k] })
            replies.push(r ? { socket, ok: r.ok === true, ...(r.ok ? {} : { error: r.error, detail: r.detail }) } : { socket, ok: false, error: "no_reply" })
        }
        this.log(`pay codes sent for ${body.payUrl}: ${replies.filter(r => r.ok).length} of ${replies.length} stored`, b.id)
        return { board: b.id, replies }
    }

    // --- the update channel ---

    private upgrade(req: IncomingMessage, sock: any, head: Buffer) {
        const m = /^\/wssk\/[^/]+\/([0-9a-f]{16})$/i.exec(req.url ?? "")
        const client = clientRandom(String(req.headers["sec-websocket-protocol"] ?? ""))
        const refuse = (code: number, why: string) => {
            sock.end(`HTTP/1.1 ${code} ${why}\r\n\r\n`)
        }
        if (!m || !client) return refuse(400, "Bad Request")
        void this.store.boardByDevice(m[1].toLowerCase()).then(b => {
            // An unknown device gets the same answer as a known one with the wrong key: the
            // handshake with a throwaway key, whose proof then fails. No oracle of device ids.
            const key = b ? Buffer.from(b.wsskKey, "hex") : randomBytes(32)
            this.wss.handleUpgrade(req, sock, head, ws => {
                const s = new WsskSession(ws, key, client)
                if (b) return this.channel(b, s)
                s.on("ready", () => s.close("unknown device"))
                s.on("close", (why: string) => this.log(`update channel from unknown device ${m[1].toLowerCase()} closed: ${why}`))
            })
        })
    }

    private channel(b: BoardRecord, s: WsskSession) {
        s.on("ready", () => {
            this.sessions.get(b.id)?.close("replaced by a new connection")
            this.sessions.set(b.id, s)
            void this.store.updateBoard(b.id, { lastSeen: Date.now() })
            void this.sync(b.id, s)
        })
        s.on("message", (cmd: number, payload: Buffer) => {
            if (cmd === Cmd.ExceptionReport) void this.serial(() => this.crashReport(b.id, payload.toString("utf8")))
        })
        s.on("close", (why: string) => {
            if (this.sessions.get(b.id) === s) this.sessions.delete(b.id)
            this.log(`update channel closed: ${why}`, b.id)
        })
    }

    private serial(fn: () => Promise<void>): Promise<void> {
        const run = this.writes.then(fn).catch(e => this.log("report error: " + (e as Error).message))
        this.writes = run
        return run
    }

    /**
     * The runtime sends one panic's log as several report frames within milliseconds, and
     * restarts a crashed program only after 5 s: frames closer than 2 s are one crash.
     */
    private async crashReport(id: string, text: string) {
        const now = Date.now()
        const last = this.lastCrash.get(id) ?? 0
        this.lastCrash.set(id, now)
        if (now - last < CRASH_BURST_MS) return
        const b = await this.store.getBoard(id)
        if (!b) return
        this.log(`exception report: ${text.replace(/\s+/g, " ").slice(0, 120)}`, id)
        if (b.deployedAt) await this.store.updateBoard(id, { crashes: b.crashes + 1 })
    }

    /**
     * The channel alone is no consent: the runtime also connects in a gap between two MQTT
     * connections of a running program, sessions charging. Deploy only in a window the board
     * granted, or when no working program is there to ask: the one deployed never reported, or
     * the board has been silent on MQTT (safe mode, no program).
     */
    private mayDeploy(b: BoardRecord, now: number): boolean {
        if ((this.windows.get(b.id) ?? 0) > now || (b.windowUntil ?? 0) > now || this.unprogrammed.has(b.id)) return true
        if (b.deployedAt && !b.healthyAt) return true
        // a deploy cut off here or on another server (its lease ran out): the image may be half written
        if (b.cutAt !== undefined || (b.claimedBy !== undefined && b.claimedBy !== this.id && (b.claimUntil ?? 0) < now)) return true
        return now - (this.heard.get(b.id) ?? 0) > SILENT_MS
    }

    /**
     * The board is on the channel: make it run its assigned release, or just note its hash. The
     * deploy is claimed first (one server writes a board's image; the claim's lease is renewed
     * while it runs) and its outcome is written with the claim's release, in one step: a server
     * killed mid-deploy leaves no record of a deploy, only a claim that runs out, after which
     * another server takes the board (mayDeploy: the image may be half written).
     */
    private async sync(id: string, s: WsskSession) {
        if (this.deploying.has(id)) return
        this.deploying.add(id)
        let claimed = false
        let wrote = false
        let whole = false
        try {
            const b = (await this.store.getBoard(id))!
            const rel = b.assigned ? await this.store.getRelease(b.assigned, b.type) : null
            const may = !!rel && this.mayDeploy(b, Date.now())
            if (rel && !may) this.log(`on the update channel outside a window, its program running: not deploying ${rel.manifest.version}`, id)
            if (!rel || !may) {
                const hash = (await s.request(Cmd.GetHash, undefined, this.opts.stepMs ?? 10000)).subarray(0, 32).toString("hex")
                // its assigned release whole on the board: a deploy counted as failed (its read-back
                // cut off, the new program booted since) failed nothing, and nothing is left to retry
                const done = rel && hash === rel.manifest.sha256 ? RUNS_ASSIGNED : {}
                await this.store.updateBoard(id, { hash, ...done })
                return
            }
            // the image is checked again here: the database is not the trust anchor, the key is
            const bad = verifyRelease(rel.manifest, rel.image, this.opts.trust)
            if (bad) {
                this.log(`release ${rel.manifest.version} refused at deploy: ${bad}`, id)
                return
            }
            const before = await this.store.claimDeploy(id, this.id, Date.now(), this.leaseMs)
            // another server is deploying to it: the board stays on the channel, the next tick looks again
            if (!before) return
            claimed = true
            if (before.claimedBy && before.claimedBy !== this.id) this.log(`takes over the deploy ${before.claimedBy} left (its lease ran out)`, id)
            const t0 = Date.now()
            let renewed = t0
            this.log(`deploying ${rel.manifest.version} (${rel.image.length} bytes)`, id)
            const r = await deploy(
                s,
                rel.image,
                rel.manifest.sha256,
                this.opts.stepMs ?? 10000,
                (sent, total) => {
                    whole = sent >= total
                    this.unprogrammed.add(id)
                    this.progress.set(id, { sent, total })
                    this.onProgress?.(id, sent, total)
                    if (Date.now() - renewed > this.leaseMs / 3) {
                        renewed = Date.now()
                        void this.store.renewClaim(id, this.id, renewed, this.leaseMs).then(ok => {
                            // the lease ran out and another server took the board: stop writing
                            if (!ok) s.close("deploy claim lost")
                        })
                    }
                },
                () => (wrote = true)
            )
            this.unprogrammed.delete(id)
            const version = rel.manifest.version
            const done = await this.store.finishDeploy(id, this.id, cur => {
                const patch: Partial<BoardRecord> = { hash: rel.manifest.sha256, ...RUNS_ASSIGNED }
                // assigned another release meanwhile (a rollback): the hash is what it runs, no deploy of it to record
                if (cur.assigned !== version) return patch
                // the new program may have booted, and its boot event been taken in (by any server), before this
                // write: a boot nonce other than the one before the deploy, reporting the version, is that report
                const reported = cur.boot !== before.boot && cur.version === version
                if (r === "deployed") Object.assign(patch, { deployedAt: Date.now(), healthyAt: reported ? Date.now() : undefined, crashes: 0 })
                // already running it (provisioned with it, deployed before a server restart, or by a deploy
                // whose read-back the board's restart cut off): healthy once it has reported the version
                else if (!cur.deployedAt) Object.assign(patch, { deployedAt: Date.now(), ...(cur.version === version ? { healthyAt: Date.now() } : {}) })
                return patch
            })
            claimed = false
            if (!done) this.log(`deploy of ${version} ended after its claim ran out: another server has the board, nothing recorded here`, id)
            else if (r === "deployed") {
                this.deployTimes.push(Date.now() - t0)
                this.log(`deployed ${version} in ${Date.now() - t0} ms, hash verified`, id)
            }
        } catch (e) {
            // no deploy under way (the channel dropped while the board was asked its hash):
            // nothing failed that a retry should back off from, and nothing to count against it
            if (!claimed) {
                this.log(`update channel: ${(e as Error).message}`, id)
                return
            }
            const now = Date.now()
            const fail = (cur: BoardRecord): Partial<BoardRecord> => {
                const fails = (cur.fails ?? 0) + 1
                // cut half way: the board has no program to ask for a window (an image written whole boots)
                return { fails, retryAt: now + backoffS(fails) * 1000, ...(wrote && !whole ? { cutAt: now } : {}) }
            }
            const b = await this.store.finishDeploy(id, this.id, fail)
            const fails = b?.fails ?? 1
            this.log(`deploy failed (${fails} in a row, next try in ${backoffS(fails)} s): ${(e as Error).message}`, id)
        } finally {
            this.deploying.delete(id)
            this.progress.delete(id)
        }
    }

    /** Drops a board's update channel (the runtime reconnects by itself). */
    closeChannel(id: string, why: string) {
        this.sessions.get(id)?.close(why)
    }

    // --- the HTTP API the CLI uses ---

    private async api(req: IncomingMessage, res: ServerResponse) {
        const send = (code: number, body: any) => {
            res.writeHead(code, { "content-type": "application/json" })
            res.end(JSON.stringify(body))
        }
        try {
            if (this.opts.token && !sameToken(req.headers.authorization, this.opts.token)) return send(401, { error: "unauthorized" })
            const url = new URL(req.url ?? "/", "http://x")
            const body = req.method === "POST" ? await readBody(req) : null
            const route = `${req.method} ${url.pathname}`
            if (route === "GET /api/boards") {
                const boards = await this.store.listBoards()
                return send(
                    200,
                    boards.map(b => ({ ...publicBoard(b), channel: this.sessions.has(b.id), deploying: this.progress.get(b.id) }))
                )
            }
            if (route === "POST /api/boards") return send(200, publicBoard(await this.register(body)))
            if (route === "GET /api/broker-accounts") return send(200, await this.brokerAccounts())
            if (route === "GET /api/releases") return send(200, await this.store.listReleases())
            if (route === "POST /api/releases") return send(200, await this.upload(body))
            if (route === "GET /api/rollouts") return send(200, await this.store.listRollouts())
            if (route === "POST /api/rollouts") return send(200, await this.rollout(body))
            const pr = /^POST \/api\/rollouts\/([^/]+)\/(pause|resume)$/.exec(route)
            if (pr) return send(200, await this.pauseResume(pr[1], pr[2] === "pause"))
            const rb = /^POST \/api\/rollouts\/([^/]+)\/rollback$/.exec(route)
            if (rb) return send(200, await this.rollBack(decodeURIComponent(rb[1])))
            const pc = /^POST \/api\/boards\/([^/]+)\/paycodes$/.exec(route)
            if (pc) return send(200, await this.payCodes(decodeURIComponent(pc[1]), body))
            if (route === "GET /api/summary") return send(200, summarize(await this.store.listBoards(), await this.store.listRollouts(), Date.now(), SILENT_MS))
            if (route === "GET /api/log") return send(200, await this.store.logs(Number(url.searchParams.get("limit") ?? 100), url.searchParams.get("board") ?? undefined))
            return send(404, { error: "no such route: " + route })
        } catch (e) {
            send(e instanceof ApiError ? e.code : 500, { error: (e as Error).message })
        }
    }

    /** Adds a board (or returns it), with fresh keys unless given. */
    async register(body: any): Promise<BoardRecord> {
        if (!body || typeof body.id !== "string" || !/^[A-Za-z0-9_-]{1,24}$/.test(body.id)) throw new ApiError(400, "id: 1-24 letters, digits, _ or -")
        if (typeof body.deviceId !== "string" || !/^[0-9a-f]{16}$/.test(body.deviceId)) throw new ApiError(400, "deviceId: 16 lower-case hex digits (the runtime's device id)")
        if (!isBoardName(body.type)) throw new ApiError(400, "type: one of " + BOARD_NAMES.join(", "))
        for (const k of ["wsskKey", "cmdKey"]) if (body[k] !== undefined && !/^[0-9a-f]{64}$/.test(body[k])) throw new ApiError(400, k + ": 64 hex digits")
        if (body.mqttPass !== undefined && checkMqttPassword(body.mqttPass)) throw new ApiError(400, checkMqttPassword(body.mqttPass))
        const old = await this.store.getBoard(body.id)
        const other = await this.store.boardByDevice(body.deviceId)
        if (other && other.id !== body.id) throw new ApiError(409, `device ${body.deviceId} is already board ${other.id}`)
        const b: BoardRecord = {
            ...(old ?? { crashes: 0, fails: 0 }),
            id: body.id,
            deviceId: body.deviceId,
            type: body.type,
            wsskKey: body.wsskKey ?? old?.wsskKey ?? randomBytes(32).toString("hex"),
            cmdKey: body.cmdKey ?? old?.cmdKey ?? randomBytes(32).toString("hex"),
            assigned: body.assigned ?? old?.assigned,
            // the broker password itself is never kept: the board has it, the registry its hash
            mqttAuth: body.mqttPass !== undefined ? hashMqttPassword(body.mqttPass) : old?.mqttAuth,
        }
        await this.store.putBoard(b)
        this.log(old ? "re-registered" : "registered", b.id)
        return b
    }

    /** The boards' broker accounts (hashes only), for `fleet broker-config`. */
    async brokerAccounts(): Promise<BrokerAccount[]> {
        const boards = await this.store.listBoards()
        return boards.filter(b => b.mqttAuth).map(b => ({ user: b.id, auth: b.mqttAuth!, role: "board" as const }))
    }

    /** A signed release: refused unless a trusted key signed exactly this image. */
    async upload(body: any): Promise<Manifest> {
        const m = body?.manifest as Manifest
        if (!m || typeof body.image !== "string") throw new ApiError(400, "expected {manifest, image (base64)}")
        const image = Buffer.from(body.image, "base64")
        const bad = verifyRelease(m, image, this.opts.trust)
        if (bad) throw new ApiError(422, "release refused: " + bad)
        try {
            await this.store.putRelease(m, image)
        } catch (e) {
            throw new ApiError(409, (e as Error).message)
        }
        this.log(`release ${m.version} for ${m.board} uploaded (${m.size} bytes, ${m.sha256.slice(0, 12)})`)
        return m
    }

    async rollout(body: any): Promise<Rollout> {
        const version = body?.version
        if (typeof version !== "string") throw new ApiError(400, "version missing")
        const releases = await this.store.listReleases()
        if (!releases.some(m => m.version === version)) throw new ApiError(404, `no release ${version}`)
        const active = await this.store.activeRollout()
        if (active) throw new ApiError(409, `rollout ${active.id} of ${active.version} is still ${active.stage}; pause or finish it first`)
        const boards = await this.store.listBoards()
        const canary: string[] = Array.isArray(body.canary) ? body.canary : []
        const unknown = canary.filter(id => !boards.some(b => b.id === id))
        if (unknown.length) throw new ApiError(400, "unknown canary boards: " + unknown.join(", "))
        const percent = body.percent ?? 10
        if (typeof percent !== "number" || percent < 0 || percent > 100) throw new ApiError(400, "percent: 0..100")
        const missing = boards.filter(b => !releases.some(m => m.version === version && m.board === b.type))
        if (missing.length) throw new ApiError(400, `release ${version} has no image for ${[...new Set(missing.map(b => b.type))].join(", ")}`)
        const now = Date.now()
        let previous: string | undefined
        try {
            previous = rollbackTarget(
                version,
                boards,
                releases.map(m => m.version),
                body.previous
            )
        } catch (e) {
            throw new ApiError(400, (e as Error).message)
        }
        const r: Rollout = {
            id: "r" + now.toString(36),
            version,
            previous,
            canary,
            percent,
            stage: firstStage({ canary, percent }),
            startedAt: now,
            stageAt: now,
            soakS: body.soakS ?? 600,
            reportS: body.reportS ?? 300,
            force: body.force === true,
        }
        const empty = emptyStage(
            r,
            boards.map(b => b.id)
        )
        if (empty) throw new ApiError(400, empty)
        await this.store.putRollout(r)
        this.log(
            `rollout ${r.id}: ${version} (${previous ? "back to " + previous : "nothing to roll back to"} on failure), canary ${canary.join(",") || "none"}, then ${percent} %, then all${r.force ? ", forced" : ""}`
        )
        return r
    }

    private async pauseResume(id: string, pause: boolean): Promise<Rollout> {
        const r = await this.store.getRollout(id)
        if (!r) throw new ApiError(404, "no rollout " + id)
        if (pause && !["canary", "percent", "all"].includes(r.stage)) throw new ApiError(409, `rollout is ${r.stage}`)
        if (!pause && r.stage !== "paused") throw new ApiError(409, `rollout is ${r.stage}, not paused`)
        const out: Rollout = pause ? { ...r, stage: "paused", reason: "paused by the operator", stageAt: Date.now() } : { ...r, stage: firstStage(r), reason: undefined, stageAt: Date.now() }
        await this.store.putRollout(out)
        this.log(`rollout ${id} ${pause ? "paused" : "resumed"}`)
        return out
    }

    /** The operator rolls the latest rollout back: its boards go back to what they ran before. */
    private async rollBack(id: string): Promise<{ rollout: Rollout; assign: { id: string; version: string }[] }> {
        const all = await this.store.listRollouts()
        const r = all.find(x => x.id === id)
        if (!r) throw new ApiError(404, "no rollout " + id)
        const last = all[all.length - 1]
        if (last.id !== r.id) throw new ApiError(409, `rollout ${last.id} of ${last.version} came after ${id}: roll that one back first`)
        let out: StepResult
        try {
            out = rollBackNow(r, await this.store.listBoards(), Date.now())
        } catch (e) {
            throw new ApiError(409, (e as Error).message)
        }
        await this.apply(out, r)
        return { rollout: out.rollout, assign: out.assign }
    }
}

class ApiError extends Error {
    constructor(
        readonly code: number,
        msg: string
    ) {
        super(msg)
    }
}

function publicBoard(b: BoardRecord) {
    const { wsskKey: _w, cmdKey: _c, mqttAuth: _m, ...rest } = b
    return rest
}

async function readBody(req: IncomingMessage): Promise<any> {
    const chunks: Buffer[] = []
    let size = 0
    for await (const c of req) {
        size += c.length
        if (size > MAX_BODY) throw new ApiError(413, `body over ${MAX_BODY} bytes`)
        chunks.push(c)
    }
    try {
        return JSON.parse(Buffer.concat(chunks).toString() || "null")
    } catch {
        throw new ApiError(400, "body is not JSON")
    }
}
