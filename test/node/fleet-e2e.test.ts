// Field updates end to end: the fleet update server, releases built from git tags and signed,
// the firmware in the VM on the simulated bus, the broker. Each case asserts on what the board
// reports (boot events, replies) and on the relays.
import { test, before, after } from "node:test"
import assert from "node:assert/strict"
import { FleetSim } from "../support/fleet-sim"
import { until } from "../../sim/shed-sim"

const V1 = "v1.0.0"
const V2 = "v1.1.0"
const BAD = "v1.2.0"

let f: FleetSim
const lines: string[] = []

before(async () => {
    f = new FleetSim({
        board: "shed10",
        releases: [
            { tag: V1, edit: "none" },
            { tag: V2, edit: "none" },
            { tag: BAD, edit: "crash-at-boot" },
        ],
        retryS: 4,
        windowS: 60,
        log: l => {
            lines.push(l)
            if (process.env.FLEET_LOG) console.log(l)
        },
    })
    await f.start()
})

after(async () => {
    await f?.stop()
})

function boots(ver: string): number {
    return f.sim.backend.events.filter(e => e.t === "boot" && e.ver === ver).length
}

/** Starts a rollout to this one board once the last one has finished (its stages soak 1 s). */
async function rollout(version: string, extra: object = {}) {
    await f.rolloutsFinished()
    const r = await f.post("/api/rollouts", { version, canary: [f.sim.boardId], percent: 100, soakS: 1, reportS: 60, ...extra })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    return r.body
}

async function rolloutStage(id: string): Promise<string> {
    const all = await f.get("/api/rollouts")
    return all.find((r: any) => r.id === id).stage
}

function log(): string {
    return lines.slice(-40).join("\n")
}

test("releases: the server refuses an unsigned, a tampered and an unknown-key release, and takes the signed ones", { timeout: 60000 }, async () => {
    const r = f.images.get(V1)!
    const { sig: _s, keyId: _k, ...unsigned } = r.manifest
    const a = await f.post("/api/releases", { manifest: unsigned, image: r.image.toString("base64") })
    assert.equal(a.status, 422)
    assert.match(a.body.error, /unsigned/)
    const tampered = Buffer.from(r.image)
    tampered[tampered.length - 40] ^= 1
    const b = await f.post("/api/releases", { manifest: r.manifest, image: tampered.toString("base64") })
    assert.equal(b.status, 422)
    assert.match(b.body.error, /sha256/)
    assert.equal((await f.get("/api/releases")).length, 0, "nothing refused was stored")
    for (const tag of [V1, V2, BAD]) {
        const u = await f.upload(tag)
        assert.equal(u.status, 200, JSON.stringify(u.body))
    }
    assert.equal((await f.get("/api/releases")).length, 3)
    const again = await f.post("/api/rollouts", { version: "v9.9.9" })
    assert.equal(again.status, 404, "a rollout of a release never uploaded")
})

test("v1 while idle: the board opens a window, the server deploys and verifies, the new program reports v1", { timeout: 180000 }, async () => {
    const r = await rollout(V1)
    await until(() => boots(V1) > 0, 120000, "the boot event of v1").catch(e => assert.fail(e.message + "\n" + log()))
    await until(() => f.sim.backend.online, 30000, "the board online")
    const b = await f.board()
    assert.equal(b.version, V1)
    assert.equal(b.hash, f.images.get(V1)!.manifest.sha256, "the hash read back after the deploy")
    for (let i = 0; i < 40 && (await rolloutStage(r.id)) !== "done"; i++) await new Promise(res => setTimeout(res, 250))
    assert.equal(await rolloutStage(r.id), "done")
    for (let s = 1; s <= 10; s++) assert.equal(f.sim.shed.socket(s).relayOn, false)
})

