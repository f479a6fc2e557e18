// Staged rollouts: properties over random fleets (a rollout only reaches the boards its stage
// covers, a failure always rolls back every board that got the version, stages only move
// forward) and named cases at the edges of soak and report times.
import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import { bucket, emptyStage, firstStage, judge, rollBackNow, rollbackTarget, step, targets } from "../../fleet/rollout"
import type { BoardRecord, Rollout, RolloutStage } from "../../fleet/types"

const V = "v2.0.0"
const OLD = "v1.0.0"
const T0 = 1_000_000

function rollout(over: Partial<Rollout> = {}): Rollout {
    return { id: "r1", version: V, previous: OLD, canary: [], percent: 20, stage: "canary", startedAt: T0, stageAt: T0, soakS: 60, reportS: 30, force: false, ...over }
}

function board(id: string, over: Partial<BoardRecord> = {}): BoardRecord {
    return { id, deviceId: "0".repeat(16), type: "shed2", wsskKey: "", cmdKey: "", assigned: OLD, crashes: 0, fails: 0, ...over }
}

const RANK: Record<RolloutStage, number> = { canary: 0, percent: 1, all: 2, done: 3, paused: -1, rolled_back: -1 }

/** What the server does with an assignment: a new deploy record. */
function apply(boards: BoardRecord[], assign: { id: string; version: string; previous?: string }[]): BoardRecord[] {
    return boards.map(b => {
        const a = assign.find(x => x.id === b.id)
        return a ? { ...b, assigned: a.version, previous: a.previous, deployedAt: undefined, healthyAt: undefined, crashes: 0 } : b
    })
}

// --- arbitraries ---

const versions = fc.constantFrom(undefined, OLD, "v1.5.0", V)

function boardArb(id: string): fc.Arbitrary<BoardRecord> {
    return fc
        .record({
            assigned: versions,
            previous: versions,
            deployed: fc.option(fc.integer({ min: -5000, max: 200_000 }), { nil: undefined }),
            healthyAfter: fc.option(fc.integer({ min: -1000, max: 100_000 }), { nil: undefined }),
            crashes: fc.integer({ min: 0, max: 3 }),
        })
        .map(x => {
            const b = board(id, { assigned: x.assigned, previous: x.previous, crashes: x.crashes })
            if (x.deployed !== undefined) b.deployedAt = T0 + x.deployed
            if (x.deployed !== undefined && x.healthyAfter !== undefined) b.healthyAt = T0 + x.deployed + x.healthyAfter
            return b
        })
}

const fleetArb = fc
    .uniqueArray(fc.stringMatching(/^[a-z0-9]{1,5}$/), { maxLength: 14 })
    .chain(ids => fc.tuple(fc.constant(ids), fc.tuple(...ids.map(boardArb))))
    .map(([, boards]) => boards as BoardRecord[])

function rolloutArb(boards: BoardRecord[]): fc.Arbitrary<Rollout> {
    return fc
        .record({
            canary: fc.subarray(boards.map(b => b.id).concat(["ghost"])),
            percent: fc.oneof(fc.constantFrom(0, 100), fc.integer({ min: 0, max: 100 })),
            stage: fc.constantFrom<RolloutStage>("canary", "percent", "all", "done", "rolled_back", "paused"),
            soakS: fc.integer({ min: 0, max: 100 }),
            reportS: fc.integer({ min: 1, max: 100 }),
            id: fc.stringMatching(/^r[0-9a-z]{1,6}$/),
        })
        .map(x => rollout(x))
}

const caseArb = fleetArb.chain(boards => fc.record({ boards: fc.constant(boards), r: rolloutArb(boards), dt: fc.integer({ min: 0, max: 300_000 }) }))

// --- properties ---

