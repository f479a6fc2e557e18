// The fleet load run (docs/updates.md "A large fleet"): many simulated boards at the message level,
// two update-server processes on one PostgreSQL, Debian's Mosquitto between them, and two
// rollouts: a bad release whose canaries crash (it must roll back, and reach no further), then a
// good one through canary, percent and all, with boards that drop mid-deploy and one server
// killed (SIGKILL) half way. Each board speaks what a real one does: signed boot events and
// command replies over MQTT (host/board-command.ts), the runtime's update channel (WSSK: key
// exchange, AES-CCM frames, get_hash, deploy_start/write/finish) with its own key. The boards
// share a few MQTT connections (the broker is not what is measured) and pick a live server for
// the update channel in turn, as a proxy in front of them would.
//
// What the run counts is the boards' own truth, not the servers' records: what each board's
// flash holds, how many times a whole image of one version was written to it.
import { ChildProcess, spawn } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import { existsSync, writeFileSync } from "node:fs"
import { AddressInfo, createServer } from "node:net"
import { join } from "node:path"
import mqtt, { MqttClient } from "mqtt"
import WebSocket from "ws"
import { DEVS_MAGIC, generateSigningKey, padImage, sha256Hex, signManifest } from "../../fleet/release"
import { PgStore } from "../../fleet/pg-store"
import { Cmd, frame, open, seal, sessionKey, WSSK_MAGIC } from "../../fleet/wssk"
import { openMessage, signMessage } from "../../host/board-command"
import { ROOT } from "../../host/root"
import type { BoardRecord, Manifest, Rollout } from "../../fleet/types"
import { TempPostgres } from "./pg"
import { tempDir } from "./temp-dir"

export interface LoadOptions {
    boards: number
    /** canary boards of each rollout */
    canaries: number
    /** of the bad release's canaries, how many crash on it */
    crashers: number
    /** share of the fleet (0..1) that drops its update channel half way through its first deploy of the good release */
    dropShare: number
    /** the second server is killed once this share (0..1) of the fleet runs the good release */
    killAt: number
    /** the percent stage's share (%) */
    percent: number
    /** a stage's soak (s) */
    soakS: number
    /** image bytes (padded to 32) */
    imageBytes: number
    /** ms a board takes to write one chunk of 192 bytes to its flash */
    writeMs: number
    /** MQTT connections the boards share */
    mqttConns: number
    /** give up after this (ms) */
    timeoutMs: number
    /** progress lines */
    log?: (line: string) => void
}

export interface LoadFigures {
    boards: number
    servers: number
    imageBytes: number
    bad: {
        /** canaries, and how many of them crash */
        canaries: number
        crashers: number
        /** boards that ran the bad release at any time */
        reached: number
        /** of those, boards back on the previous release at the end */
        back: number
        /** ms from the rollout's start until every board that got it was back */
        ms: number
        /** why it was rolled back */
        reason: string
        /** boards the operator's summary counts as rolled back from it */
        rolledBack: number
        /** the stages the summary says it reached */
        stagesReached: string[]
    }
    good: {
        /** boards running the good release at the end */
        updated: number
        /** ms from the rollout's start to the last board on it (soak included) */
        ms: number
        /** ms of the stages' soaks in that time */
        soakMs: number
        perMinute: number
        stage: string
        /** boards whose first deploy was cut off half way */
        dropped: number
        /** deploy claims the killed server died holding */
        cutByKill: number
        /** boards left on a half-written image right after the kill */
        halfAtKill: number
        /** claims a server took over after the killed one's lease ran out */
        takenOver: number
        /** boards running the good release when the server was killed */
        atKill: number
    }
    /** whole images of one version written to one board more than once */
    duplicated: number
    /** boards whose flash holds a half-written image at the end */
    halfWritten: number
    /** the servers' records agree with the boards (version, hash) */
    recordsAgree: number
    /** the operator's summary (GET /api/summary) at the end */
    summary: any
}

const MOSQUITTO = "/usr/sbin/mosquitto"
/** s between a board's telemetry messages */
const TELEMETRY_S = 60
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

