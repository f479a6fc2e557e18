// The update server against a fleet of stand-in boards: each speaks MQTT as the firmware does
// (replies to `update`, presence, boot events) and the runtime's update channel (handshake,
// sealed frames, get_hash and deploy), so rollouts over many boards, consent and rollback run
// in seconds. The firmware itself is in fleet-e2e.
import { test, before, after } from "node:test"
import assert from "node:assert/strict"
import { createHash, randomBytes } from "node:crypto"
import mqtt, { MqttClient } from "mqtt"
import WebSocket from "ws"
import { startBroker, RunningBroker } from "../../sim/cloud/broker"
import { until } from "../../sim/shed-sim"
import { FleetServer } from "../../fleet/server"
import { DEVS_MAGIC, generateSigningKey, padImage, sha256Hex, signManifest } from "../../fleet/release"
import { bucket } from "../../fleet/rollout"
import { Cmd, open, seal, sessionKey, WSSK_MAGIC } from "../../fleet/wssk"
import { Manifest } from "../../fleet/types"
import { openMessage, signMessage } from "../../host/board-command"
import { payCodeError } from "../../src/core/paycode"
import { payCodesFor } from "../../host/pay-codes"
import { tempDir } from "../support/temp-dir"

const keys = generateSigningKey()
/** sha256 -> version: what a stand-in board "runs" after a deploy of that image */
const versions = new Map<string, string>()

function release(version: string, privateKeyPem = keys.privateKeyPem, publicKeyPem = keys.publicKeyPem): { manifest: Manifest; image: Buffer } {
    const image = padImage(Buffer.concat([DEVS_MAGIC, Buffer.from("\0" + version + "\0"), randomBytes(900)]))
    const sha256 = sha256Hex(image)
    versions.set(sha256, version)
    const manifest = signManifest({ version, board: "shed10", commit: "0".repeat(40), size: image.length, sha256, compiler: "2.16.4", builtAt: new Date().toISOString() }, privateKeyPem, publicKeyPem)
    return { manifest, image }
}

const V1 = release("v1.0.0")
const V2 = release("v2.0.0")
const BAD = release("v3.0.0")

class FakeBoard {
    readonly deviceId = randomBytes(8).toString("hex")
    readonly wsskKey = randomBytes(32).toString("hex")
    readonly cmdKey = randomBytes(32).toString("hex")
    hash: string
    charging = false
    /** versions whose program crashes at boot: no MQTT, exception reports on the channel */
    crashes = new Set<string>()
    /** versions whose program hangs at boot: no MQTT, no reports; the runtime's channel comes back */
    hangs = new Set<string>()
    mq!: MqttClient
    ws: WebSocket | null = null
    deploys = 0
    /** update commands it refused as busy */
    busy = 0
    /** drops its update channel when asked its hash (a board losing its link mid-request) */
    dropOnHash = false
    /** drops its update channel when asked its hash right after a deploy's last write (the read-back) */
    dropOnReadBack = false
    private readBack = false
    /** pay codes stored by socket (checked as the firmware checks them) */
    codes = new Map<number, string>()
    private image: Buffer[] = []
    /** this boot's nonce, as the firmware makes one */
    private nonce = ""

    constructor(
        readonly id: string,
        private broker: string,
        private server: () => number,
        running: { manifest: Manifest }
    ) {
        this.hash = running.manifest.sha256
    }

    get version(): string {
        return versions.get(this.hash)!
    }

    private stopped = false

    /** every MQTT client this board made and has not ended: one a boot, the rest still ending */
    private clients = new Set<MqttClient>()

    /**
     * Ends every client this board made. A board that reboots drops its old connection: a client
     * left behind, with the same id, took the session back from the new one every second (the
     * broker hands a client id's session to its latest connection), and after the broker closed
     * it went on reconnecting, so the test's process never exited and `npm test` hung.
     */
    private async endClients() {
        const all = [...this.clients]
        this.clients.clear()
        await Promise.all(all.map(c => c.endAsync(true)))
    }

    /** the boot under way, if any */
    private booting: Promise<void> = Promise.resolve()

    /**
     * One boot at a time, as on a board. The test's own boot could run beside the one a deploy's
     * new program starts 300 ms after its last write: both connected with the board's client id,
     * the broker closed the first one's connection, and its subscribe failed with `Connection
     * closed` (a CI run failed so).
     */
    boot(): Promise<void> {
        const next = this.booting.catch(() => {}).then(() => this.bootOnce())
        this.booting = next
        return next
    }

