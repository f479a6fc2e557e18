// The fleet CLI against a running update server: the commands a fleet engineer types, their
// output and their refusals.
import { test, before, after } from "node:test"
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { randomBytes } from "node:crypto"
import { FleetServer } from "../../fleet/server"
import { DEVS_MAGIC, padImage, sha256Hex, signManifest } from "../../fleet/release"
import { ROOT } from "../../host/root"
import { runFleet, TSX } from "../support/fleet-cli"
import { tempDir } from "../support/temp-dir"

let dir: string
let server: FleetServer

const fleet = (...args: string[]) => runFleet(server.port, ...args)

before(async () => {
    dir = tempDir("fleet-cli-")
    // the keys first: the server trusts the public one
    const r = spawnSync(TSX, [join(ROOT, "fleet/cli.ts"), "keygen", "--out", join(dir, "keys")], { encoding: "utf8" })
    assert.equal(r.status, 0, r.stderr)
    server = new FleetServer({ dataDir: join(dir, "data"), trust: [readFileSync(join(dir, "keys/release-signing.pub"), "utf8")], token: "t0ken", tickMs: 200 })
    await server.start()
})

after(async () => {
    await server?.stop()
})

test("keygen writes a key pair; the private key readable by its owner only", () => {
    assert.equal(statSync(join(dir, "keys/release-signing.key")).mode & 0o077, 0)
    assert.match(readFileSync(join(dir, "keys/release-signing.pub"), "utf8"), /BEGIN PUBLIC KEY/)
})

test("upload, boards, rollout, pause and resume; refusals exit non-zero with the server's reason", async () => {
    // a release folder as `fleet release` writes it (the image here is a stand-in, not a build)
    const rel = join(dir, "releases/v1.0.0")
    mkdirSync(rel, { recursive: true })
    const image = padImage(Buffer.concat([DEVS_MAGIC, randomBytes(500)]))
    const m = signManifest(
        { version: "v1.0.0", board: "shed10", commit: "0".repeat(40), size: image.length, sha256: sha256Hex(image), compiler: "2.16.4", builtAt: new Date().toISOString() },
        readFileSync(join(dir, "keys/release-signing.key"), "utf8"),
        readFileSync(join(dir, "keys/release-signing.pub"), "utf8")
    )
    writeFileSync(join(rel, "shed10.devs"), image)
    writeFileSync(join(rel, "shed10.manifest.json"), JSON.stringify(m))
    let r = await fleet("upload", rel)
    assert.equal(r.code, 0, r.out)
    assert.match(r.out, /uploaded v1\.0\.0 for shed10/)
    // the same version with other bytes is refused
    const other = join(dir, "releases/other")
    mkdirSync(other, { recursive: true })
    writeFileSync(join(other, "shed10.devs"), padImage(Buffer.concat([DEVS_MAGIC, randomBytes(500)])))
    writeFileSync(join(other, "shed10.manifest.json"), JSON.stringify(m))
    r = await fleet("upload", other)
    assert.notEqual(r.code, 0)
    assert.match(r.out, /422: release refused: (size|sha256)/)

    await server.register({ id: "S01", deviceId: "0123456789abcdef", type: "shed10" })
    r = await fleet("boards")
    assert.equal(r.code, 0, r.out)
    assert.match(r.out, /board\s+type\s+version\s+assigned/)
    assert.match(r.out, /S01\s+shed10\s+\?\s+-/)

    r = await fleet("rollout", "v1.0.0", "--canary", "S01", "--percent", "20", "--soak", "60")
    assert.equal(r.code, 0, r.out)
    const id = /rollout (\S+):/.exec(r.out)![1]
    assert.match(r.out, /stage canary/)
    r = await fleet("rollout", "v1.0.0")
    assert.notEqual(r.code, 0, "one active rollout at a time")
    assert.match(r.out, /409: .*still canary/)
    r = await fleet("pause", id)
    assert.equal(r.code, 0, r.out)
    assert.match(r.out, /paused/)
    r = await fleet("resume", id)
    assert.equal(r.code, 0, r.out)
    assert.match(r.out, /canary/)
    r = await fleet("boards")
    assert.match(r.out, /S01\s+shed10\s+\?\s+v1\.0\.0/, "assigned by the canary stage")

    r = await fleet("rollout")
    assert.notEqual(r.code, 0)
    assert.match(r.out, /a version is required/)
    r = await fleet("frobnicate")
    assert.equal(r.code, 2)
    assert.match(r.out, /fleet <command>/)
})

test("without the server's token the API refuses", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/boards`)
    assert.equal(res.status, 401)
})

test("paycodes: a bad template, an unknown board and a server without MQTT each exit non-zero with the reason", async () => {
    // a board registered, the server started without --mqtt
    const reg = await fetch(`http://127.0.0.1:${server.port}/api/boards`, {
        method: "POST",
        headers: { authorization: "Bearer t0ken", "content-type": "application/json" },
        body: JSON.stringify({ id: "P1", deviceId: "ab".repeat(8), type: "shed2" }),
    })
    assert.equal(reg.status, 200)
    let r = await fleet("paycodes", "--id", "P1")
    assert.equal(r.code, 1)
    assert.match(r.out, /--url <template> is required/)
    r = await fleet("paycodes", "--id", "P1", "--url", "https://pay.example.com/{board}")
    assert.equal(r.code, 1)
    assert.match(r.out, /must contain \{socket\}/)
    r = await fleet("paycodes", "--id", "P9", "--url", "https://pay.example.com/{board}/{socket}")
    assert.equal(r.code, 1)
    assert.match(r.out, /no board P9/)
    r = await fleet("paycodes", "--id", "P1", "--url", "https://pay.example.com/{board}/{socket}")
    assert.equal(r.code, 1)
    assert.match(r.out, /no MQTT connection/)
})
