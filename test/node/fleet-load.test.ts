// The fleet load run, shorter than the bench's (bench/fleet-load.ts: 10,000 boards; here 300, a
// thirty-third): the same run, two update-server processes on one PostgreSQL this test starts,
// with the same failures injected. A bad release whose canaries crash reaches the canaries only
// and every board it reached goes back; the good one reaches every board with no image written
// twice and none left half written, through boards dropping mid-deploy and a server killed while
// it holds deploy claims, which the other takes over once their lease runs out.
import { test } from "node:test"
import assert from "node:assert/strict"
import { runFleetLoad } from "../support/fleet-load"

test("300 boards, two update servers on one PostgreSQL: canaries crash and roll back; then every board updated once, through drops and a killed server", async () => {
    const lines: string[] = []
    const f = await runFleetLoad({
        boards: 300,
        canaries: 5,
        crashers: 2,
        dropShare: 0.02,
        killAt: 0.3,
        percent: 10,
        soakS: 1,
        imageBytes: 4096,
        writeMs: 5,
        mqttConns: 4,
        timeoutMs: 150000,
        log: l => lines.push(l),
    }).catch(e => {
        throw new Error(`${(e as Error).message}\n${lines.join("\n")}`)
    })
    const why = JSON.stringify({ ...f, summary: undefined })
    // the bad release: the canaries only, all of them sent back, the rollback seen by the operator
    assert.ok(f.bad.reached >= f.bad.crashers && f.bad.reached <= f.bad.canaries, why)
    assert.equal(f.bad.back, f.bad.reached, why)
    assert.equal(f.bad.rolledBack, f.bad.canaries, why)
    assert.deepEqual(f.bad.stagesReached, ["canary"], why)
    assert.match(f.bad.reason, /crashed 2 times on v1\.1\.0/)
    // the good release: everywhere, once, nothing half written, the records agreeing
    assert.equal(f.good.updated, 300, why)
    assert.equal(f.good.stage, "done", why)
    assert.equal(f.duplicated, 0, why)
    assert.equal(f.halfWritten, 0, why)
    assert.equal(f.recordsAgree, 300, why)
    assert.equal(f.good.dropped, 6, why)
    // the kill came mid-deploy, and the surviving server took those boards over
    assert.ok(f.good.cutByKill >= 1, why)
    assert.ok(f.good.takenOver >= 1, why)
    // what the operator reads at the end
    assert.deepEqual(
        f.summary.versions.map((v: any) => [v.version, v.running, v.updating, v.failed]),
        [["v1.2.0", 300, 0, 0]]
    )
    assert.equal(f.summary.rollout.stage, "done")
    assert.equal(f.summary.silent, 0, "every board's program talks")
    assert.equal(
        f.summary.rollout.stages.reduce((n: number, st: any) => n + st.healthy, 0),
        300
    )
})