function freePort(): Promise<number> {
    return new Promise((res, rej) => {
        const s = createServer()
        s.listen(0, "127.0.0.1", () => {
            const p = (s.address() as AddressInfo).port
            s.close(() => res(p))
        }).on("error", rej)
    })
}

function nextNonce(n: Buffer) {
    for (let i = n.length - 1; i >= 0; i--) {
        if (n[i] < 0xff) {
            n[i]++
            return
        }
        n[i] = 0
    }
}

function image(version: string, bytes: number): Buffer {
    const raw = Buffer.alloc(bytes)
    DEVS_MAGIC.copy(raw)
    raw.write("\0" + version + "\0", 16)
    createHash("sha256").update(version).digest().copy(raw, 64)
    return padImage(raw)
}

interface Board {
    i: number
    id: string
    deviceId: string
    wsskKey: string
    cmdKey: string
    /** what its flash holds: a program (version, sha) or a half-written image */
    running: { version: string; sha: string } | null
    boot: string
    mq: MqttClient
    ws: WebSocket | null
    /** the update window it granted ends (ms) */
    windowEnd: number
    /** whole images written, by version */
    writes: Map<string, number>
    everRan: Set<string>
    crashOn?: string
    /** drops its update channel half way through its next deploy, once */
    dropArmed?: boolean
    dropped: boolean
    rebooting: boolean
}

/** The simulated fleet: boards, their MQTT side and their update channel. */
class SimFleet {
    readonly boards: Board[] = []
    private byId = new Map<string, Board>()
    private conns: MqttClient[] = []
    private byHash = new Map<string, string>()
    ports: number[] = []
    /** ms a board takes to write one chunk */
    writeMs = 0
    private rr = 0
    private stopped = false
    private timers = new Set<NodeJS.Timeout>()
    private heartbeat: NodeJS.Timeout | null = null

    constructor(
        readonly type: string,
        readonly releases: { manifest: Manifest; image: Buffer }[]
    ) {
        for (const r of releases) this.byHash.set(r.manifest.sha256, r.manifest.version)
    }

    later(ms: number, f: () => void) {
        if (this.stopped) return
        const t = setTimeout(() => {
            this.timers.delete(t)
            if (!this.stopped) f()
        }, ms)
        this.timers.add(t)
    }

    async start(mqttUrl: string, recs: BoardRecord[], conns: number, first: { version: string; sha: string }) {
        for (let c = 0; c < conns; c++) {
            const mq = await mqtt.connectAsync(mqttUrl, { clientId: "sim-fleet-" + c, reconnectPeriod: 500 })
            mq.on("message", (topic, payload) => this.command(topic, payload))
            this.conns.push(mq)
        }
        for (const [i, r] of recs.entries()) {
            const b: Board = {
                i,
                id: r.id,
                deviceId: r.deviceId,
                wsskKey: r.wsskKey,
                cmdKey: r.cmdKey,
                running: { ...first },
                boot: randomBytes(8).toString("hex"),
                mq: this.conns[i % conns],
                ws: null,
                windowEnd: 0,
                writes: new Map(),
                everRan: new Set([first.version]),
                dropped: false,
                rebooting: false,
            }
            this.boards.push(b)
            this.byId.set(b.id, b)
        }
        for (const [c, mq] of this.conns.entries()) {
            const mine = this.boards.filter(b => b.i % conns === c).map(b => `shed/${b.id}/cmd`)
            for (let k = 0; k < mine.length; k += 500) await mq.subscribeAsync(mine.slice(k, k + 500))
        }
        for (const b of this.boards) this.booted(b)
        // each running program's telemetry once a minute, spread over the minute
        let tick = 0
        this.heartbeat = setInterval(() => {
            tick = (tick + 1) % TELEMETRY_S
            for (const b of this.boards) {
                if (b.i % TELEMETRY_S !== tick || !b.running || b.rebooting || b.ws) continue
                const topic = `shed/${b.id}/telemetry`
                b.mq.publish(topic, signMessage(topic, b.cmdKey, { t: "telemetry", boot: b.boot, w: 0 }))
            }
        }, 1000)
    }

