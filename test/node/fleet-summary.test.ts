// What the operator reads of a large fleet (fleet/summary.ts): per version and per stage of the
// latest rollout, boards on it, updating, failed, rolled back, and silent past their window.
import { test } from "node:test"
import assert from "node:assert/strict"
import { isSilent, stageOf, summarize, summaryText, SILENT_MS } from "../../fleet/summary"
import type { BoardRecord, Rollout } from "../../fleet/types"

const NOW = 10_000_000

function board(id: string, over: Partial<BoardRecord> = {}): BoardRecord {
    return { id, deviceId: "0", type: "shed2", wsskKey: "", cmdKey: "", crashes: 0, fails: 0, lastSeen: NOW - 1000, ...over }
}

const r: Rollout = { id: "r1", version: "v2", previous: "v1", canary: ["c1", "c2"], percent: 0, stage: "all", startedAt: NOW - 60000, stageAt: NOW - 30000, soakS: 10, reportS: 30, force: false }

test("a board is silent past SILENT_MS, or past the end of the update window it granted, whichever is later", () => {
    assert.equal(isSilent(board("a", { lastSeen: NOW - SILENT_MS + 1 }), NOW), false)
    assert.equal(isSilent(board("a", { lastSeen: NOW - SILENT_MS - 1 }), NOW), true)
    // quiet in its window on purpose
    assert.equal(isSilent(board("a", { lastSeen: NOW - SILENT_MS - 1, windowUntil: NOW + 5 }), NOW), false)
    assert.equal(isSilent(board("a", { lastSeen: NOW - SILENT_MS - 1, windowUntil: NOW - 5 }), NOW), true)
    // never heard (just registered): not counted
    assert.equal(isSilent(board("a", { lastSeen: undefined }), NOW), false)
})

test("per version and per stage: on it, updating, failed, rolled back, silent", () => {
    const deployed = NOW - 20000
    const boards = [
        // canaries: one healthy on v2, one crashed on it
        board("c1", { version: "v2", assigned: "v2", deployedAt: deployed, healthyAt: deployed + 100 }),
        board("c2", { version: "v2", assigned: "v2", deployedAt: deployed, healthyAt: deployed + 100, crashes: 2 }),
        // all stage: one waiting for its report, one assigned but not yet deployed, one whose deploys fail,
        // one silent on v1 past its window, one sent back from v2 by a rollback
        board("a1", { version: "v1", assigned: "v2", deployedAt: deployed }),
        board("a2", { version: "v1", assigned: "v2" }),
        board("a3", { version: "v1", assigned: "v2", fails: 2 }),
        board("a4", { version: "v1", assigned: "v1", lastSeen: NOW - SILENT_MS - 5000, windowUntil: NOW - 1000 }),
        board("a5", { version: "v1", assigned: "v1", rolledBackFrom: "v2", previous: undefined }),
    ]
    const s = summarize(boards, [{ ...r, stage: "done", startedAt: 0, id: "r0" }, r], NOW)
    assert.equal(s.boards, 7)
    assert.equal(s.silent, 1)
    assert.deepEqual(s.versions, [
        { version: "v1", running: 5, updating: 0, failed: 0, rolledBack: 0, silent: 1 },
        { version: "v2", running: 2, updating: 2, failed: 2, rolledBack: 1, silent: 0 },
    ])
    assert.equal(s.rollout!.id, "r1")
    const st = Object.fromEntries(s.rollout!.stages.map(x => [x.stage, x]))
    assert.deepEqual(st.canary, { stage: "canary", boards: 2, reached: true, pending: 0, updating: 0, healthy: 1, failed: 1, rolledBack: 0, silent: 0 })
    // a1: deployed, waiting; a2: assigned, not yet deployed; a3: failing deploys (not yet deployed); a4: on v1, pending
    assert.deepEqual(st.all, { stage: "all", boards: 5, reached: true, pending: 1, updating: 3, healthy: 0, failed: 0, rolledBack: 1, silent: 1 })
    // no share of its own (percent 0): no percent stage
    assert.equal(st.percent, undefined)
    assert.equal(stageOf("c2", r), "canary")
    assert.equal(stageOf("a1", { ...r, percent: 100 }), "all")
})

test("fleet watch prints the counts per version, then per stage, with the rollout's reason", () => {
    const boards = [board("c1", { version: "v2", assigned: "v2", deployedAt: NOW - 20000, crashes: 2 }), board("a1", { version: "v1", assigned: "v1", lastSeen: NOW - SILENT_MS - 1 })]
    const text = summaryText(summarize(boards, [{ ...r, stage: "rolled_back", reason: "c1 crashed 2 times on v2" }], NOW))
    const lines = text.split("\n")
    assert.match(lines[0], /2 boards, 1 silent past their window/)
    assert.match(lines[1], /^version\s+on it\s+updating\s+failed\s+rolled back\s+silent$/)
    assert.match(lines[2], /^v1\s+1\s+0\s+0\s+0\s+1$/)
    assert.match(lines[3], /^v2\s+1\s+0\s+1\s+0\s+0$/)
    assert.match(text, /rollout r1 v2: rolled_back/)
    assert.match(text, /\ncanary\s+1\s+0\s+0\s+1\s+0\s+0\s+0\n/)
    assert.match(text, /c1 crashed 2 times on v2$/)
})