test("property: step only gives the version to boards its (new) stage covers, and never to a board that already has it from this rollout", () => {
    fc.assert(
        fc.property(caseArb, ({ boards, r, dt }) => {
            const out = step(r, boards, T0 + dt)
            if (out.rollout.stage === "rolled_back") return
            const covered = new Set(
                targets(
                    out.rollout,
                    boards.map(b => b.id)
                )
            )
            for (const a of out.assign) {
                assert.equal(a.version, V)
                assert.ok(covered.has(a.id), `${a.id} is not a target of the ${out.rollout.stage} stage`)
                const b = boards.find(x => x.id === a.id)!
                assert.ok(b.assigned !== V || b.deployedAt! < r.startedAt, `${a.id} already had ${V}`)
                assert.notEqual(a.previous, V, "a board must never go back to the version under test")
            }
        }),
        { numRuns: 500 }
    )
})

test("property: a failed target always rolls back, and no board is left on the bad version", () => {
    const failing = fc
        .record({ crashes: fc.integer({ min: 2, max: 5 }), deployed: fc.integer({ min: 0, max: 1000 }), healthy: fc.boolean() })
        .map(x => board("BAD", { assigned: V, deployedAt: T0 + x.deployed, healthyAt: x.healthy ? T0 + x.deployed + 10 : undefined, crashes: x.crashes }))
    const silent = fc.integer({ min: 0, max: 1000 }).map(d => board("BAD", { assigned: V, deployedAt: T0 + d }))
    fc.assert(
        fc.property(caseArb, fc.oneof(failing, silent), fc.constantFrom<RolloutStage>("canary", "percent", "all"), ({ boards, r, dt }, bad, stage) => {
            const fleet = [...boards, bad]
            // the bad board (an id the fleet's cannot be) is a canary, so a target at every stage
            const rr = { ...r, stage, canary: ["BAD", ...r.canary] }
            const now = T0 + 1000 + rr.reportS * 1000 + 1 + dt
            const out = step(rr, fleet, now)
            assert.equal(out.rollout.stage, "rolled_back")
            assert.match(out.rollout.reason!, /BAD (crashed|did not report)/)
            assert.equal(out.rollout.stageAt, now)
            const after = apply(fleet, out.assign)
            assert.deepEqual(
                after.filter(b => b.assigned === V).map(b => b.id),
                []
            )
            // boards that did not have the version are left alone
            for (const a of out.assign) assert.equal(fleet.find(b => b.id === a.id)!.assigned, V)
        }),
        { numRuns: 500 }
    )
})

test("property: a rollout rolls back only when some board failed, and stages only move forward", () => {
    fc.assert(
        fc.property(caseArb, ({ boards, r, dt }) => {
            const now = T0 + dt
            const out = step(r, boards, now)
            const anyFailed = boards.some(b => judge(b, r, now) === "failed")
            if (out.rollout.stage === "rolled_back" && r.stage !== "rolled_back") assert.ok(anyFailed)
            if (RANK[r.stage] < 0 || r.stage === "done") {
                assert.deepEqual(out, { rollout: r, assign: [], log: [] })
            } else if (out.rollout.stage === "paused") {
                // only a stage that holds no board stops a running rollout by itself
                assert.match(out.rollout.reason!, /stage holds no board/)
                assert.ok(
                    emptyStage(
                        r,
                        boards.map(b => b.id)
                    )
                )
            } else if (out.rollout.stage !== "rolled_back") {
                assert.ok(RANK[out.rollout.stage] >= RANK[r.stage], `${r.stage} -> ${out.rollout.stage}`)
                if (out.rollout.stage === r.stage) assert.equal(out.rollout.stageAt, r.stageAt)
                else assert.equal(out.rollout.stageAt, now)
            }
            // everything but stage, stageAt and reason is the rollout's own
            const { stage, stageAt, reason, ...rest } = out.rollout
            const { stage: s0, stageAt: a0, reason: r0, ...rest0 } = r
            assert.deepEqual(rest, rest0)
        }),
        { numRuns: 500 }
    )
})

test("property: step does not change its inputs", () => {
    fc.assert(
        fc.property(caseArb, ({ boards, r, dt }) => {
            const before = structuredClone({ boards, r })
            const out = step(r, boards, T0 + dt)
            assert.deepEqual({ boards, r }, before)
            assert.notEqual(out.rollout, r)
            assert.notEqual(out.rollout.canary, r.canary)
        }),
        { numRuns: 200 }
    )
})

