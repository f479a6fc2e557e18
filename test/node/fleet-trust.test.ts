// The fleet side's trust: the API is not open to the network without a token, the registry
// (every board's keys) is its owner's alone, provisioning gives each board TLS and its own
// broker account and prints no key, and the update channel tells nobody which device ids exist.
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFile } from "node:child_process"
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import WebSocket from "ws"
import { addServiceProvider, CloudConfigurationCmd, JDBus, JDServiceServer, SettingsServer, SRV_CLOUD_CONFIGURATION, SRV_SETTINGS } from "jacdac-ts"
import { FleetServer } from "../../fleet/server"
import { provisionBoard } from "../../host/provision"
import { verifyMqttPassword } from "../../fleet/broker-config"
import { generateSigningKey } from "../../fleet/release"
import { startHub } from "../../sim/bus/hub"
import { payCodeError } from "../../src/core/paycode"
import { ROOT } from "../../host/root"
import { tempDir } from "../support/temp-dir"

const TSX = join(ROOT, "node_modules/.bin/tsx")

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
    return new Promise(res => {
        execFile(TSX, [join(ROOT, "fleet/cli.ts"), ...args], { encoding: "utf8", env: { ...process.env, FLEET_TOKEN: "", ...env }, timeout: 60000 }, (err, stdout, stderr) => {
            res({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, out: stdout + stderr })
        })
    })
}

/** A board on a bus of our own: the runtime's Settings and Cloud Configuration services. */
function fakeBoard() {
    const bus = new JDBus([], { client: false, disableRoleManager: true })
    bus.start()
    const settings = new SettingsServer()
    const cc = new JDServiceServer(SRV_CLOUD_CONFIGURATION)
    const board = {
        bus,
        conn: "",
        // JSON text, but the pay codes: their bytes, read back here as the record's hex
        settings: () =>
            Object.fromEntries(Object.entries((settings as any).settings as Record<string, string>).map(([k, v]) => [k, /^qr\d+$/.test(k) ? v : JSON.parse(Buffer.from(v, "hex").toString())])),
    }
    ;(cc as any).addCommand(CloudConfigurationCmd.SetConnectionString, (pkt: any) => {
        board.conn = pkt.jdunpack("s")[0]
    })
    addServiceProvider(bus, { name: "board", serviceClasses: [SRV_SETTINGS, SRV_CLOUD_CONFIGURATION], services: () => [settings, cc] } as any)
    return board
}

test("without a token the API listens on localhost only: a public address is refused, by the server and the CLI", async () => {
    const trust = [generateSigningKey().publicKeyPem]
    for (const host of ["0.0.0.0", "::", "192.0.2.1"]) {
        const s = new FleetServer({ dataDir: tempDir("fleet-trust-"), trust, host })
        await assert.rejects(s.start(), /needs a token \(FLEET_TOKEN\) to listen on/, host)
    }
    const local = new FleetServer({ dataDir: tempDir("fleet-trust-"), trust, host: "127.0.0.1" })
    await local.start()
    await local.stop()
    const open = new FleetServer({ dataDir: tempDir("fleet-trust-"), trust, host: "0.0.0.0", token: "t0ken" })
    await open.start()
    assert.equal((await fetch(`http://127.0.0.1:${open.port}/api/boards`)).status, 401)
    assert.equal((await fetch(`http://127.0.0.1:${open.port}/api/boards`, { headers: { authorization: "Bearer t0kem" } })).status, 401)
    assert.equal((await fetch(`http://127.0.0.1:${open.port}/api/boards`, { headers: { authorization: "Bearer t0ken" } })).status, 200)
    await open.stop()
    // the CLI's default address is every interface: without FLEET_TOKEN it does not start
    const d = tempDir("fleet-trust-")
    writeFileSync(join(d, "k.pub"), trust[0])
    const r = await cli(["server", "--trust", join(d, "k.pub"), "--port", "0", "--data", join(d, "data")], {})
    assert.notEqual(r.code, 0)
    assert.match(r.out, /needs a token \(FLEET_TOKEN\) to listen on 0\.0\.0\.0/)
})

