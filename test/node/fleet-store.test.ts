// The fleet store: records survive a restart, a release version is immutable, a board is found
// by its device id, and nedb's own fields never leak out.
import { test } from "node:test"
import assert from "node:assert/strict"
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { FleetStore } from "../../fleet/store"
import { DEVS_MAGIC, padImage, sha256Hex } from "../../fleet/release"
import type { BoardRecord, Manifest, Rollout } from "../../fleet/types"

async function withDir(f: (dir: string) => Promise<void>) {
    const dir = mkdtempSync(join(tmpdir(), "fleet-store-"))
    try {
        await f(dir)
    } finally {
        rmSync(dir, { recursive: true, force: true })
    }
}

function board(id: string, deviceId: string, over: Partial<BoardRecord> = {}): BoardRecord {
    return { id, deviceId, type: "shed2", wsskKey: "a".repeat(64), cmdKey: "b".repeat(64), crashes: 0, fails: 0, ...over }
}

function release(version: string, fill: number, board: Manifest["board"] = "shed2"): { m: Manifest; image: Buffer } {
    const raw = Buffer.alloc(70, fill)
    DEVS_MAGIC.copy(raw)
    const image = padImage(raw)
    const m: Manifest = {
        version,
        board,
        commit: "c".repeat(40),
        size: image.length,
        sha256: sha256Hex(image),
        compiler: "2.16.4",
        builtAt: "2026-01-0" + fill + "T00:00:00.000Z",
        sig: "c2ln",
        keyId: "0123456789abcdef",
    }
    return { m, image }
}

function rollout(id: string, startedAt: number, stage: Rollout["stage"]): Rollout {
    return { id, version: "v1.1.0", previous: "v1.0.0", canary: ["a"], percent: 20, stage, startedAt, stageAt: startedAt, soakS: 60, reportS: 30, force: false }
}

test("boards, releases, rollouts and the log survive close and open, without nedb's _id", async () => {
    await withDir(async dir => {
        const s = await FleetStore.open(dir)
        await s.putBoard(board("a", "00000000000000a1", { assigned: "v1.0.0" }))
        await s.putBoard(board("b", "00000000000000b2"))
        const r1 = release("v1.0.0", 1)
        await s.putRelease(r1.m, r1.image)
        await s.putRollout(rollout("r1", 1000, "canary"))
        await s.log({ t: 5, board: "a", msg: "first" })
        await s.log({ t: 5, msg: "second" })
        await s.close()

        const again = await FleetStore.open(dir)
        assert.deepEqual(await again.getBoard("a"), board("a", "00000000000000a1", { assigned: "v1.0.0" }))
        assert.deepEqual(
            (await again.listBoards()).map(b => b.id),
            ["a", "b"]
        )
        const got = await again.getRelease("v1.0.0", "shed2")
        assert.deepEqual(got!.manifest, r1.m)
        assert.deepEqual(got!.image, r1.image)
        assert.deepEqual(await again.listReleases(), [r1.m])
        assert.deepEqual(await again.getRollout("r1"), rollout("r1", 1000, "canary"))
        assert.deepEqual(await again.logs(), [
            { t: 5, board: "a", msg: "first" },
            { t: 5, msg: "second" },
        ])
        // the log's order carries on after the reopen
        await again.log({ t: 5, msg: "third" })
        assert.deepEqual(
            (await again.logs(2)).map(e => e.msg),
            ["second", "third"]
        )
        for (const x of [await again.getBoard("a"), got!.manifest, await again.getRollout("r1"), ...(await again.logs())])
            assert.ok(!("_id" in (x as object)) && !("seq" in (x as object)), JSON.stringify(x))
        assert.deepEqual(readdirSync(join(dir, "images")), [r1.m.sha256 + ".devs"])
        await again.close()
    })
})

test("putBoard replaces by id; updateBoard sets, removes fields given as undefined, and returns the record", async () => {
    await withDir(async dir => {
        const s = await FleetStore.open(dir)
        await s.putBoard(board("a", "00000000000000a1", { healthyAt: 9 }))
        await s.putBoard(board("a", "00000000000000a1", { assigned: "v2.0.0" }))
        assert.deepEqual(await s.listBoards(), [board("a", "00000000000000a1", { assigned: "v2.0.0" })])
        const u = await s.updateBoard("a", { deployedAt: 100, healthyAt: 200, crashes: 1 })
        assert.deepEqual(u, board("a", "00000000000000a1", { assigned: "v2.0.0", deployedAt: 100, healthyAt: 200, crashes: 1 }))
        const cleared = await s.updateBoard("a", { healthyAt: undefined, assigned: "v2.1.0" })
        assert.equal(cleared!.healthyAt, undefined)
        assert.ok(!("healthyAt" in cleared!))
        assert.equal(cleared!.assigned, "v2.1.0")
        assert.equal(cleared!.deployedAt, 100)
        assert.ok(!("deployedAt" in (await s.updateBoard("a", { deployedAt: undefined }))!))
        assert.deepEqual(await s.updateBoard("a", {}), await s.getBoard("a"))
        assert.equal(await s.updateBoard("nope", { crashes: 3 }), null)
        await assert.rejects(s.updateBoard("a", { id: "b" }), /cannot change the id/)
        const last = await s.getBoard("a")
        assert.deepEqual(last, board("a", "00000000000000a1", { assigned: "v2.1.0", crashes: 1 }))
        await s.close()
        const again = await FleetStore.open(dir)
        assert.deepEqual(await again.getBoard("a"), last)
        await again.close()
    })
})