    /** the program (re)started: a new boot nonce, its boot event; presence */
    private booted(b: Board) {
        b.boot = randomBytes(8).toString("hex")
        const ver = b.running!.version
        const topic = `shed/${b.id}/event`
        b.mq.publish(topic, signMessage(topic, b.cmdKey, { t: "boot", boot: b.boot, ver, board: this.type, sockets: 2, cfg: "0" }))
        b.mq.publish(`shed/${b.id}/online`, "online")
    }

    private reply(b: Board, body: object) {
        const topic = `shed/${b.id}/reply`
        b.mq.publish(topic, signMessage(topic, b.cmdKey, body))
    }

    private command(topic: string, payload: Buffer) {
        const id = topic.split("/")[1]
        const b = this.byId.get(id)
        if (!b || !b.running || b.rebooting) return
        const m = openMessage(topic, b.cmdKey, payload)
        if (!m) return
        if (m.boot !== b.boot) return this.reply(b, { id: m.id, ok: false, boot: b.boot, error: "wrong_boot", detail: "boot must be this boot's nonce" })
        if (m.cmd !== "update") return this.reply(b, { id: m.id, ok: false, boot: b.boot, error: "unknown_cmd", detail: m.cmd })
        const windowS = m.args?.windowS ?? 300
        this.reply(b, { id: m.id, ok: true, boot: b.boot, windowS, live: 0 })
        b.windowEnd = Date.now() + windowS * 1000
        // the program closes its socket; the runtime opens the update channel
        this.later(10 + Math.random() * 40, () => this.channel(b))
    }

    /** through the "proxy": the next live server */
    private pick(): number {
        return this.ports[this.rr++ % this.ports.length]
    }

    private channel(b: Board) {
        if (b.ws || this.stopped || !this.ports.length) return
        const client = randomBytes(16)
        const ws = new WebSocket(`ws://127.0.0.1:${this.pick()}/wssk/fleet/${b.deviceId}`, "devs-key-" + client.toString("hex"))
        b.ws = ws
        let key: Buffer | null = null
        let authed = false
        const rx = Buffer.alloc(13)
        rx[0] = 2
        const tx = Buffer.alloc(13)
        tx[0] = 1
        let size = 0
        let parts: Buffer[] = []
        let got = 0
        let restart: (() => void) | null = null
        const send = (plain: Buffer) => {
            if (ws.readyState !== WebSocket.OPEN) return
            ws.send(seal(key!, tx, plain))
            nextNonce(tx)
        }
        // a program that runs goes back to MQTT once its window is over
        const idle = setInterval(() => {
            if (b.running && !b.rebooting && Date.now() > b.windowEnd) ws.close()
        }, 500)
        ws.on("message", (data: Buffer) => {
            if (!key) {
                if (data.length < 24 || data.readUInt32LE(0) !== WSSK_MAGIC) return ws.close()
                key = sessionKey(Buffer.from(b.wsskKey, "hex"), client, data.subarray(8, 24))
                send(Buffer.alloc(32))
                return
            }
            const plain = open(key, rx, data)
            nextNonce(rx)
            if (!plain) return ws.close()
            if (!authed) {
                authed = true
                return
            }
            const cmd = plain[0]
            const p = plain.subarray(1)
            if (cmd === Cmd.GetHash) {
                send(frame(cmd, b.running ? Buffer.from(b.running.sha, "hex") : Buffer.alloc(32)))
                // the server has read the new hash back: the new program starts
                if (restart) restart()
                return
            }
            if (cmd === Cmd.DeployStart) {
                size = p.readUInt32LE(0)
                parts = []
                got = 0
                // the runtime stops the program and erases its flash: from here no program runs
                b.running = null
                return send(frame(cmd))
            }
            if (cmd === Cmd.DeployWrite) {
                parts.push(Buffer.from(p))
                got += p.length
                if (b.dropArmed && !b.dropped && got >= size / 2) {
                    // the board drops off half way (power, radio)
                    b.dropped = true
                    ws.terminate()
                    return
                }
                // a board writes its flash at its own pace
                if (this.writeMs) return void this.later(this.writeMs, () => send(frame(cmd)))
                return send(frame(cmd))
            }
            if (cmd === Cmd.DeployFinish) {
                const img = Buffer.concat(parts)
                if (got !== size) return send(frame(Cmd.Error, Buffer.from("size")))
                const sha = sha256Hex(img)
                const version = this.byHash.get(sha) ?? "?"
                b.running = { version, sha }
                b.everRan.add(version)
                b.writes.set(version, (b.writes.get(version) ?? 0) + 1)
                send(frame(cmd))
                // the new program starts once the server has read the hash back, or after a second
                b.rebooting = true
                let started = false
                restart = () => {
                    if (started) return
                    started = true
                    restart = null
                    // a program that boots has left the window
                    b.windowEnd = 0
                    ws.close()
                    b.rebooting = false
                    this.booted(b)
                    if (b.crashOn === version) {
                        // a crash loop: it restarts twice more in the rollout's report time
                        this.later(150, () => b.running?.version === version && this.booted(b))
                        this.later(300, () => b.running?.version === version && this.booted(b))
                    }
                }
                const r = restart
                this.later(1000, () => r())
                return
            }
        })
        const gone = () => {
            clearInterval(idle)
            if (b.ws !== ws) return
            b.ws = null
            // no program (a cut deploy), or still in the window it granted (its server went away): the
            // runtime opens the channel again, through the proxy to a live server
            if (!b.running || (!b.rebooting && Date.now() < b.windowEnd)) this.later(300 + Math.random() * 300, () => this.channel(b))
            else if (!b.rebooting) b.mq.publish(`shed/${b.id}/online`, "online")
        }
        ws.on("close", gone)
        ws.on("error", () => {})
    }