test("the registry's folder and files are its owner's alone, also when they were made readable before", async () => {
    const d = tempDir("fleet-trust-")
    const data = join(d, "data")
    mkdirSync(data, { mode: 0o755 })
    writeFileSync(join(data, "boards.db"), "", { mode: 0o644 })
    chmodSync(join(data, "boards.db"), 0o644)
    const s = new FleetServer({ dataDir: data, trust: [] })
    await s.start()
    await s.register({ id: "S01", deviceId: "0123456789abcdef", type: "shed10" })
    const check = (when: string) => {
        assert.equal(statSync(data).mode & 0o077, 0, `${when}: the folder`)
        for (const f of readdirSync(data)) assert.equal(statSync(join(data, f)).mode & 0o077, 0, `${when}: ${f}`)
    }
    check("running")
    await s.stop()
    check("stopped (files compacted)")
})

test("the update channel answers an unknown device as it answers a known one with a wrong key", { timeout: 30000 }, async () => {
    const s = new FleetServer({ dataDir: tempDir("fleet-trust-"), trust: [] })
    await s.start()
    try {
        await s.register({ id: "S01", deviceId: "0123456789abcdef", type: "shed10" })
        /** what an attacker without the key sees: the upgrade's answer, the hello, the end after its proof */
        const probe = (deviceId: string) =>
            new Promise<string>(res => {
                const events: string[] = []
                const ws = new WebSocket(`ws://127.0.0.1:${s.port}/wssk/shed/${deviceId}`, "devs-key-" + randomBytes(16).toString("hex"))
                ws.on("unexpected-response", (_req, r) => {
                    events.push("http " + r.statusCode)
                    res(events.join(", "))
                })
                ws.on("open", () => events.push("open"))
                ws.on("message", (data: Buffer) => {
                    events.push(`frame ${data.length} bytes`)
                    // after the hello and the server's sealed proof, a proof sealed with a guessed key
                    if (events.filter(e => e.startsWith("frame")).length === 2) ws.send(randomBytes(36))
                })
                ws.on("close", () => {
                    events.push("closed")
                    res(events.join(", "))
                })
                ws.on("error", () => {})
            })
        const known = await probe("0123456789abcdef")
        const unknown = await probe("fedcba9876543210")
        assert.equal(known, "open, frame 24 bytes, frame 36 bytes, closed")
        assert.equal(unknown, known)
    } finally {
        await s.stop()
    }
})