test("v2 while charging: deferred while the session runs, applied once it has ended", { timeout: 240000 }, async () => {
    f.sim.shed.plug(1, { model: "li", soc0: 0.3, seed: 5 })
    const o = await f.sim.backend.pay(1)
    assert.equal(o.startReply?.ok, true, JSON.stringify(o.startReply))
    await until(() => f.sim.shed.socket(1).relayOn, 20000, "relay 1 on")
    await rollout(V2)
    await until(() => lines.some(l => /update deferred: busy/.test(l)), 30000, "a deferred update").catch(e => assert.fail(e.message + "\n" + log()))
    await new Promise(r => setTimeout(r, 6000))
    assert.equal(boots(V2), 0, "no deploy while the session runs")
    assert.equal(f.sim.shed.socket(1).relayOn, true, "the session runs on")
    const st = await f.sim.backend.send("stop", { socket: 1 })
    assert.equal(st.ok, true)
    await until(() => !!o.billed, 30000, "the billing record")
    assert.equal(o.billed!.reason, "remote_stop")
    await until(() => boots(V2) > 0, 120000, "the boot event of v2").catch(e => assert.fail(e.message + "\n" + log()))
    assert.equal((await f.board()).version, V2)
})

test("forced while charging: the session is persisted, the new program resumes it", { timeout: 240000 }, async () => {
    f.sim.shed.plug(2, { model: "li", soc0: 0.3, seed: 6 })
    const o = await f.sim.backend.pay(2)
    assert.equal(o.startReply?.ok, true, JSON.stringify(o.startReply))
    await until(() => f.sim.shed.socket(2).relayOn, 20000, "relay 2 on")
    const before = boots(V1)
    await rollout(V1, { force: true })
    await until(() => boots(V1) > before, 120000, "the boot event of the forced release").catch(e => assert.fail(e.message + "\n" + log()))
    const boot = f.sim.backend.events.filter(e => e.t === "boot" && e.ver === V1).pop()
    assert.equal(boot.resumed, 1, "the boot event counts the resumed session")
    await until(() => f.sim.shed.socket(2).relayOn, 20000, "relay 2 on again under the new program")
    const st = await f.sim.backend.send("status", {})
    assert.equal(st.states[1], "charging", JSON.stringify(st))
    assert.equal(o.billed, undefined, "no record yet: the session goes on")
    const s = await f.sim.backend.send("stop", { socket: 2 })
    assert.equal(s.ok, true)
    await until(() => !!o.billed, 30000, "the billing record")
    assert.equal(o.billed!.reason, "remote_stop")
    assert.ok(o.billed!.energyWh > 0)
})

test("a deploy cut off half-way: the board runs no program, the server redeploys when it comes back", { timeout: 240000 }, async () => {
    let cut = false
    f.server.onProgress = (id, sent, total) => {
        if (!cut && id === f.sim.boardId && sent > total / 2) {
            cut = true
            f.server.closeChannel(id, "link lost (test)")
        }
    }
    const before = boots(V2)
    await rollout(V2)
    await until(() => cut, 90000, "the deploy under way").catch(e => assert.fail(e.message + "\n" + log()))
    f.server.onProgress = undefined
    await until(() => lines.some(l => /deploy failed/.test(l)), 20000, "the failed deploy noted")
    await until(() => boots(V2) > before, 120000, "v2 after the redeploy").catch(e => assert.fail(e.message + "\n" + log()))
    const b = await f.board()
    assert.equal(b.version, V2)
    assert.equal(b.hash, f.images.get(V2)!.manifest.sha256)
    for (let s = 1; s <= 10; s++) assert.equal(f.sim.shed.socket(s).relayOn, false)
})

test("a crash-looping release is rolled back to the previous one", { timeout: 300000 }, async () => {
    const before = boots(V2)
    const r = await rollout(BAD, { reportS: 90 })
    assert.equal(r.previous, V2)
    await until(() => lines.some(l => new RegExp(`deployed ${BAD.replace(/\./g, "\\.")}`).test(l)), 120000, "the broken release deployed").catch(e => assert.fail(e.message + "\n" + log()))
    await until(() => f.sim.vm.log.some(l => /broken release/.test(l)), 30000, "the broken program crashing")
    for (let i = 0; i < 600 && (await rolloutStage(r.id)) !== "rolled_back"; i++) await new Promise(res => setTimeout(res, 250))
    assert.equal(await rolloutStage(r.id), "rolled_back", log())
    await until(() => boots(V2) > before, 150000, "the previous release back").catch(e => assert.fail(e.message + "\n" + log()))
    const b = await f.board()
    assert.equal(b.version, V2)
    assert.equal(b.assigned, V2)
    assert.equal(boots(BAD), 0, "the broken release never reported")
    for (let s = 1; s <= 10; s++) assert.equal(f.sim.shed.socket(s).relayOn, false)
})
