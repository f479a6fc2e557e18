// The registry on PostgreSQL, against a real server this test starts (test/support/pg.ts): the
// same records and rules as the embedded store (test/support/registry-rules.ts), migrations applied once
// and recorded, and what several update servers need: one claim per board however many servers
// race for it, a lease that runs out, an outcome written with the claim's release or not at all,
// one rollout step at a time.
import { after, before, test } from "node:test"
import assert from "node:assert/strict"
import pg from "pg"
import { FleetStore, Registry } from "../../fleet/store"
import type { BoardRecord } from "../../fleet/types"
import { PgStore } from "../../fleet/pg-store"
import { migrations } from "../../fleet/migrate"
import { board, registryRules, rollout } from "../support/registry-rules"
import { TempPostgres } from "../support/pg"
import { FleetServer } from "../../fleet/server"
import { signMessage } from "../../host/board-command"
import { tempDir } from "../support/temp-dir"

const server = new TempPostgres()
let dbs = 0

before(async () => {
    await server.start()
})

after(async () => {
    await server.stop()
})

/** a PostgreSQL store on a fresh database of its own */
async function pgStore(): Promise<PgStore> {
    return PgStore.open({ url: server.createDb("t" + ++dbs) })
}

async function embedded(): Promise<FleetStore> {
    return FleetStore.open(tempDir("fleet-store-"))
}

const KINDS: [string, () => Promise<Registry>][] = [
    ["embedded", embedded],
    ["postgres", pgStore],
]

registryRules("postgres", pgStore)

for (const [kind, open] of KINDS) {
    test(`${kind}: a deploy claim is one server's until its lease runs out; its outcome is written with the claim's release`, async () => {
        const s = await open()
        try {
            await s.putBoard(board("a", "00000000000000a1", { assigned: "v2" }))
            const first = await s.claimDeploy("a", "s1", 1000, 500)
            assert.ok(first && first.claimedBy === undefined)
            assert.equal(await s.claimDeploy("a", "s2", 1400, 500), null, "s1's lease runs to 1500")
            assert.ok(await s.renewClaim("a", "s1", 1400, 500))
            assert.equal(await s.claimDeploy("a", "s2", 1800, 500), null, "renewed to 1900")
            assert.equal(await s.finishDeploy("a", "s2", () => ({ hash: "x" })), null, "not s2's claim")
            assert.equal((await s.getBoard("a"))!.hash, undefined)
            // s1 is killed: its lease runs out, s2 takes the board and learns whose it was
            const taken = await s.claimDeploy("a", "s2", 2000, 500)
            assert.equal(taken!.claimedBy, "s1")
            assert.equal(await s.renewClaim("a", "s1", 2000, 500), false)
            assert.equal(await s.finishDeploy("a", "s1", () => ({ hash: "late" })), null, "s1's late outcome is not written")
            const done = await s.finishDeploy("a", "s2", cur => ({ hash: "h", deployedAt: cur.assigned === "v2" ? 2100 : undefined }))
            assert.equal(done!.hash, "h")
            assert.equal(done!.deployedAt, 2100)
            assert.equal(done!.claimedBy, undefined)
            assert.equal(done!.claimUntil, undefined)
            // an outcome that fails half way writes nothing and keeps the claim
            await s.claimDeploy("a", "s2", 3000, 500)
            await assert.rejects(
                s.finishDeploy("a", "s2", () => {
                    throw new Error("killed")
                }),
                /killed/
            )
            const b = (await s.getBoard("a"))!
            assert.equal(b.claimedBy, "s2")
            assert.equal(b.deployedAt, 2100)
            // mutateBoard: a patch of the board as it is, or nothing
            assert.equal(await s.mutateBoard("a", () => null), null)
            assert.equal((await s.mutateBoard("a", cur => ({ crashes: cur.crashes + 1 })))!.crashes, 1)
            assert.equal(await s.mutateBoard("nope", () => ({ crashes: 1 })), null)
        } finally {
            await s.close()
        }
    })

    test(`${kind}: a rollout step writes its assignments and the rollout's stage together; none when nothing is under way`, async () => {
        const s = await open()
        try {
            for (const id of ["a", "b", "c"]) await s.putBoard(board(id, "00000000000000" + id + "1", { assigned: "v1.0.0", deployedAt: 5 }))
            assert.equal(await s.stepRollout(() => assert.fail("no rollout")), null)
            await s.putRollout(rollout("r1", 1000, "canary"))
            const o = await s.stepRollout((r, boards) => ({
                rollout: { ...r, stage: "all", stageAt: 2000 },
                patches: boards.filter(b => b.id !== "c").map(b => ({ id: b.id, patch: { assigned: "v1.1.0", previous: b.assigned, deployedAt: undefined } as Partial<BoardRecord> })),
                out: boards.length,
            }))
            assert.equal(o!.out, 3)
            assert.equal((await s.getRollout("r1"))!.stage, "all")
            const bs = await s.listBoards()
            assert.deepEqual(
                bs.map(b => [b.id, b.assigned, b.previous, b.deployedAt]),
                [
                    ["a", "v1.1.0", "v1.0.0", undefined],
                    ["b", "v1.1.0", "v1.0.0", undefined],
                    ["c", "v1.0.0", undefined, 5],
                ]
            )
            await s.putRollout({ ...rollout("r1", 1000, "paused") })
            assert.equal(await s.stepRollout(() => assert.fail("paused")), null)
        } finally {
            await s.close()
        }
    })
}

