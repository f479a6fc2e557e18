// The fleet registry's rules, one set for every store (test/node/fleet-store.test.ts runs it on
// the embedded store, test/node/fleet-pg.test.ts on PostgreSQL): boards by id and by device,
// immutable releases, the active rollout, the log.
import { test } from "node:test"
import assert from "node:assert/strict"
import { DEVS_MAGIC, padImage, sha256Hex } from "../../fleet/release"
import type { Registry } from "../../fleet/store"
import type { BoardRecord, Manifest, Rollout } from "../../fleet/types"

export function board(id: string, deviceId: string, over: Partial<BoardRecord> = {}): BoardRecord {
    return { id, deviceId, type: "shed2", wsskKey: "a".repeat(64), cmdKey: "b".repeat(64), crashes: 0, fails: 0, ...over }
}

export function release(version: string, fill: number, boardType: Manifest["board"] = "shed2"): { m: Manifest; image: Buffer } {
    const raw = Buffer.alloc(70, fill)
    DEVS_MAGIC.copy(raw)
    const image = padImage(raw)
    const m: Manifest = {
        version,
        board: boardType,
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

export function rollout(id: string, startedAt: number, stage: Rollout["stage"]): Rollout {
    return { id, version: "v1.1.0", previous: "v1.0.0", canary: ["a"], percent: 20, stage, startedAt, stageAt: startedAt, soakS: 60, reportS: 30, force: false }
}

/** Each rule a test of its own, on a fresh store from `open`. */
export function registryRules(kind: string, open: () => Promise<Registry>) {
    async function withStore(f: (s: Registry) => Promise<void>) {
        const s = await open()
        try {
            await f(s)
        } finally {
            await s.close()
        }
    }

    test(`${kind}: putBoard replaces by id; updateBoard sets, removes fields given as undefined, and returns the record`, () =>
        withStore(async s => {
            await s.putBoard(board("b", "00000000000000b2"))
            await s.putBoard(board("a", "00000000000000a1", { healthyAt: 9 }))
            await s.putBoard(board("a", "00000000000000a1", { assigned: "v2.0.0" }))
            assert.deepEqual(await s.listBoards(), [board("a", "00000000000000a1", { assigned: "v2.0.0" }), board("b", "00000000000000b2")])
            const u = await s.updateBoard("a", { deployedAt: 100, healthyAt: 200, crashes: 1 })
            assert.deepEqual(u, board("a", "00000000000000a1", { assigned: "v2.0.0", deployedAt: 100, healthyAt: 200, crashes: 1 }))
            const cleared = (await s.updateBoard("a", { healthyAt: undefined, assigned: "v2.1.0" }))!
            assert.ok(!("healthyAt" in cleared))
            assert.equal(cleared.assigned, "v2.1.0")
            assert.equal(cleared.deployedAt, 100)
            assert.ok(!("deployedAt" in (await s.updateBoard("a", { deployedAt: undefined }))!))
            assert.deepEqual(await s.updateBoard("a", {}), await s.getBoard("a"))
            assert.equal(await s.updateBoard("nope", { crashes: 3 }), null)
            await assert.rejects(s.updateBoard("a", { id: "b" }), /cannot change the id/)
            assert.deepEqual(await s.getBoard("a"), board("a", "00000000000000a1", { assigned: "v2.1.0", crashes: 1 }))
        }))

    test(`${kind}: boardByDevice finds a board by its runtime device id; a device cannot be two boards`, () =>
        withStore(async s => {
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
        }))

    test(`${kind}: a release version is immutable; an image the manifest does not name is refused`, () =>
        withStore(async s => {
            const a = release("v1.0.0", 1)
            const b = release("v1.0.0", 2)
            const t = Buffer.from(a.image)
            t[40] ^= 1
            await assert.rejects(s.putRelease(a.m, t), /not the one the manifest names/)
            assert.equal(await s.getRelease("v1.0.0", "shed2"), null)
            await s.putRelease(a.m, a.image)
            await s.putRelease({ ...a.m }, a.image)
            await assert.rejects(s.putRelease(b.m, b.image), /immutable/)
            // the same image for another board type, or another version, is a release of its own
            await s.putRelease({ ...a.m, board: "shed10" }, a.image)
            await s.putRelease({ ...b.m, version: "v1.0.1" }, b.image)
            assert.deepEqual((await s.getRelease("v1.0.0", "shed2"))!.image, a.image)
            assert.deepEqual((await s.getRelease("v1.0.0", "shed2"))!.manifest, a.m)
            assert.deepEqual((await s.getRelease("v1.0.1", "shed2"))!.image, b.image)
            assert.equal(await s.getRelease("v1.0.0", "shed2tft"), null)
            assert.equal(await s.getRelease("v9", "shed2"), null)
            assert.equal((await s.listReleases()).length, 3)
        }))

    test(`${kind}: activeRollout is the latest started one that is under way or paused`, () =>
        withStore(async s => {
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
        }))

    test(`${kind}: logs: newest last, a limit keeps the newest, filtered by board`, () =>
        withStore(async s => {
            // two entries a millisecond: their order is the order written
            for (let i = 0; i < 10; i++) await s.log({ t: 100 + (i >> 1), board: i % 2 ? "odd" : "even", msg: "m" + i })
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
            assert.deepEqual((await s.logs(1))[0], { t: 104, board: "odd", msg: "m9" })
            assert.deepEqual(await s.logs(0), [])
            assert.equal((await s.logs(NaN)).length, 10)
        }))
}