test("provisioning: TLS by default, the board's own broker account (its hash in the registry), keys in a 0600 file and never printed", { timeout: 90000 }, async () => {
    const d = tempDir("fleet-trust-")
    const s = new FleetServer({ dataDir: join(d, "data"), trust: [], token: "t0ken" })
    await s.start()
    const board = fakeBoard()
    // the hub from the start, as `devs devtools` runs before a board is plugged
    const hub = await startHub(board.bus)
    try {
        const p = await provisionBoard(board.bus, {
            api: `http://127.0.0.1:${s.port}`,
            token: "t0ken",
            serverHost: "fleet.example",
            serverPort: 8090,
            id: "S01",
            type: "shed10",
            mqttHost: "broker.example",
            mqttPort: 8883,
        })
        const set = board.settings()
        // every socket's pay code, whole, as its bytes
        for (let k = 1; k <= 10; k++) assert.equal(payCodeError(set["qr" + k]), "", `qr${k}`)
        assert.equal(set.mqttProto, "tls")
        assert.equal(set.mqttUser, "S01")
        assert.match(set.mqttPass, /^[A-Za-z0-9_-]{32}$/)
        assert.equal(set.boardKey, p.cmdKey)
        const rec = (await s.store.getBoard("S01"))!
        assert.ok(rec.mqttAuth && verifyMqttPassword(set.mqttPass, rec.mqttAuth), "the registry holds the password's hash")
        assert.equal((rec as any).mqttPass, undefined)
        await s.stop()
        for (const f of readdirSync(join(d, "data"))) if (f.endsWith(".db")) assert.ok(!readFileSync(join(d, "data", f), "utf8").includes(set.mqttPass), "no broker password in " + f)
        await s.start()
        const listed = (await (await fetch(`http://127.0.0.1:${s.port}/api/boards`, { headers: { authorization: "Bearer t0ken" } })).json()) as any[]
        assert.equal(listed[0].mqttAuth, undefined, "the API lists no hashes")

        // the CLI, over the hub as `devs devtools` offers the board (provisioned again: new
        // keys, a new broker password): nothing secret on its output
        {
            const keys = join(d, "keys")
            const r = await cli(
                ["provision", "--id", "S01", "--type", "shed10", "--mqtt", "broker.example", "--server", "fleet.example:8090", "--hub", String(hub.port), "--keys", keys, "--lang", "en"],
                {
                    FLEET_API: `http://127.0.0.1:${s.port}`,
                    FLEET_TOKEN: "t0ken",
                }
            )
            assert.equal(r.code, 0, r.out)
            const set2 = board.settings()
            assert.equal(set2.boardId, "S01")
            assert.notEqual(set2.mqttPass, set.mqttPass, "a new broker password")
            assert.equal(set2.mqttPort, 8883, "TLS's port by default")
            assert.equal(set2.mqttProto, "tls")
            assert.equal(set2.lang, "en", "the riders' language as asked")
            assert.equal(set.lang, "zh", "Chinese when not asked")
            const file = join(keys, "S01.json")
            assert.ok(existsSync(file))
            assert.equal(statSync(file).mode & 0o077, 0)
            assert.equal(statSync(keys).mode & 0o077, 0)
            assert.equal(JSON.parse(readFileSync(file, "utf8")).cmdKey, set2.boardKey)
            for (const secret of [set2.boardKey, set2.mqttPass, /wssk:([0-9a-f]{64})@/.exec(board.conn)![1] as string]) assert.ok(!r.out.includes(secret), "printed a secret: " + r.out)
            assert.match(r.out, new RegExp(`command key for the operator's backend is in ${file.replace(/[/.]/g, "\\$&")}`))
            // a bad protocol changes nothing
            const bad = await cli(["provision", "--id", "S03", "--type", "shed2", "--mqtt", "b", "--server", "f:1", "--mqtt-proto", "ssl", "--hub", String(hub.port)], {
                FLEET_API: `http://127.0.0.1:${s.port}`,
                FLEET_TOKEN: "t0ken",
            })
            assert.notEqual(bad.code, 0)
            assert.match(bad.out, /--mqtt-proto: tls or tcp/)
            assert.equal(await s.store.getBoard("S03"), null)
            // nor does a language the board cannot show
            const fr = await cli(["provision", "--id", "S04", "--type", "shed2", "--mqtt", "b", "--server", "f:1", "--hub", String(hub.port), "--lang", "fr"], {
                FLEET_API: `http://127.0.0.1:${s.port}`,
                FLEET_TOKEN: "t0ken",
            })
            assert.notEqual(fr.code, 0)
            assert.match(fr.out, /--lang: zh or en/)
            assert.equal(await s.store.getBoard("S04"), null)
        }
    } finally {
        await hub.close()
        board.bus.stop()
        await s.stop()
    }
})

test("a bad broker password is refused with a clear error and registers nothing", async () => {
    const s = new FleetServer({ dataDir: tempDir("fleet-trust-"), trust: [] })
    await s.start()
    try {
        for (const bad of ["short", "x".repeat(65), "has:colon-and-more-than-16", "with space and more than 16", 12345678901234567]) {
            const res = await fetch(`http://127.0.0.1:${s.port}/api/boards`, { method: "POST", body: JSON.stringify({ id: "S09", deviceId: "0123456789abcdef", type: "shed10", mqttPass: bad }) })
            assert.equal(res.status, 400, String(bad))
            assert.match(((await res.json()) as any).error, /mqttPass: 16-64 letters, digits, _ or -/)
        }
        assert.equal(await s.store.getBoard("S09"), null)
        assert.deepEqual(await s.brokerAccounts(), [])
    } finally {
        await s.stop()
    }
})