test("postgres: migrations are applied once and recorded; several servers starting at once take turns; a newer schema is refused", async () => {
    const url = server.createDb("mig")
    const [a, b, c] = await Promise.all([PgStore.open({ url }), PgStore.open({ url }), PgStore.open({ url })])
    const q = (sql: string) => a.pool.query(sql)
    assert.deepEqual(
        (await q("SELECT version, name FROM schema_migrations ORDER BY version")).rows,
        migrations().map(m => ({ version: m.version, name: m.name }))
    )
    assert.deepEqual(
        (await q("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).rows.map(r => r.tablename),
        ["boards", "images", "log", "releases", "rollouts", "schema_migrations"]
    )
    await q("INSERT INTO schema_migrations (version, name) VALUES (999, 'from_a_newer_server')")
    await Promise.all([a.close(), b.close(), c.close()])
    await assert.rejects(PgStore.open({ url }), /schema version 999, which this server does not know/)
    // a bad connection string is a clear error
    await assert.rejects(PgStore.open({ url: `postgres://nobody:secret@/nodb?host=${encodeURIComponent(server.dir)}` }), err => {
        assert.match((err as Error).message, /the fleet database \(postgres:\/\/nobody:\*\*\*@/)
        assert.ok(!(err as Error).message.includes("secret"))
        return true
    })
})

test("postgres: two servers racing for 300 boards' deploys: each board is claimed by one; a step held by one server is skipped by the other", async () => {
    const url = server.createDb("race")
    const s1 = await PgStore.open({ url })
    const s2 = await PgStore.open({ url })
    try {
        const ids = Array.from({ length: 300 }, (_, i) => "b" + i)
        for (const [i, id] of ids.entries()) await s1.putBoard(board(id, (0x1000 + i).toString(16).padStart(16, "0")))
        const now = Date.now()
        // each server claims from its own end of the list (a connection runs its queries in
        // order), so they meet somewhere in the middle whichever is faster: claimed in the same
        // order, one server won all 300 in a run on a busy machine
        const first = ids.map(id => s1.claimDeploy(id, "s1", now, 60000).then(b => (b ? "s1" : null)))
        const second = new Array<Promise<string | null>>(ids.length)
        for (let i = ids.length - 1; i >= 0; i--) second[i] = s2.claimDeploy(ids[i], "s2", now, 60000).then(b => (b ? "s2" : null))
        const wins = await Promise.all(ids.flatMap((_, i) => [first[i], second[i]]))
        for (let i = 0; i < ids.length; i++) assert.equal(wins.slice(2 * i, 2 * i + 2).filter(Boolean).length, 1, `board ${ids[i]}: one claim`)
        const stored = new Map((await s1.listBoards()).map(b => [b.id, b.claimedBy]))
        const owners = ids.map((_, i) => wins[2 * i] ?? wins[2 * i + 1])
        assert.deepEqual(
            ids.map(id => stored.get(id)),
            owners,
            "the registry holds the winner's claim"
        )
        // both got some: the race was real
        assert.ok(owners.includes("s1") && owners.includes("s2"), owners.join(","))

        await s1.putRollout(rollout("r1", 1000, "canary"))
        const hold = new pg.Client({ connectionString: url })
        await hold.connect()
        await hold.query("BEGIN")
        await hold.query("SELECT pg_advisory_xact_lock(7380994616361086828)")
        assert.equal(await s2.stepRollout(r => ({ rollout: { ...r, stage: "all", stageAt: 2 }, patches: [], out: 0 })), null, "the other server holds the step")
        await hold.query("COMMIT")
        await hold.end()
        assert.ok(await s2.stepRollout(r => ({ rollout: { ...r, stage: "all", stageAt: 2 }, patches: [], out: 0 })))
        assert.equal((await s1.getRollout("r1"))!.stage, "all")
    } finally {
        await s1.close()
        await s2.close()
    }
})

test("postgres: two servers on one database take each boot event in once, however far one lags behind the other", async () => {
    const url = server.createDb("boots")
    const opts = { dataDir: "/nonexistent", databaseUrl: url, trust: [] as string[], tickMs: 3600000 }
    const a = new FleetServer({ ...opts, serverId: "A" })
    const b = new FleetServer({ ...opts, serverId: "B" })
    await a.start()
    await b.start()
    try {
        const key = "c".repeat(64)
        await a.store.putBoard(board("S1", "00000000000000e1", { cmdKey: key, assigned: "v2.0.0", deployedAt: Date.now() - 1000 }))
        const boot = (nonce: string) => {
            const topic = "shed/S1/event"
            return [topic, Buffer.from(signMessage(topic, key, { t: "boot", boot: nonce, ver: "v2.0.0", board: "shed2", sockets: 2, cfg: "0" }))] as const
        }
        // the deploy's first boot, then two restarts: A takes all three in before B sees the first
        for (const n of ["n1", "n2", "n3"]) await (a as any).report(...boot(n))
        for (const n of ["n1", "n2", "n3"]) await (b as any).report(...boot(n))
        const rec = (await a.store.getBoard("S1"))!
        assert.ok(rec.healthyAt, "the first boot proved the deploy")
        assert.equal(rec.crashes, 2, "two restarts, counted once")
        assert.equal(rec.boot, "n3")
    } finally {
        await a.stop()
        await b.stop()
    }
})