    private async bootOnce() {
        if (this.stopped) return
        if (this.crashes.has(this.version)) return this.crashLoop()
        await this.endClients()
        const mq = await mqtt.connectAsync(this.broker, { clientId: "shed-" + this.id, will: { topic: `shed/${this.id}/online`, payload: Buffer.from("offline"), retain: true, qos: 0 } })
        this.clients.add(mq)
        this.mq = mq
        // stopped while connecting: stop() ended the clients before this one
        if (this.stopped) return this.endClients()
        this.mq.on("message", (_t, p) => void this.command(p))
        await this.mq.subscribeAsync(`shed/${this.id}/cmd`)
        await this.mq.publishAsync(`shed/${this.id}/online`, "online", { retain: true })
        this.nonce = randomBytes(8).toString("hex")
        await this.publish("event", { t: "boot", boot: this.nonce, ver: this.version, board: "shed10_esp32", sockets: 10, cfg: "0", resumed: 0 })
    }

    /** signed with the board's key, as the firmware signs everything but `online` */
    private publish(sub: string, body: object) {
        return this.mq.publishAsync(`shed/${this.id}/${sub}`, signMessage(`shed/${this.id}/${sub}`, this.cmdKey, body))
    }

    private async command(payload: Buffer) {
        // the board's own check: a command from the server must carry the board's signature over its bytes
        const c = openMessage(`shed/${this.id}/cmd`, this.cmdKey, payload)
        assert.ok(c, "a command signed with the board's key")
        if (c.boot !== this.nonce) return this.publish("reply", { id: c.id, ok: false, boot: this.nonce, error: "wrong_boot", detail: "" })
        if (c.cmd === "paycode") {
            const e = payCodeError(c.args.code)
            if (!e) this.codes.set(c.args.socket, c.args.code)
            return this.publish(
                "reply",
                e ? { id: c.id, ok: false, boot: this.nonce, error: "bad_args", detail: "code must be a pay code record (" + e + ")" } : { id: c.id, ok: true, boot: this.nonce }
            )
        }
        if (c.cmd !== "update") return
        if (this.charging && !c.args.force) {
            this.busy++
            return this.publish("reply", { id: c.id, ok: false, boot: this.nonce, error: "busy" })
        }
        await this.publish("reply", { id: c.id, ok: true, boot: this.nonce, windowS: c.args.windowS, live: this.charging ? 1 : 0 })
        await this.mq.publishAsync(`shed/${this.id}/online`, "updating", { retain: true })
        await this.mq.endAsync()
        this.channel()
    }