/**
 * A whole rollout against a fleet model: deploys take a tick, a good board reports the version
 * the tick after, a crashing one crashes twice, a silent one never reports. It ends done exactly
 * when every board is good, else rolled back with no board on the version.
 */
test("property: a simulated rollout ends done when every board is good, else rolled back with no board on the version", () => {
    const fate = fc.constantFrom("good", "good", "good", "crash", "silent")
    const sim = fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,5}$/), { maxLength: 12 }).chain(ids =>
        fc.record({
            ids: fc.constant(ids),
            fates: fc.tuple(...ids.map(() => fate)),
            canary: fc.subarray(ids),
            percent: fc.integer({ min: 0, max: 100 }),
            soakS: fc.integer({ min: 0, max: 50 }),
            reportS: fc.integer({ min: 5, max: 50 }),
        })
    )
    fc.assert(
        fc.property(sim, s => {
            const fates = new Map(s.ids.map((id, i) => [id, s.fates[i] as string]))
            let boards = s.ids.map(id => board(id, { assigned: OLD, healthyAt: T0 - 5000, deployedAt: T0 - 9000 }))
            let r = rollout({ canary: s.canary, percent: s.percent, soakS: s.soakS, reportS: s.reportS })
            // the server refuses a rollout with a stage that holds no board (tested on its own)
            fc.pre(emptyStage(r, s.ids) === null)
            const running = new Map(s.ids.map(id => [id, OLD]))
            const got = new Set<string>()
            const stages: RolloutStage[] = [r.stage]
            let now = T0
            for (let tick = 0; tick < 200 && (r.stage === "canary" || r.stage === "percent" || r.stage === "all"); tick++) {
                now += 5000
                const out = step(r, boards, now)
                r = out.rollout
                if (stages[stages.length - 1] !== r.stage) stages.push(r.stage)
                boards = apply(boards, out.assign)
                for (const a of out.assign) if (a.version === V) got.add(a.id)
                // the server deploys, and boards report
                boards = boards.map(b => {
                    if (b.assigned !== running.get(b.id)) {
                        running.set(b.id, b.assigned!)
                        return { ...b, deployedAt: now }
                    }
                    if (b.deployedAt === undefined || b.healthyAt !== undefined) return b
                    const f = b.assigned === V ? fates.get(b.id) : "good"
                    if (f === "good") return { ...b, healthyAt: now }
                    if (f === "crash") return { ...b, crashes: 2 }
                    return b
                })
            }
            const allGood = s.fates.every(f => f === "good")
            assert.equal(r.stage, allGood ? "done" : "rolled_back", `stages ${stages.join(" > ")}`)
            for (let i = 1; i < stages.length; i++) assert.ok(stages[i] === "rolled_back" || RANK[stages[i]] > RANK[stages[i - 1]], `stages ${stages.join(" > ")}`)
            if (allGood) assert.ok(boards.every(b => b.assigned === V && running.get(b.id) === V))
            else {
                assert.ok(
                    boards.every(b => b.assigned === OLD),
                    "every board back on the old release"
                )
                // a bad board was reached: nothing fails a rollout but its own boards
                assert.ok([...got].some(id => fates.get(id) !== "good"))
            }
        }),
        { numRuns: 300 }
    )
})

test("property: bucket is in 0..99 and the same for the same board and rollout", () => {
    fc.assert(
        fc.property(fc.string(), fc.string(), (b, r) => {
            const x = bucket(b, r)
            assert.ok(Number.isInteger(x) && x >= 0 && x < 100)
            assert.equal(bucket(b, r), x)
        })
    )
})

// --- named cases ---

test("bucket is fixed by its definition: a server upgraded mid-rollout picks the same boards", () => {
    assert.equal(bucket("shed-1", "r1"), 92)
    assert.equal(bucket("a", "b"), 84)
    // the board and rollout ids cannot be shifted into each other
    assert.notEqual(bucket("ab", "c"), bucket("b", "ca"))
})

