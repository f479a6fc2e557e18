// The rollout API's refusals and the operator's rollback, against a server with no broker (no
// board needs to answer: these are decisions on the registry alone).
import { test, after } from "node:test"
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { FleetServer } from "../../fleet/server"
import { DEVS_MAGIC, generateSigningKey, padImage, sha256Hex, signManifest } from "../../fleet/release"
import { tempDir } from "../support/temp-dir"

const keys = generateSigningKey()
const servers: FleetServer[] = []

function release(version: string) {
    const image = padImage(Buffer.concat([DEVS_MAGIC, Buffer.from("\0" + version + "\0"), randomBytes(200)]))
    const manifest = signManifest(
        { version, board: "shed10", commit: "0".repeat(40), size: image.length, sha256: sha256Hex(image), compiler: "2.16.4", builtAt: new Date().toISOString() },
        keys.privateKeyPem,
        keys.publicKeyPem
    )
    return { manifest, image: image.toString("base64") }
}

async function server(releases: string[]) {
    const data = tempDir("fleet-api-")
    const s = new FleetServer({ dataDir: data, trust: [keys.publicKeyPem], tickMs: 60000 })
    await s.start()
    servers.push(s)
    const call = async (method: string, path: string, body?: object) => {
        const res = await fetch(`http://127.0.0.1:${s.port}${path}`, { method, headers: { "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined })
        return { status: res.status, body: (await res.json()) as any }
    }
    for (const v of releases) assert.equal((await call("POST", "/api/releases", release(v))).status, 200)
    const board = (id: string, extra: object = {}) => call("POST", "/api/boards", { id, deviceId: randomBytes(8).toString("hex"), type: "shed10", ...extra })
    return { call, board }
}

after(async () => {
    for (const s of servers) await s.stop()
})

test("a rollout on a server without boards is refused: no stage may pass with no board in it", async () => {
    const { call } = await server(["v1.0.0"])
    const r = await call("POST", "/api/rollouts", { version: "v1.0.0", percent: 100, soakS: 1 })
    assert.equal(r.status, 400, JSON.stringify(r.body))
    assert.match(r.body.error, /no board in scope/)
    assert.deepEqual((await call("GET", "/api/rollouts")).body, [], "nothing stored")
})

test("the first release has nothing to roll back to: the rollout says so, and rollback refuses", async () => {
    const { call, board } = await server(["v1.0.0"])
    // a board that runs a dev build: its version is no release of the server's
    assert.equal((await board("S1")).status, 200)
    const self = await call("POST", "/api/rollouts", { version: "v1.0.0", percent: 100, previous: "v1.0.0" })
    assert.equal(self.status, 400)
    assert.match(self.body.error, /previous: v1\.0\.0 is the version this rollout gives/)
    const none = await call("POST", "/api/rollouts", { version: "v1.0.0", percent: 100, previous: "v0.9.0" })
    assert.equal(none.status, 400)
    assert.match(none.body.error, /no release v0\.9\.0/)
    const r = await call("POST", "/api/rollouts", { version: "v1.0.0", percent: 100 })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.equal(r.body.previous, undefined, "never its own version")
    await (servers[servers.length - 1] as any).tick()
    const rb = await call("POST", `/api/rollouts/${r.body.id}/rollback`)
    assert.equal(rb.status, 409, JSON.stringify(rb.body))
    assert.match(rb.body.error, /nothing to roll back to: S1 had no release before v1\.0\.0/)
    const after = (await call("GET", "/api/rollouts")).body
    assert.equal(after[0].stage, "all", "the refused rollback changed nothing")
    // paused and resumed, it carries on at its first stage (every board at once: there is no percent stage)
    assert.equal((await call("POST", `/api/rollouts/${r.body.id}/pause`)).body.stage, "paused")
    assert.equal((await call("POST", `/api/rollouts/${r.body.id}/resume`)).body.stage, "all")
    assert.equal((await call("GET", "/api/boards")).body[0].assigned, "v1.0.0")
})

test("the operator rolls the latest rollout back: its boards go back to the release they ran; only once", async () => {
    const { call, board } = await server(["v1.0.0", "v1.1.0"])
    assert.equal((await board("A", { assigned: "v1.0.0" })).status, 200)
    assert.equal((await board("B", { assigned: "v1.0.0" })).status, 200)
    const r = await call("POST", "/api/rollouts", { version: "v1.1.0", percent: 100 })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.equal(r.body.previous, "v1.0.0")
    // the server's tick gives the boards the version (its timer is slow here: one step by hand)
    await (servers[servers.length - 1] as any).tick()
    assert.deepEqual(
        (await call("GET", "/api/boards")).body.map((b: any) => [b.id, b.assigned, b.previous]),
        [
            ["A", "v1.1.0", "v1.0.0"],
            ["B", "v1.1.0", "v1.0.0"],
        ]
    )
    assert.equal((await call("POST", "/api/rollouts/nope/rollback")).status, 404)
    const rb = await call("POST", `/api/rollouts/${r.body.id}/rollback`)
    assert.equal(rb.status, 200, JSON.stringify(rb.body))
    assert.equal(rb.body.rollout.stage, "rolled_back")
    assert.deepEqual(rb.body.assign, [
        { id: "A", version: "v1.0.0" },
        { id: "B", version: "v1.0.0" },
    ])
    assert.deepEqual(
        (await call("GET", "/api/boards")).body.map((b: any) => b.assigned),
        ["v1.0.0", "v1.0.0"]
    )
    const again = await call("POST", `/api/rollouts/${r.body.id}/rollback`)
    assert.equal(again.status, 409)
    assert.match(again.body.error, /rolled back already/)
})