    /** What the runtime does with the socket free: connect the update channel. */
    channel() {
        // a read-back belongs to the deploy of the channel it was on
        this.readBack = false
        const client = randomBytes(16)
        const ws = new WebSocket(`ws://127.0.0.1:${this.server()}/wssk/shed/${this.deviceId}`, "devs-key-" + client.toString("hex"))
        this.ws = ws
        // a server gone (its restart) is a closed channel, as for the runtime
        ws.on("error", () => {})
        let key: Buffer | null = null
        const rx = Buffer.alloc(13)
        const tx = Buffer.alloc(13)
        rx[0] = 2
        tx[0] = 1
        const inc = (n: Buffer) => {
            for (let i = 12; i >= 0; i--) {
                n[i]++
                if (n[i] !== 0) break
            }
        }
        const send = (plain: Buffer) => {
            if (!key || ws.readyState !== WebSocket.OPEN) return
            ws.send(seal(key, tx, plain))
            inc(tx)
        }
        let authed = false
        // a broken program panics at boot, is restarted by the runtime and panics again; each
        // panic's log goes out as a burst of report frames
        const panics = () => {
            if (this.stopped || this.ws !== ws || !this.crashes.has(this.version)) return
            for (const part of ["Error: broken release", "    at main", "DevS-SHA256: 00"]) send(Buffer.concat([Buffer.from([Cmd.ExceptionReport]), Buffer.from(part)]))
            setTimeout(panics, 2500)
        }
        ws.on("message", (data: Buffer) => {
            if (!key) {
                assert.equal(data.readUInt32LE(0), WSSK_MAGIC)
                key = sessionKey(Buffer.from(this.wsskKey, "hex"), client, data.subarray(8, 24))
                send(Buffer.alloc(32))
                return
            }
            const plain = open(key, rx, data)
            inc(rx)
            assert.ok(plain, "a frame from the server opens with the session key")
            if (!authed) {
                authed = true
                panics()
                return
            }
            const cmd = plain[0]
            const p = plain.subarray(1)
            if (cmd === Cmd.GetHash) {
                if (this.dropOnHash || (this.dropOnReadBack && this.readBack)) {
                    ws.close()
                    this.ws = null
                    return
                }
                send(Buffer.concat([Buffer.from([cmd]), Buffer.from(this.hash, "hex")]))
            } else if (cmd === Cmd.DeployStart) {
                this.image = []
                this.readBack = false
                this.hash = "0".repeat(64) // the program is gone from here on
                send(Buffer.from([cmd]))
            } else if (cmd === Cmd.DeployWrite) {
                this.image.push(Buffer.from(p))
                send(Buffer.from([cmd]))
            } else if (cmd === Cmd.DeployFinish) {
                this.hash = createHash("sha256").update(Buffer.concat(this.image)).digest("hex")
                this.readBack = true
                this.deploys++
                send(Buffer.from([cmd]))
                // the new program starts and takes the socket a moment later
                setTimeout(() => {
                    if (this.crashes.has(this.version)) return panics()
                    if (this.hangs.has(this.version)) {
                        ws.close()
                        this.ws = null
                        // the runtime's own retry, with no program holding the socket
                        setTimeout(() => {
                            if (!this.stopped && !this.ws) this.channel()
                        }, 1000)
                        return
                    }
                    ws.close()
                    this.ws = null
                    // the new program boots; a boot cut short by the test's own teardown is no failure
                    this.boot().catch(e => {
                        if (!this.stopped) throw e
                    })
                }, 300)
            }
        })
    }

    private crashLoop() {
        if (!this.ws) this.channel()
    }

    async stop() {
        this.stopped = true
        this.ws?.close()
        await this.endClients()
    }
}

let broker: RunningBroker
let server: FleetServer
let data: string
const lines: string[] = []
const boards: FakeBoard[] = []

async function post(path: string, body: object | string): Promise<{ status: number; body: any }> {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) })
    return { status: res.status, body: await res.json() }
}

async function get(path: string): Promise<any> {
    return (await fetch(`http://127.0.0.1:${server.port}${path}`)).json()
}

async function startServer() {
    server = new FleetServer({ dataDir: data, trust: [keys.publicKeyPem], mqttUrl: broker.url, tickMs: 100, retryS: 1, windowS: 30, log: l => lines.push(l) })
    await server.start()
}

async function finished() {
    for (let i = 0; i < 200; i++) {
        const all: any[] = await get("/api/rollouts")
        if (all.every(x => x.stage === "done" || x.stage === "rolled_back")) return
        await new Promise(r => setTimeout(r, 100))
    }
    throw new Error("the last rollout did not finish")
}

before(async () => {
    broker = await startBroker()
    data = tempDir("fleet-srv-")
    await startServer()
    for (const r of [V1, V2, BAD]) assert.equal((await post("/api/releases", { manifest: r.manifest, image: r.image.toString("base64") })).status, 200)
    for (let i = 0; i < 10; i++) {
        const b = new FakeBoard("B" + i, broker.url, () => server.port, V1)
        assert.equal((await post("/api/boards", { id: b.id, deviceId: b.deviceId, type: "shed10", wsskKey: b.wsskKey, cmdKey: b.cmdKey })).status, 200)
        await b.boot()
        boards.push(b)
    }
    for (let i = 0; i < 100; i++) {
        const listed: any[] = await get("/api/boards")
        if (listed.every(b => b.version === "v1.0.0")) break
        await new Promise(r => setTimeout(r, 50))
    }
})

after(async () => {
    for (const b of boards) await b.stop()
    await server?.stop()
    await broker?.close()
})