test("bucket is roughly uniform over 10000 boards, and a percent stage covers about that share", () => {
    const ids = Array.from({ length: 10000 }, (_, i) => `shed-${i}`)
    const counts = new Array(100).fill(0)
    for (const id of ids) counts[bucket(id, "r-uniform")]++
    // 100 expected per bucket; the deterministic hash puts every one within 60..140
    assert.ok(Math.min(...counts) >= 60 && Math.max(...counts) <= 140, `${Math.min(...counts)}..${Math.max(...counts)}`)
    for (const p of [1, 10, 50, 90]) {
        const n = targets(rollout({ id: "r-uniform", stage: "percent", percent: p }), ids).length
        assert.ok(Math.abs(n - p * 100) <= 150, `${p} %: ${n} boards`)
    }
    // another rollout picks other boards
    const a = new Set(targets(rollout({ id: "r-a", stage: "percent", percent: 10 }), ids))
    const b = targets(rollout({ id: "r-b", stage: "percent", percent: 10 }), ids)
    assert.ok(b.filter(id => a.has(id)).length < 200)
})

test("targets: canaries that exist, then canaries and a share, then all; each stage contains the one before", () => {
    const ids = Array.from({ length: 50 }, (_, i) => "b" + i)
    const r = rollout({ canary: ["b7", "ghost", "b3", "b7"], percent: 30 })
    assert.deepEqual(targets(r, ids), ["b7", "b3"])
    const pct = targets({ ...r, stage: "percent" }, ids)
    assert.deepEqual(pct.slice(0, 2), ["b7", "b3"])
    assert.deepEqual(
        pct.slice(2),
        ids.filter(id => id !== "b7" && id !== "b3" && bucket(id, r.id) < 30)
    )
    for (const stage of ["all", "done", "rolled_back", "paused"] as const) assert.deepEqual(targets({ ...r, stage }, ids), ids)
    assert.deepEqual(targets({ ...r, stage: "percent", percent: 0 }, ids), ["b7", "b3"])
})

test("judge: pending, deploying, healthy, failed at the report time and crash count edges", () => {
    const r = rollout()
    const d = T0 + 100
    assert.equal(judge(board("a", { assigned: OLD, deployedAt: d, healthyAt: d + 1 }), r, d + 5), "pending")
    assert.equal(judge(board("a", { assigned: V }), r, d), "pending")
    assert.equal(judge(board("a", { assigned: V, deployedAt: T0 - 1, healthyAt: T0 }), r, d), "pending", "deployed before the rollout")
    assert.equal(judge(board("a", { assigned: V, deployedAt: d, crashes: 5 }), { ...r, version: "v3.0.0" }, d), "pending")
    assert.equal(judge(board("a", { assigned: V, deployedAt: T0 }), r, T0), "deploying")
    assert.equal(judge(board("a", { assigned: V, deployedAt: d }), r, d + 30_000), "deploying")
    assert.equal(judge(board("a", { assigned: V, deployedAt: d }), r, d + 30_001), "failed")
    assert.equal(judge(board("a", { assigned: V, deployedAt: d, healthyAt: d + 29_000 }), r, d + 90_000), "healthy")
    assert.equal(judge(board("a", { assigned: V, deployedAt: d, healthyAt: d, crashes: 1 }), r, d), "healthy")
    assert.equal(judge(board("a", { assigned: V, deployedAt: d, healthyAt: d, crashes: 2 }), r, d), "failed")
    assert.equal(judge(board("a", { assigned: V, deployedAt: d, crashes: 2 }), r, d), "failed")
    // a healthyAt older than the deploy belongs to an earlier one
    assert.equal(judge(board("a", { assigned: V, deployedAt: d, healthyAt: d - 1 }), r, d + 1), "deploying")
})

