// The broker's accounts and ACLs as `fleet broker-config` writes them from the registry, run in
// Debian's Mosquitto (installed by `npm test`'s pretest, tools/apt-ensure.sh) on a port of
// its own, both ways Mosquitto takes them: password_file + acl_file, and the dynamic-security
// plugin. A board reads its own cmd and publishes its own events; another board's credentials
// can neither read that cmd (SUBACK 0x80) nor publish under its topics; nobody but a service
// account publishes cmd; anonymous clients and wrong passwords are refused.
import { test, before, after } from "node:test"
import assert from "node:assert/strict"
import { spawn, ChildProcess } from "node:child_process"
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createServer, AddressInfo } from "node:net"
import { join } from "node:path"
import mqtt, { MqttClient } from "mqtt"
import { FleetServer } from "../../fleet/server"
import { newMqttPassword } from "../../host/provision"
import { ROOT } from "../../host/root"
import { runFleet } from "../support/fleet-cli"
import { signMessage } from "../../host/board-command"
import { randomBytes } from "node:crypto"
import { tempDir } from "../support/temp-dir"

const MOSQUITTO = "/usr/sbin/mosquitto"
let dir: string
let server: FleetServer
const pass = { S01: newMqttPassword(), S02: newMqttPassword() }

const fleet = (...args: string[]) => runFleet(server.port, ...args)

async function freePort(): Promise<number> {
    const s = createServer()
    await new Promise<void>(r => s.listen(0, "127.0.0.1", () => r()))
    const p = (s.address() as AddressInfo).port
    await new Promise<void>(r => s.close(() => r()))
    return p
}

/** Starts Mosquitto on its own port with `conf` (listener and user lines added); resolves once it takes connections. */
async function mosquitto(name: string, conf: string): Promise<{ port: number; proc: ChildProcess; log: () => string }> {
    assert.ok(existsSync(MOSQUITTO), `${MOSQUITTO} missing: npm test installs it (pretest: tools/apt-ensure.sh)`)
    const port = await freePort()
    const file = join(dir, name + ".conf")
    // as root it would drop to the mosquitto user, who cannot read the 0600 files of this test
    writeFileSync(file, `listener ${port} 127.0.0.1\nallow_anonymous false\npersistence false\nlog_dest stderr\nuser ${process.getuid?.() === 0 ? "root" : "mosquitto"}\n${conf}`)
    const proc = spawn(MOSQUITTO, ["-c", file], { stdio: ["ignore", "ignore", "pipe"] })
    let log = ""
    proc.stderr!.on("data", d => (log += d))
    for (let i = 0; ; i++) {
        const ok = await new Promise<boolean>(r => {
            const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 500 })
            c.on("connect", () => r(true))
            c.on("error", e => r(/Not authorized|Bad user/i.test(e.message)))
            c.on("close", () => r(false))
            setTimeout(() => r(false), 600)
        }).catch(() => false)
        if (ok) break
        if (proc.exitCode !== null || i > 50) throw new Error(`mosquitto did not start: ${log}`)
        await new Promise(r => setTimeout(r, 100))
    }
    return { port, proc, log: () => log }
}

/** The SUBACK's return codes (mqtt.js rejects a SUBACK holding 0x80; the codes are on the error's packet). */
async function suback(c: MqttClient, topic: string): Promise<number[]> {
    try {
        return (await c.subscribeAsync(topic)).map(g => g.qos)
    } catch (e: any) {
        if (!e.packet?.granted) throw e
        return e.packet.granted.map((g: any) => (typeof g === "number" ? g : g.qos))
    }
}

function connect(port: number, user?: string, password?: string): Promise<MqttClient> {
    return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        username: user,
        password,
        reconnectPeriod: 0,
        connectTimeout: 3000,
        clientId: (user ?? "anon") + "-" + Math.random().toString(36).slice(2, 8),
    })
}

before(async () => {
    dir = tempDir("fleet-broker-")
    server = new FleetServer({ dataDir: join(dir, "data"), trust: [], token: "t0ken" })
    await server.start()
    await server.register({ id: "S01", deviceId: "0123456789abcdef", type: "shed10", mqttPass: pass.S01 })
    await server.register({ id: "S02", deviceId: "fedcba9876543210", type: "shed2", mqttPass: pass.S02 })
    // a board provisioned before broker accounts existed has none: it is left out, not refused
    await server.register({ id: "S03", deviceId: "00000000000000aa", type: "shed2" })
})

after(async () => {
    await server?.stop()
})