test("bad requests get a clear error and change nothing", async () => {
    const before = await get("/api/boards")
    const cases: [string, object | string, number, RegExp][] = [
        ["/api/boards", { id: "bad id!", deviceId: "00".repeat(8), type: "shed10" }, 400, /id/],
        ["/api/boards", { id: "X1", deviceId: "nothex", type: "shed10" }, 400, /deviceId/],
        ["/api/boards", { id: "X1", deviceId: "00".repeat(8), type: "toaster" }, 400, /type/],
        ["/api/boards", { id: "X1", deviceId: boards[0].deviceId, type: "shed10" }, 409, /already board B0/],
        ["/api/boards", "{not json", 400, /not JSON/],
        ["/api/rollouts", { version: "v9.9.9" }, 404, /no release/],
        ["/api/rollouts", { version: "v2.0.0", canary: ["nobody"] }, 400, /unknown canary/],
        ["/api/rollouts", { version: "v2.0.0", percent: 150 }, 400, /percent/],
        ["/api/releases", { manifest: V2.manifest, image: BAD.image.toString("base64") }, 422, /size|sha256/],
        ["/api/releases", { manifest: release("v2.0.0").manifest, image: V2.image.toString("base64") }, 422, /sha256/],
        ["/api/nothing", {}, 404, /no such route/],
    ]
    for (const [path, body, status, re] of cases) {
        const r = await post(path, body)
        assert.equal(r.status, status, path + " " + JSON.stringify(body))
        assert.match(r.body.error, re)
    }
    const other = generateSigningKey()
    const forged = release("v4.0.0", other.privateKeyPem, other.publicKeyPem)
    const f = await post("/api/releases", { manifest: forged.manifest, image: forged.image.toString("base64") })
    assert.equal(f.status, 422)
    assert.match(f.body.error, /unknown key/)
    assert.deepEqual(await get("/api/boards"), before)
    assert.equal((await get("/api/releases")).length, 3)
    assert.equal((await get("/api/rollouts")).length, 0)
})

test("forged board messages are refused with a log line: no version recorded, no restart counted, no reply believed", async () => {
    const b = boards[1]
    const before = (await get("/api/boards")).find((x: any) => x.id === b.id)
    const mq = await mqtt.connectAsync(broker.url)
    const boot = { t: "boot", boot: "0000000000000000", ver: "v9.9.9", board: "shed10_esp32", sockets: 10, cfg: "0", resumed: 0 }
    const n = lines.length
    // unsigned, signed with another key, signed by another board for its own topic
    await mq.publishAsync(`shed/${b.id}/event`, JSON.stringify(boot))
    await mq.publishAsync(`shed/${b.id}/event`, signMessage(`shed/${b.id}/event`, randomBytes(32).toString("hex"), boot))
    await mq.publishAsync(`shed/${b.id}/event`, signMessage(`shed/${boards[2].id}/event`, boards[2].cmdKey, boot))
    await mq.publishAsync(`shed/${b.id}/reply`, JSON.stringify({ id: "fleet-x", ok: true, windowS: 30, live: 0 }))
    await until(() => lines.slice(n).filter(l => l.includes(`${b.id}: refused a message`)).length === 4, 10000, "four refusals logged")
    await mq.endAsync()
    assert.deepEqual(
        (await get("/api/boards")).find((x: any) => x.id === b.id),
        before,
        "the board's record is unchanged"
    )
    assert.ok(!lines.slice(n).some(l => /boot v9/.test(l)))
})

test("pay codes: the operator's new pay URL rendered for every socket and sent signed; bad requests refused before anything is sent", async () => {
    const b = boards[3]
    const tpl = "https://pay.example.org/{board}/s{socket}"
    const r = await post(`/api/boards/${b.id}/paycodes`, { payUrl: tpl })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.deepEqual(
        r.body.replies,
        Array.from({ length: 10 }, (_, i) => ({ socket: i + 1, ok: true }))
    )
    // each socket holds the code the renderer makes for it (its URL names board and socket)
    const want = payCodesFor("shed10", b.id, tpl)
    for (let s = 1; s <= 10; s++) assert.equal(b.codes.get(s), want["qr" + s], `socket ${s}`)
    const cases: [string, object, number, RegExp][] = [
        [b.id, {}, 400, /payUrl/],
        [b.id, { payUrl: "https://pay.example.org/{board}" }, 400, /must contain \{socket\}/],
        [b.id, { payUrl: "https://pay.example.org/a-path-long-enough-to-need-version-4/{board}/{socket}" }, 400, /larger than version 3/],
        ["nobody", { payUrl: tpl }, 404, /no board nobody/],
    ]
    const other = boards[4]
    for (const [id, body, status, re] of cases) {
        const x = await post(`/api/boards/${id}/paycodes`, body)
        assert.equal(x.status, status, JSON.stringify(body))
        assert.match(x.body.error, re)
    }
    for (let s = 1; s <= 10; s++) assert.equal(b.codes.get(s), want["qr" + s], "unchanged by the refused requests")
    assert.equal(other.codes.size, 0)
})