test("a rollout walks canary, percent, all, done, advancing exactly when the soak time is over", () => {
    const ids = Array.from({ length: 40 }, (_, i) => "b" + i)
    let boards = ids.map(id => board(id))
    let r = rollout({ canary: ["b1", "b2"], percent: 25, soakS: 60 })
    let out = step(r, boards, T0)
    assert.deepEqual(
        out.assign.map(a => a.id),
        ["b1", "b2"]
    )
    assert.deepEqual(out.assign[0], { id: "b1", version: V, previous: OLD })
    boards = apply(boards, out.assign)
    // deployed, not yet reported: nothing moves
    boards = boards.map(b => (b.assigned === V ? { ...b, deployedAt: T0 + 1000 } : b))
    out = step(r, boards, T0 + 2000)
    assert.deepEqual(out, { rollout: r, assign: [], log: [] })
    boards = boards.map(b => (b.assigned === V ? { ...b, healthyAt: T0 + 3000 } : b))
    out = step(r, boards, T0 + 3000 + 59_999)
    assert.equal(out.rollout.stage, "canary")
    out = step(r, boards, T0 + 63_000)
    assert.equal(out.rollout.stage, "percent")
    assert.equal(out.rollout.stageAt, T0 + 63_000)
    const share = ids.filter(id => id !== "b1" && id !== "b2" && bucket(id, r.id) < 25)
    assert.ok(share.length > 0)
    assert.deepEqual(
        out.assign.map(a => a.id),
        share
    )
    r = out.rollout
    boards = apply(boards, out.assign).map(b => (share.includes(b.id) ? { ...b, deployedAt: T0 + 64_000, healthyAt: T0 + 65_000 } : b))
    out = step(r, boards, T0 + 65_000 + 60_000)
    assert.equal(out.rollout.stage, "all")
    assert.equal(out.assign.length, 40 - 2 - share.length)
    r = out.rollout
    boards = apply(boards, out.assign).map(b => (b.deployedAt === undefined ? { ...b, deployedAt: T0 + 200_000, healthyAt: T0 + 201_000 } : b))
    out = step(r, boards, T0 + 261_000)
    assert.equal(out.rollout.stage, "done")
    assert.deepEqual(out.assign, [])
    assert.deepEqual(step(out.rollout, boards, T0 + 999_999), { rollout: out.rollout, assign: [], log: [] })
})

test("stages a rollout does not have are skipped: no canaries, percent 0 or 100; a share adding nobody to the canaries passes with them", () => {
    const boards = ["x", "y", "z"].map(id => board(id))
    // no canaries, percent 0 and 100: straight to all, assigned in the same tick
    for (const percent of [0, 100]) {
        const out = step(rollout({ canary: [], percent }), boards, T0)
        assert.equal(out.rollout.stage, "all")
        assert.equal(out.assign.length, 3)
    }
    // a healthy canary soaked, percent 0: the percent stage is skipped
    const soaked = boards.map(b => (b.id === "x" ? { ...b, assigned: V, deployedAt: T0, healthyAt: T0 } : b))
    const out = step(rollout({ canary: ["x"], percent: 0, soakS: 10 }), soaked, T0 + 10_000)
    assert.equal(out.rollout.stage, "all")
    assert.deepEqual(
        out.assign.map(a => a.id),
        ["y", "z"]
    )
    // a share that picks none of these boards passes straight to all
    const none = Array.from({ length: 100 }, (_, i) => "r" + i).find(id => ["x", "y", "z"].every(b => bucket(b, id) >= 5))!
    const out2 = step(rollout({ id: none, canary: ["x"], percent: 5, soakS: 10 }), soaked, T0 + 10_000)
    assert.equal(out2.rollout.stage, "all")
    assert.match(out2.log.join("\n"), /canary stage passed.*now percent[\s\S]*percent stage passed.*now all/)
})