test("boardByDevice finds a board by its runtime device id; a device cannot be two boards", async () => {
    await withDir(async dir => {
        const s = await FleetStore.open(dir)
        await s.putBoard(board("a", "00000000000000a1"))
        await s.putBoard(board("b", "00000000000000b2"))
        assert.equal((await s.boardByDevice("00000000000000b2"))!.id, "b")
        assert.equal(await s.boardByDevice("00000000000000c3"), null)
        assert.equal(await s.getBoard("c"), null)
        await assert.rejects(s.putBoard(board("c", "00000000000000a1")), /already board a/)
        // a board may move to a new device (a replaced controller)
        await s.putBoard(board("a", "00000000000000d4"))
        assert.equal(await s.boardByDevice("00000000000000a1"), null)
        assert.equal((await s.boardByDevice("00000000000000d4"))!.id, "a")
        await s.close()
    })
})

test("a release version is immutable: the same image again is a no-op, another image is refused", async () => {
    await withDir(async dir => {
        const s = await FleetStore.open(dir)
        const a = release("v1.0.0", 1)
        const b = release("v1.0.0", 2)
        await s.putRelease(a.m, a.image)
        await s.putRelease({ ...a.m }, a.image)
        await assert.rejects(s.putRelease(b.m, b.image), /immutable/)
        // the same image for another board type, or another version, is a release of its own
        await s.putRelease({ ...a.m, board: "shed10" }, a.image)
        await s.putRelease({ ...b.m, version: "v1.0.1" }, b.image)
        await s.close()
        const again = await FleetStore.open(dir)
        assert.equal((await again.getRelease("v1.0.0", "shed2"))!.manifest.sha256, a.m.sha256)
        assert.deepEqual((await again.getRelease("v1.0.1", "shed2"))!.image, b.image)
        assert.equal(await again.getRelease("v1.0.0", "shed2tft"), null)
        assert.equal((await again.listReleases()).length, 3)
        await assert.rejects(again.putRelease(b.m, b.image), /immutable/)
        await again.close()
    })
})

test("putRelease refuses an image the manifest does not name; getRelease refuses a corrupted file", async () => {
    await withDir(async dir => {
        const s = await FleetStore.open(dir)
        const a = release("v1.0.0", 1)
        const t = Buffer.from(a.image)
        t[40] ^= 1
        await assert.rejects(s.putRelease(a.m, t), /not the one the manifest names/)
        assert.equal(await s.getRelease("v1.0.0", "shed2"), null)
        await s.putRelease(a.m, a.image)
        writeFileSync(join(dir, "images", a.m.sha256 + ".devs"), t)
        await assert.rejects(s.getRelease("v1.0.0", "shed2"), /does not match its sha256/)
        await s.close()
    })
})

test("activeRollout is the latest started one that is under way or paused", async () => {
    await withDir(async dir => {
        const s = await FleetStore.open(dir)
        assert.equal(await s.activeRollout(), null)
        await s.putRollout(rollout("r1", 1000, "done"))
        assert.equal(await s.activeRollout(), null)
        await s.putRollout(rollout("r2", 2000, "percent"))
        await s.putRollout(rollout("r3", 3000, "rolled_back"))
        assert.equal((await s.activeRollout())!.id, "r2")
        await s.putRollout(rollout("r4", 4000, "paused"))
        assert.equal((await s.activeRollout())!.id, "r4")
        // putRollout replaces by id
        await s.putRollout({ ...rollout("r4", 4000, "rolled_back"), reason: "board x failed" })
        assert.equal((await s.activeRollout())!.id, "r2")
        assert.equal((await s.getRollout("r4"))!.reason, "board x failed")
        assert.deepEqual(
            (await s.listRollouts()).map(r => r.id),
            ["r1", "r2", "r3", "r4"]
        )
        await s.close()
    })
})

test("logs: newest last, a limit keeps the newest, filtered by board", async () => {
    await withDir(async dir => {
        const s = await FleetStore.open(dir)
        for (let i = 0; i < 10; i++) await s.log({ t: 100 + i, board: i % 2 ? "odd" : "even", msg: "m" + i })
        assert.deepEqual(
            (await s.logs()).map(e => e.msg),
            ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"]
        )
        assert.deepEqual(
            (await s.logs(3)).map(e => e.msg),
            ["m7", "m8", "m9"]
        )
        assert.deepEqual(
            (await s.logs(2, "even")).map(e => e.msg),
            ["m6", "m8"]
        )
        assert.deepEqual(await s.logs(0), [])
        assert.equal((await s.logs(NaN)).length, 10)
        await s.close()
    })
})

test("every change is on disk at once: a server killed without close() loses nothing", async () => {
    await withDir(async dir => {
        const s = await FleetStore.open(dir)
        await s.putBoard(board("a", "00000000000000a1"))
        await s.updateBoard("a", { assigned: "v1.0.0", crashes: 2 })
        await s.putRollout(rollout("r1", 1000, "all"))
        await s.log({ t: 1, msg: "x" })
        // no close: a second store reads the same files as a restarted server would
        const other = await FleetStore.open(dir)
        assert.deepEqual(await other.getBoard("a"), board("a", "00000000000000a1", { assigned: "v1.0.0", crashes: 2 }))
        assert.equal((await other.activeRollout())!.id, "r1")
        assert.deepEqual(await other.logs(), [{ t: 1, msg: "x" }])
    })
})