test("broker-config writes the broker's files from the registry: hashes only, readable by the owner only", async () => {
    const r = await fleet("broker-config", "--out", join(dir, "broker"), "--secrets", join(dir, "secrets"))
    assert.equal(r.code, 0, r.out)
    assert.match(r.out, /2 boards, service accounts backend, fleet/)
    const files = readdirSync(join(dir, "broker")).sort()
    assert.deepEqual(files, ["emqx-acl.conf", "emqx-users.csv", "mosquitto-dynsec.json", "mosquitto.acl", "mosquitto.passwd"])
    for (const f of [...files.map(f => join(dir, "broker", f)), join(dir, "secrets/backend.pass")]) assert.equal(statSync(f).mode & 0o077, 0, f)
    const all = files.map(f => readFileSync(join(dir, "broker", f), "utf8")).join("\n")
    for (const p of [pass.S01, pass.S02, readFileSync(join(dir, "secrets/backend.pass"), "utf8").trim()]) assert.ok(!all.includes(p), "no password in the broker's files")
    // as a name (an account, a user, a topic), not inside a random salt or hash ("MS03Mzl..." once failed CI)
    assert.doesNotMatch(all, /(^|["\s/])S03(["':,/]|$)/m, "a board without a broker account")
    const line = /^S01:\$7\$1000\$([^$]+)\$([^$]+)$/m.exec(readFileSync(join(dir, "broker/mosquitto.passwd"), "utf8"))
    assert.ok(line, "S01's line in mosquitto.passwd")
    assert.equal(Buffer.from(line[1], "base64").length, 12, "Mosquitto takes 12-byte salts only")
    assert.equal(Buffer.from(line[2], "base64").length, 64)
    const emqx = readFileSync(join(dir, "broker/emqx-acl.conf"), "utf8")
    assert.match(emqx, /\{allow, \{username, "S01"\}, subscribe, \[\{eq, "shed\/S01\/cmd"\}\]\}\./)
    assert.match(emqx, /\{deny, all\}\.\s*$/)
    // the same passwords again: the service accounts keep theirs
    const before = readFileSync(join(dir, "secrets/fleet.pass"), "utf8")
    assert.equal((await fleet("broker-config", "--out", join(dir, "broker"), "--secrets", join(dir, "secrets"))).code, 0)
    assert.equal(readFileSync(join(dir, "secrets/fleet.pass"), "utf8"), before)
    // refusals change nothing
    const bad = await fleet("broker-config", "--out", join(dir, "broker2"), "--services", "S01")
    assert.notEqual(bad.code, 0)
    assert.match(bad.out, /S01 is also a board id/)
    assert.ok(!existsSync(join(dir, "broker2")))
})

for (const mode of ["password_file + acl_file", "dynamic security"]) {
    test(`Mosquitto (${mode}): each board its own topics, only the backend commands, no anonymous`, { timeout: 60000 }, async () => {
        const b = join(dir, "broker")
        let conf: string
        if (mode === "dynamic security") {
            const plugin = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"].map(d => join(d, "mosquitto_dynamic_security.so")).find(existsSync)
            assert.ok(plugin, "the mosquitto package's dynamic-security plugin")
            // the plugin rewrites its file: a copy
            writeFileSync(join(dir, "dynsec.json"), readFileSync(join(b, "mosquitto-dynsec.json")), { mode: 0o600 })
            conf = `plugin ${plugin}\nplugin_opt_config_file ${join(dir, "dynsec.json")}\n`
        } else conf = `password_file ${join(b, "mosquitto.passwd")}\nacl_file ${join(b, "mosquitto.acl")}\n`
        const m = await mosquitto(mode.replace(/\W+/g, "-"), conf)
        const clients: MqttClient[] = []
        try {
            const backendPass = readFileSync(join(dir, "secrets/backend.pass"), "utf8").trim()
            const backend = await connect(m.port, "backend", backendPass).catch(e => {
                throw new Error("backend: " + e.message + m.log())
            })
            const s01 = await connect(m.port, "S01", pass.S01).catch(e => {
                throw new Error("S01: " + e.message)
            })
            const s02 = await connect(m.port, "S02", pass.S02).catch(e => {
                throw new Error("S02: " + e.message)
            })
            clients.push(backend, s01, s02)
            const seen: { who: string; topic: string; text: string }[] = []
            for (const [who, c] of [
                ["backend", backend],
                ["S01", s01],
                ["S02", s02],
            ] as const)
                c.on("message", (topic, p) => seen.push({ who, topic, text: p.toString() }))
            const until = async (what: string, f: () => boolean) => {
                for (let i = 0; i < 100 && !f(); i++) await new Promise(r => setTimeout(r, 50))
                assert.ok(f(), what + "; seen " + JSON.stringify(seen))
            }

            // subscriptions: a board its own cmd only, the backend everything under shed/. The
            // dynamic-security plugin refuses the others in the SUBACK (0x80); Mosquitto's
            // acl_file does not check subscriptions at all (its source: "FIXME - implement ACL
            // subscription strings"): it grants them and then delivers nothing the reader may
            // not read, which the deliveries below show
            const refused = mode === "dynamic security" ? [128] : [0]
            assert.deepEqual(await suback(s01, "shed/S01/cmd"), [0])
            assert.deepEqual(await suback(s02, "shed/S01/cmd"), refused, "another board's cmd")
            assert.deepEqual(await suback(s02, "shed/#"), refused, "a board listening to the fleet")
            assert.deepEqual(await suback(s02, "shed/S01/event"), refused)
            assert.deepEqual(await suback(s02, "shed/S02/cmd"), [0])
            assert.deepEqual(await suback(backend, "shed/#"), [0])

            // a board's events reach the backend; the backend's command reaches the board
            await s01.publishAsync("shed/S01/event", "real event")
            await until("S01's event at the backend", () => seen.some(s => s.who === "backend" && s.text === "real event"))
            await backend.publishAsync("shed/S01/cmd", "real cmd")
            await until("the backend's command at S01", () => seen.some(s => s.who === "S01" && s.text === "real cmd"))

            // S02 forges under S01's topics, S01 commands itself; then a message of its own as a
            // marker: the broker handles one connection's publishes in order, so once the
            // backend (subscribed to shed/#) has the marker, the forgeries would have come first
            await s02.publishAsync("shed/S01/event", "forged event")
            await s02.publishAsync("shed/S01/cmd", "forged cmd")
            await s02.publishAsync("shed/S01/online", "forged presence")
            await s02.publishAsync("shed/S02/event", "S02 marker")
            await s01.publishAsync("shed/S01/cmd", "self cmd")
            await s01.publishAsync("shed/S01/telemetry", "S01 marker")
            await until("both markers at the backend", () => seen.some(s => s.text === "S02 marker") && seen.some(s => s.text === "S01 marker"))
            // and a last command from the backend, after the forgeries, reaches S01 first-hand
            await backend.publishAsync("shed/S01/cmd", "second cmd")
            await until("the second command at S01", () => seen.some(s => s.who === "S01" && s.text === "second cmd"))
            for (const text of ["forged event", "forged cmd", "forged presence", "self cmd"]) assert.ok(!seen.some(s => s.text === text), `${text} never reached a subscriber: ${JSON.stringify(seen)}`)
            assert.deepEqual(
                seen.filter(s => s.who === "S01").map(s => s.text),
                ["real cmd", "second cmd"]
            )
            assert.ok(!seen.some(s => s.who === "S02" && s.topic.startsWith("shed/S01/")), "S02 got nothing of S01's")

            // the service accounts' usual filters: the backend's per board, the update server's own
            assert.deepEqual(await suback(backend, "shed/S01/#"), [0])
            assert.deepEqual(await suback(backend, "shed/+/event"), [0])
            const fleetPass = readFileSync(join(dir, "secrets/fleet.pass"), "utf8").trim()
            const fs = new FleetServer({ dataDir: join(dir, "fleet-" + mode.replace(/\W+/g, "-")), trust: [], mqttUrl: `mqtt://127.0.0.1:${m.port}`, mqttUser: "fleet", mqttPass: fleetPass })
            await fs.start()
            try {
                const key = randomBytes(32).toString("hex")
                await fs.register({ id: "S01", deviceId: "0123456789abcdef", type: "shed10", cmdKey: key })
                // the board signs what it sends (docs/protocol.md); the update server reads nothing else
                await s01.publishAsync(
                    "shed/S01/event",
                    signMessage("shed/S01/event", key, { t: "boot", boot: "0123456789abcdef", ver: "v9.9.9", board: "shed10_esp32", sockets: 10, cfg: "00000000", resumed: 0 })
                )
                for (let i = 0; i < 100 && (await fs.store.getBoard("S01"))?.version !== "v9.9.9"; i++) await new Promise(r => setTimeout(r, 50))
                assert.equal((await fs.store.getBoard("S01"))?.version, "v9.9.9", "the update server read S01's boot event")
            } finally {
                await fs.stop()
            }

            // anonymous, a wrong password, a board's password under another name: refused
            await assert.rejects(connect(m.port), /Not authorized|Bad User/i, "anonymous")
            await assert.rejects(connect(m.port, "S01", pass.S02), /Not authorized|Bad User/i, "S02's password for S01")
            await assert.rejects(connect(m.port, "backend", pass.S01), /Not authorized|Bad User/i, "a board's password for the backend")
        } finally {
            await Promise.all(clients.map(c => c.endAsync(true)))
            m.proc.kill()
            await new Promise(r => m.proc.once("exit", r))
        }
    })
}