test("a failure rolls every board on the version back to its own previous release, else the rollout's", () => {
    const boards = [
        board("a", { assigned: V, previous: "v1.5.0", deployedAt: T0 + 10, healthyAt: T0 + 20 }),
        board("b", { assigned: V, deployedAt: T0 + 10, crashes: 2 }),
        board("c", { assigned: V, previous: V, deployedAt: T0 + 10 }),
        board("d", { assigned: "v1.5.0" }),
    ]
    const r = rollout({ stage: "percent", canary: ["a", "b"], percent: 0 })
    const out = step(r, boards, T0 + 100)
    assert.equal(out.rollout.stage, "rolled_back")
    assert.equal(out.rollout.reason, `b crashed 2 times on ${V}`)
    assert.deepEqual(out.assign, [
        { id: "a", version: "v1.5.0" },
        { id: "b", version: OLD },
        { id: "c", version: OLD },
    ])
    // silence past the report time fails too, and the reason says so
    const silent = step(rollout({ canary: ["c"] }), [board("c", { assigned: V, deployedAt: T0 })], T0 + 30_001)
    assert.equal(silent.rollout.reason, `c did not report ${V} within 30 s of its deploy`)
    // nothing to go back to: the board stays, and the log says why
    const stuck = step(rollout({ canary: ["c"], previous: V }), [board("c", { assigned: V, deployedAt: T0, crashes: 3 })], T0 + 1)
    assert.deepEqual(stuck.assign, [])
    assert.match(stuck.log.join("\n"), /nothing to roll back to/)
})

test("a board assigned the version before the rollout started is assigned again, so it gets a fresh deploy record", () => {
    const boards = [board("a", { assigned: V, previous: OLD, deployedAt: T0 - 10, healthyAt: T0 - 5, crashes: 1 })]
    const out = step(rollout({ canary: ["a"] }), boards, T0 + 1)
    assert.deepEqual(out.assign, [{ id: "a", version: V, previous: OLD }])
    const after = apply(boards, out.assign)
    assert.equal(judge(after[0], out.rollout, T0 + 2), "pending")
    assert.deepEqual(step(out.rollout, after, T0 + 2).assign, [])
})

test("done, rolled back and paused rollouts assign nothing", () => {
    const boards = [board("a"), board("b", { assigned: V, deployedAt: T0, crashes: 9 })]
    for (const stage of ["done", "rolled_back", "paused"] as const) {
        const r = rollout({ stage, canary: ["a"] })
        assert.deepEqual(step(r, boards, T0 + 1e9), { rollout: r, assign: [], log: [] })
    }
})

test("a stage that holds no board never passes: the rollout pauses and says why, and the server's check refuses it at the start", () => {
    const three = ["x", "y", "z"].map(id => board(id))
    // a share that picks none of three boards, no canaries
    const id = Array.from({ length: 200 }, (_, i) => "r" + i).find(rid => ["x", "y", "z"].every(b => bucket(b, rid) >= 5))!
    const cases: [string, Rollout, BoardRecord[], RegExp][] = [
        ["no board at all", rollout({ stage: "all", canary: [], percent: 100 }), [], /all stage holds no board/],
        ["no board at all, from a percent stage", rollout({ stage: "percent", canary: [], percent: 50 }), [], /percent stage holds no board/],
        ["canaries that are not in the fleet", rollout({ canary: ["ghost"], percent: 0 }), three, /canary stage holds no board/],
        ["a share that picks nobody, no canaries", rollout({ id, stage: "percent", canary: [], percent: 5 }), three, /percent stage holds no board/],
    ]
    for (const [what, r, boards, re] of cases) {
        const out = step(r, boards, T0 + 5)
        assert.notEqual(out.rollout.stage, "done", what)
        assert.notEqual(out.rollout.stage, "all", what)
        assert.equal(out.rollout.stage, "paused", what)
        assert.match(out.rollout.reason ?? "", re, what)
        assert.deepEqual(out.assign, [], what)
        assert.match(out.log.join("\n"), re, what)
        // the server asks before it starts one
        assert.ok(
            emptyStage(
                r,
                boards.map(b => b.id)
            ),
            what
        )
    }
    assert.match(emptyStage(rollout({ canary: [], percent: 100 }), [])!, /no board in scope.*provision/)
    assert.match(emptyStage(rollout({ id, canary: [], percent: 5 }), ["x", "y", "z"])!, /percent stage holds no board: 5 % of 3 boards.*--canary.*--percent 100/)
    assert.match(emptyStage(rollout({ canary: ["ghost"], percent: 0 }), ["x"])!, /none of ghost is registered/)
    // with a canary, or every board in one stage, it is fine
    assert.equal(emptyStage(rollout({ id, canary: ["x"], percent: 5 }), ["x", "y", "z"]), null)
    assert.equal(emptyStage(rollout({ canary: [], percent: 100 }), ["x"]), null)
    assert.equal(firstStage({ canary: [], percent: 100 }), "all")
    assert.equal(firstStage({ canary: [], percent: 30 }), "percent")
    assert.equal(firstStage({ canary: ["x"], percent: 0 }), "canary")
})