    count(version: string): number {
        return this.boards.filter(b => b.running?.version === version).length
    }

    async stop() {
        this.stopped = true
        if (this.heartbeat) clearInterval(this.heartbeat)
        for (const t of this.timers) clearTimeout(t)
        for (const b of this.boards) b.ws?.terminate()
        await Promise.all(this.conns.map(c => c.endAsync(true)))
    }
}

interface Proc {
    proc: ChildProcess
    port: number
    exited: Promise<void>
}

async function startServer(opts: object): Promise<Proc> {
    const proc = spawn(process.execPath, ["--import", "tsx", join(ROOT, "test/support/fleet-server-proc.ts"), JSON.stringify(opts)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] })
    const exited = new Promise<void>(res => proc.once("exit", () => res()))
    let err = ""
    proc.stderr!.on("data", d => (err = (err + d).slice(-4000)))
    const port = await new Promise<number>((res, rej) => {
        let out = ""
        proc.stdout!.on("data", d => {
            out += d
            const m = /listening (\d+)/.exec(out)
            if (m) res(Number(m[1]))
        })
        proc.once("exit", code => rej(new Error(`update server exited (${code}): ${err}`)))
    })
    return { proc, port, exited }
}

async function startMosquitto(dir: string): Promise<{ url: string; proc: ChildProcess; exited: Promise<void> }> {
    if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} missing: npm test and npm run bench install it (tools/apt-ensure.sh)`)
    const port = await freePort()
    const conf = join(dir, "mosquitto.conf")
    // QoS 0 messages queue without a bound: a busy server must not lose boot events
    writeFileSync(
        conf,
        `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\nmax_connections -1\nlog_dest none\nuser ${process.getuid?.() === 0 ? "root" : "mosquitto"}\n`
    )
    const proc = spawn(MOSQUITTO, ["-c", conf], { stdio: "ignore" })
    const exited = new Promise<void>(res => proc.once("exit", () => res()))
    const url = `mqtt://127.0.0.1:${port}`
    for (let i = 0; ; i++) {
        try {
            const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 500 })
            await c.endAsync()
            break
        } catch {
            if (proc.exitCode !== null || i > 50) throw new Error("mosquitto did not start")
            await sleep(100)
        }
    }
    return { url, proc, exited }
}

