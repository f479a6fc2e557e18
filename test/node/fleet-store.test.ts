// The embedded fleet store: records survive a restart and a kill, a corrupted image file is
// refused, and nedb's own fields never leak out; plus the registry's rules every store keeps
// (test/support/registry-rules.ts).
import { test } from "node:test"
import assert from "node:assert/strict"
import { readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { FleetStore } from "../../fleet/store"
import { board, registryRules, release, rollout } from "../support/registry-rules"
import { tempDir } from "../support/temp-dir"

async function withDir(f: (dir: string) => Promise<void>) {
    await f(tempDir("fleet-store-"))
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

test("getRelease refuses an image file corrupted on disk", async () => {
    await withDir(async dir => {
        const s = await FleetStore.open(dir)
        const a = release("v1.0.0", 1)
        const t = Buffer.from(a.image)
        t[40] ^= 1
        await s.putRelease(a.m, a.image)
        writeFileSync(join(dir, "images", a.m.sha256 + ".devs"), t)
        await assert.rejects(s.getRelease("v1.0.0", "shed2"), /does not match its sha256/)
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

registryRules("embedded", async () => FleetStore.open(tempDir("fleet-store-")))