test("a staged rollout: the canary first, then the share of the fleet its bucket picks, then all", { timeout: 60000 }, async () => {
    const order: string[] = []
    server.onProgress = (id, sent, total) => {
        if (sent === total && !order.includes(id)) order.push(id)
    }
    const r = await post("/api/rollouts", { version: "v2.0.0", canary: ["B3"], percent: 40, soakS: 1, reportS: 20 })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.equal(r.body.previous, "v1.0.0")
    await until(() => boards.every(b => b.version === "v2.0.0"), 50000, "every board on v2")
    await finished()
    server.onProgress = undefined
    const inPercent = boards.filter(b => b.id !== "B3" && bucket(b.id, r.body.id) < 40).map(b => b.id)
    assert.equal(order[0], "B3", "the canary first: " + order.join(","))
    assert.deepEqual(order.slice(1, 1 + inPercent.length).sort(), inPercent.sort(), "then the boards of the percent stage: " + order.join(","))
    assert.equal(order.length, 10)
    const listed: any[] = await get("/api/boards")
    for (const b of listed) {
        assert.equal(b.version, "v2.0.0")
        assert.equal(b.wsskKey, undefined, "keys never leave the server")
        assert.equal(b.cmdKey, undefined)
    }
})

test("a charging board is asked again until it is idle; an open channel outside a window is no consent", { timeout: 60000 }, async () => {
    await finished()
    const b = boards[5]
    b.charging = true
    // the runtime can connect between two MQTT connections of a running program
    b.channel()
    const deploys = b.deploys
    const r = await post("/api/rollouts", { version: "v1.0.0", canary: [b.id], percent: 0, soakS: 1, reportS: 20 })
    assert.equal(r.status, 200)
    await until(() => b.busy >= 2, 20000, "asked twice, refused as busy")
    assert.ok(
        lines.some(l => l.includes(`${b.id}: on the update channel outside a window`)),
        "the open channel noticed and left alone"
    )
    assert.equal(b.deploys, deploys, "no deploy while it charges")
    assert.equal(b.version, "v2.0.0")
    b.ws?.close()
    b.charging = false
    await until(() => b.version === "v1.0.0", 20000, "v1 once idle")
    await finished()
    // past its canary the rollout went on to every board (percent 0: no middle stage)
    await until(() => boards.every(x => x.version === "v1.0.0"), 20000, "every board on v1")
})

test("a board that drops its update channel when asked its hash, no deploy under way, has no failed deploy counted", { timeout: 60000 }, async () => {
    await finished()
    const b = boards[6]
    const from = lines.length
    b.dropOnHash = true
    b.channel()
    const seen = () => lines.slice(from).filter(l => l.includes(`${b.id}: `))
    await until(() => seen().some(l => /update channel:|deploy failed/.test(l)), 30000, "the dropped channel noticed").catch(e => {
        throw new Error(`${(e as Error).message}: ${lines.slice(from).join(" / ")}`)
    })
    b.dropOnHash = false
    assert.ok(!seen().some(l => l.includes("deploy failed")), seen().join("\n"))
    const rec = (await get("/api/boards")).find((x: any) => x.id === b.id)
    assert.equal(rec.fails ?? 0, 0, JSON.stringify(rec))
})