test("rollback never targets the version it rolls back from, and says when there is nothing to go back to", () => {
    // boards on a dev build (no release), or already on the version: no target at all
    assert.equal(rollbackTarget(V, [board("a", { assigned: undefined, version: "v0.1.0-7-gabc" }), board("b", { assigned: V })], [V]), undefined)
    assert.equal(rollbackTarget(V, [board("a", { assigned: undefined, version: V })], [V, OLD]), undefined)
    // the release most boards run, among those the server has
    assert.equal(rollbackTarget(V, [board("a"), board("b"), board("c", { assigned: "v1.5.0" })], [OLD, "v1.5.0", V]), OLD)
    assert.equal(rollbackTarget(V, [board("a", { assigned: "v0.9.0" }), board("b", { assigned: "v0.9.0" }), board("c")], [OLD, V]), OLD)
    assert.throws(() => rollbackTarget(V, [], [V, OLD], V), /previous: v2\.0\.0 is the version this rollout gives/)
    assert.throws(() => rollbackTarget(V, [], [V, OLD], "v7.0.0"), /no release v7\.0\.0/)
    assert.equal(rollbackTarget(V, [], [V, OLD], OLD), OLD)

    // a failure with a rollout whose own target is its version: the board stays, never "goes back" to V
    const self = step(rollout({ canary: ["c"], previous: V }), [board("c", { assigned: V, deployedAt: T0, crashes: 3 })], T0 + 1)
    assert.equal(self.rollout.stage, "rolled_back")
    assert.deepEqual(self.assign, [])
    assert.match(self.log.join("\n"), /c has nothing to roll back to/)
    // a new assignment's previous is never the version
    const first = step(rollout({ stage: "all", canary: [], percent: 100, previous: undefined }), [board("a", { assigned: undefined, previous: V })], T0)
    assert.deepEqual(first.assign, [{ id: "a", version: V, previous: undefined }])

    // the operator's rollback: the boards on the version go back to what they ran before
    const done = rollout({ stage: "done", canary: [], percent: 100 })
    const fleet = [board("a", { assigned: V, previous: OLD }), board("b", { assigned: V, previous: "v1.5.0" }), board("c", { assigned: OLD })]
    const out = rollBackNow(done, fleet, T0 + 9)
    assert.equal(out.rollout.stage, "rolled_back")
    assert.equal(out.rollout.reason, "rolled back by the operator")
    assert.deepEqual(out.assign, [
        { id: "a", version: OLD },
        { id: "b", version: "v1.5.0" },
    ])
    assert.throws(() => rollBackNow(out.rollout, fleet, T0 + 10), /rolled back already/)
    // the first release: nothing to go back to, nothing changed
    const firstRelease = rollout({ stage: "done", canary: [], percent: 100, previous: undefined })
    assert.throws(() => rollBackNow(firstRelease, [board("a", { assigned: V })], T0), /nothing to roll back to: a had no release before v2\.0\.0/)
    assert.throws(() => rollBackNow({ ...firstRelease, previous: V }, [board("a", { assigned: V, previous: V })], T0), /nothing to roll back to/)
    assert.throws(() => rollBackNow(firstRelease, [board("a", { assigned: OLD })], T0), /no board is assigned v2\.0\.0/)
})