async function stopProc(p: { proc: ChildProcess; exited: Promise<void> }, signal: NodeJS.Signals = "SIGTERM") {
    if (p.proc.exitCode !== null || p.proc.signalCode !== null) return
    p.proc.kill(signal)
    const t = setTimeout(() => p.proc.kill("SIGKILL"), 10000)
    await p.exited
    clearTimeout(t)
}

async function api(port: number, method: "GET" | "POST", path: string, body?: object): Promise<any> {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined })
    const j: any = await res.json()
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${j.error}`)
    return j
}

export async function runFleetLoad(o: LoadOptions): Promise<LoadFigures> {
    const log = o.log ?? (() => {})
    const dir = tempDir("fleet-load-")
    const pg = new TempPostgres()
    let broker: Awaited<ReturnType<typeof startMosquitto>> | null = null
    const servers: Proc[] = []
    let fleet: SimFleet | null = null
    let store: PgStore | null = null
    const deadline = Date.now() + o.timeoutMs
    const until = async (what: string, f: () => boolean | Promise<boolean>) => {
        while (!(await f())) {
            if (Date.now() > deadline) throw new Error(`load run: timed out waiting for ${what}`)
            await sleep(200)
        }
    }
    const onExit = () => {
        for (const s of servers) s.proc.kill("SIGKILL")
        broker?.proc.kill("SIGKILL")
    }
    // stopped from outside (a test runner's timeout, ^C): the children go too ('exit' runs the cluster's own hook)
    const onSignal = () => process.exit(130)
    // ahead of tempDir's hook: the children are killed before their folder goes
    process.prependOnceListener("exit", onExit)
    process.once("SIGTERM", onSignal)
    process.once("SIGINT", onSignal)
    try {
        await pg.start()
        broker = await startMosquitto(dir)
        const keys = generateSigningKey()
        const type = "shed2"
        const rel = (version: string) => {
            const img = image(version, o.imageBytes)
            const m: Manifest = { version, board: type, commit: "0".repeat(40), size: img.length, sha256: sha256Hex(img), compiler: "2.16.4", builtAt: new Date().toISOString() }
            return { manifest: signManifest(m, keys.privateKeyPem, keys.publicKeyPem), image: img }
        }
        const [v1, bad, good] = [rel("v1.0.0"), rel("v1.1.0"), rel("v1.2.0")]
        store = await PgStore.open({ url: pg.url(), poolSize: 16 })
        for (const r of [v1, bad, good]) await store.putRelease(r.manifest, r.image)
        const now = Date.now()
        const recs: BoardRecord[] = Array.from({ length: o.boards }, (_, i) => ({
            id: "S" + String(i).padStart(5, "0"),
            deviceId: (0x5eed000000000000n + BigInt(i)).toString(16),
            type,
            wsskKey: randomBytes(32).toString("hex"),
            cmdKey: randomBytes(32).toString("hex"),
            assigned: "v1.0.0",
            hash: v1.manifest.sha256,
            deployedAt: now,
            healthyAt: now,
            crashes: 0,
            fails: 0,
        }))
        for (let k = 0; k < recs.length; k += 32) await Promise.all(recs.slice(k, k + 32).map(r => store!.putBoard(r)))
        log(`${o.boards} boards registered`)

        const serverOpts = (id: string) => ({
            dataDir: join(dir, "unused-" + id),
            databaseUrl: pg.url(),
            serverId: id,
            trust: [keys.publicKeyPem],
            mqttUrl: broker!.url,
            tickMs: 500,
            retryS: 10,
            windowS: 30,
            leaseMs: 5000,
            stepMs: 5000,
        })
        servers.push(await startServer(serverOpts("A")), await startServer(serverOpts("B")))
        const [A, B] = servers
        fleet = new SimFleet(type, [v1, bad, good])
        fleet.ports = [A.port, B.port]
        fleet.writeMs = o.writeMs
        await fleet.start(broker.url, recs, o.mqttConns, { version: "v1.0.0", sha: v1.manifest.sha256 })
        const counted = async (sql: string) => Number((await store!.pool.query(sql)).rows[0].n)
        await until("every boot event taken in", async () => (await counted("SELECT count(*) AS n FROM boards WHERE doc ? 'boot'")) === o.boards)
        log("every board has reported its boot")

        // 1: the bad release: its canaries crash, it rolls back, and reaches nobody else
        const canary1 = recs.slice(0, o.canaries).map(r => r.id)
        for (const b of fleet.boards.slice(0, o.crashers)) b.crashOn = "v1.1.0"
        const t1 = Date.now()
        const r1: Rollout = await api(A.port, "POST", "/api/rollouts", { version: "v1.1.0", canary: canary1, percent: o.percent, soakS: o.soakS, reportS: 120, force: true })
        const rolloutOf = async (id: string): Promise<Rollout> => (await api(A.port, "GET", "/api/rollouts")).find((x: Rollout) => x.id === id)
        await until("the bad release's rollback", async () => (await rolloutOf(r1.id)).stage === "rolled_back")
        const f = fleet
        const reachedBoards = () => f.boards.filter(b => b.everRan.has("v1.1.0"))
        await until("every board that got the bad release back on v1.0.0", () => reachedBoards().every(b => b.running?.version === "v1.0.0"))
        const badMs = Date.now() - t1
        const reached = reachedBoards().length
        const badReason = (await rolloutOf(r1.id)).reason ?? ""
        const back = reachedBoards().filter(b => b.running?.version === "v1.0.0").length
        // what the operator read once it was over
        const badSummary = await api(A.port, "GET", "/api/summary")
        log(`bad release rolled back in ${badMs} ms; it reached ${reached} boards`)

        // 2: the good release, boards dropping mid-deploy, server B killed half way
        const canary2 = recs.slice(o.canaries, 2 * o.canaries).map(r => r.id)
        let dropped = 0
        for (const b of fleet.boards) {
            // a deterministic spread: every (1/dropShare)th board
            if (o.dropShare > 0 && b.i % Math.round(1 / o.dropShare) === 7 % Math.round(1 / o.dropShare)) {
                b.dropArmed = true
                dropped++
            }
        }
        const t2 = Date.now()
        const r2: Rollout = await api(A.port, "POST", "/api/rollouts", { version: "v1.2.0", canary: canary2, percent: o.percent, soakS: o.soakS, reportS: 120, force: true })
        let atKill = -1
        let cutByKill = 0
        let halfAtKill = 0
        if (o.killAt >= 0) {
            await until("the kill point", () => f.count("v1.2.0") >= o.killAt * o.boards)
            // killed in the middle of writing an image: at a moment B holds deploy claims
            for (;;) {
                cutByKill = await counted(`SELECT count(*) AS n FROM boards WHERE claimed_by = 'B'`)
                if (cutByKill > 0 || f.count("v1.2.0") === o.boards) break
                await sleep(2)
            }
            await stopProc(B, "SIGKILL")
            // the claims it died holding (it may have finished one between the look and the kill)
            cutByKill = await counted(`SELECT count(*) AS n FROM boards WHERE claimed_by = 'B'`)
            atKill = f.count("v1.2.0")
            halfAtKill = f.boards.filter(b => !b.running).length
            fleet.ports = [A.port]
            log(`server B killed with ${atKill} boards on v1.2.0 and ${cutByKill} deploys claimed by it`)
        }
        await until("every board on the good release", () => f.count("v1.2.0") === o.boards)
        const goodMs = Date.now() - t2
        await until("the good rollout done", async () => (await rolloutOf(r2.id)).stage === "done")
        const stages = o.canaries ? 1 : 0
        const soakMs = (stages + (o.percent > 0 && o.percent < 100 ? 1 : 0)) * o.soakS * 1000
        log(`good release on every board in ${goodMs} ms`)
        // the servers' records settle (the last boot events)
        await until(
            "the records of every board",
            async () => (await counted(`SELECT count(*) AS n FROM boards WHERE doc->>'version' = 'v1.2.0' AND doc->>'hash' = '${good.manifest.sha256}'`)) === o.boards
        )
        // and what the operator reads settles: a failure one server wrote after the other's
        // success is cleared by the next tick
        let summary: any = null
        await until("the summary settled", async () => {
            summary = await api(A.port, "GET", "/api/summary")
            return summary.versions.every((v: any) => v.failed === 0 && v.updating === 0)
        })
        let duplicated = 0
        for (const b of fleet.boards) for (const n of b.writes.values()) duplicated += Math.max(0, n - 1)
        return {
            boards: o.boards,
            servers: 2,
            imageBytes: good.image.length,
            bad: {
                canaries: o.canaries,
                crashers: o.crashers,
                reached,
                back,
                ms: badMs,
                reason: badReason,
                rolledBack: badSummary.versions.find((v: any) => v.version === "v1.1.0")?.rolledBack ?? 0,
                stagesReached: badSummary.rollout.stages.filter((st: any) => st.reached).map((st: any) => st.stage),
            },
            good: {
                updated: fleet.count("v1.2.0"),
                ms: goodMs,
                soakMs,
                perMinute: Math.round((o.boards / goodMs) * 60000),
                stage: (await rolloutOf(r2.id)).stage,
                dropped,
                cutByKill,
                halfAtKill,
                takenOver: await counted("SELECT count(*) AS n FROM log WHERE msg LIKE 'takes over the deploy B left%'"),
                atKill,
            },
            duplicated,
            halfWritten: fleet.boards.filter(b => !b.running).length,
            recordsAgree: await counted(`SELECT count(*) AS n FROM boards WHERE doc->>'version' = 'v1.2.0' AND doc->>'hash' = '${good.manifest.sha256}'`),
            summary,
        }
    } catch (e) {
        // what the servers were doing, for whoever reads the failure
        const tail = (await store?.pool.query("SELECT * FROM (SELECT * FROM log ORDER BY seq DESC LIMIT 40) x ORDER BY seq").catch((): null => null))?.rows ?? []
        for (const l of tail) log(`  ${new Date(Number(l.t)).toISOString().slice(11, 23)} ${l.board ?? ""} ${l.msg}`)
        const rs = (await store?.pool.query("SELECT doc FROM rollouts").catch((): null => null))?.rows ?? []
        for (const r of rs) log("  rollout " + JSON.stringify(r.doc))
        for (const r of rs)
            for (const id of new Set<string>(String(r.doc.reason ?? "").match(/S\d{5}/g) ?? [])) {
                const lines = (await store?.pool.query("SELECT * FROM log WHERE board = $1 ORDER BY seq", [id]).catch((): null => null))?.rows ?? []
                for (const l of lines) log(`  ${new Date(Number(l.t)).toISOString().slice(11, 23)} ${id} ${l.msg}`)
                const b = fleet?.boards.find(x => x.id === id)
                if (b)
                    log(
                        `  ${id} in the simulation: ${JSON.stringify({ running: b.running?.version, writes: [...b.writes], everRan: [...b.everRan], ws: !!b.ws, crashOn: b.crashOn, dropArmed: b.dropArmed, dropped: b.dropped })}`
                    )
            }
        const n =
            (await store?.pool.query("SELECT doc->>'version' AS v, doc->>'assigned' AS a, doc ? 'healthyAt' AS h, count(*) AS n FROM boards GROUP BY 1, 2, 3").catch((): null => null))?.rows ?? []
        for (const r of n) log("  boards " + JSON.stringify(r))
        throw e
    } finally {
        await fleet?.stop().catch(() => {})
        for (const s of servers) await stopProc(s).catch(() => {})
        await store?.close().catch(() => {})
        if (broker) await stopProc(broker).catch(() => {})
        await pg.stop().catch(() => {})
        process.off("exit", onExit)
        process.off("SIGTERM", onSignal)
        process.off("SIGINT", onSignal)
    }
}