test("a crash-looping release is rolled back on every board that got it; the state survives a server restart", { timeout: 60000 }, async () => {
    await finished()
    const canary = boards[7]
    canary.crashes.add("v3.0.0")
    const r = await post("/api/rollouts", { version: "v3.0.0", canary: [canary.id], percent: 100, soakS: 1, reportS: 20 })
    assert.equal(r.status, 200)
    // the last rollout went on past its canary to every board
    assert.equal(r.body.previous, "v1.0.0", "the version the boards run")
    await until(() => lines.some(l => l.includes("exception report")), 20000, "the crash reports")
    const all = async () => (await get("/api/rollouts")).find((x: any) => x.id === r.body.id)
    for (let i = 0; i < 100 && (await all()).stage !== "rolled_back"; i++) await new Promise(res => setTimeout(res, 100))
    const rolled = await all()
    assert.equal(rolled.stage, "rolled_back")
    assert.match(rolled.reason, new RegExp(canary.id))
    assert.match(rolled.reason, /crashed 2 times/, "a panic's burst of report frames is one crash")
    await until(() => canary.version === "v1.0.0", 20000, "the canary back on v1")
    for (let i = 0; i < 100 && (await get("/api/boards")).find((b: any) => b.id === canary.id).version !== "v1.0.0"; i++) await new Promise(res => setTimeout(res, 100))
    assert.ok(
        boards.filter(b => b !== canary).every(b => b.version !== "v3.0.0"),
        "no other board got the broken release"
    )
    // the server's state is in its database
    await server.stop()
    await startServer()
    const after: any[] = await get("/api/rollouts")
    assert.equal(after.find(x => x.id === r.body.id).stage, "rolled_back")
    assert.equal((await get("/api/releases")).length, 3)
    const listed: any[] = await get("/api/boards")
    assert.equal(listed.length, 10)
    assert.equal(listed.find(b => b.id === canary.id).assigned, "v1.0.0")
})

test("a board that stops reporting after a deploy fails the rollout; it gets its previous release back", { timeout: 60000 }, async () => {
    await finished()
    const b = boards[2]
    const v4 = release("v4.0.0")
    assert.equal((await post("/api/releases", { manifest: v4.manifest, image: v4.image.toString("base64") })).status, 200)
    b.hangs.add("v4.0.0")
    const r = await post("/api/rollouts", { version: "v4.0.0", canary: [b.id], percent: 100, soakS: 1, reportS: 3 })
    assert.equal(r.status, 200)
    await until(() => b.version === "v4.0.0", 20000, "the release deployed")
    const all = async () => (await get("/api/rollouts")).find((x: any) => x.id === r.body.id)
    for (let i = 0; i < 100 && (await all()).stage !== "rolled_back"; i++) await new Promise(res => setTimeout(res, 100))
    const rolled = await all()
    assert.equal(rolled.stage, "rolled_back")
    assert.match(rolled.reason, new RegExp(b.id))
    await until(() => b.version === "v1.0.0", 20000, "the board back on v1")
    for (let i = 0; i < 100 && (await get("/api/boards")).find((x: any) => x.id === b.id).version !== "v1.0.0"; i++) await new Promise(res => setTimeout(res, 100))
    assert.ok(
        boards.every(x => x.version !== "v4.0.0"),
        "no board left on the silent release"
    )
})

test("a deploy whose read-back is cut off, its new program booted since, is no failure once the board's hash says so", { timeout: 60000 }, async () => {
    await finished()
    const b = boards[8]
    const v5 = release("v5.0.0")
    assert.equal((await post("/api/releases", { manifest: v5.manifest, image: v5.image.toString("base64") })).status, 200)
    b.dropOnReadBack = true
    const r = await post("/api/rollouts", { version: "v5.0.0", canary: [b.id], percent: 0, soakS: 1, reportS: 20 })
    assert.equal(r.status, 200)
    await until(() => lines.some(l => l.includes(`${b.id}: deploy failed`)) && b.version === "v5.0.0", 20000, "the read-back cut off, the new program booted").catch(e => {
        throw new Error(
            `${(e as Error).message}: ${lines
                .filter(l => l.includes(b.id))
                .slice(-15)
                .join(" / ")}`
        )
    })
    b.dropOnReadBack = false
    const record = async () => (await get("/api/boards")).find((x: any) => x.id === b.id)
    assert.equal((await record()).fails, 1, "counted as failed while nothing says otherwise")
    // another server takes the board's channel (here: this one restarted, with none of its deploys
    // in memory): outside a window, the program running, it only reads the board's hash
    await server.stop()
    await startServer()
    const from = lines.length
    // the board heard from (a board silent for long may be taken at once)
    await b.boot()
    await until(() => lines.slice(from).some(l => l.includes(`${b.id}: boot v5.0.0`)), 10000, "the boot heard")
    b.channel()
    let rec: any = null
    for (let i = 0; i < 200 && rec?.hash !== v5.manifest.sha256; i++) {
        await new Promise(res => setTimeout(res, 100))
        rec = await record()
    }
    assert.equal(rec.hash, v5.manifest.sha256, "the hash read: " + lines.slice(from).join(" / "))
    assert.equal(rec.fails, 0, JSON.stringify(rec))
    assert.equal(rec.retryAt, undefined, JSON.stringify(rec))
})
