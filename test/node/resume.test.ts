// Power cut mid-session: the persisted form fits one setting, and a resumed session keeps its
// order, energy, paid limit and plateau, so it ends correctly after the reboot.
import { test } from "node:test"
import assert from "node:assert/strict"
import { defaultConfig } from "../../src/core/config"
import { Supervisor } from "../../src/core/supervisor"

function run(sup: Supervisor, from: number, to: number, p: (t: number) => number, relay: boolean[]) {
    for (let t = from; t <= to; t++) {
        const next = sup.tick(t * 1000, [{ p: relay[0] ? p(t) : 0.2, v: 230 }], relay)
        relay[0] = next[0]
    }
}

test("a persisted session fits one setting and resumes with its limit, energy and plateau", () => {
    const sup = new Supervisor({ ...defaultConfig(), sockets: 1 })
    sup.start(1, "order-with-a-32-character-id-xx1", { kind: "minutes", value: 90 }, { topOffMin: 30, powerCapW: 800 }, 0)
    const relay = [false]
    run(sup, 0, 1800, () => 250, relay)
    const p = sup.sockets[0].persisted(1800 * 1000)!
    const json = JSON.stringify(p)
    assert.ok("sess10".length + 1 + json.length <= 232, `${json.length} bytes`)
    // reboot: a new board, the session resumed from flash, board clock restarted at 0
    const after = new Supervisor({ ...defaultConfig(), sockets: 1 })
    after.sockets[0].resume(JSON.parse(json), 0)
    assert.equal(after.sockets[0].state, "charging")
    assert.ok(Math.abs(after.sockets[0].energy() - 125) < 1, `energy ${after.sockets[0].energy()}`)
    const relay2 = [false]
    run(after, 0, 3 * 3600, () => 250, relay2)
    const r = after.sockets[0].lastRecord!
    assert.equal(r.order, "order-with-a-32-character-id-xx1")
    assert.equal(r.reason, "limit_time")
    // 90 paid minutes in all: 30 before the cut, 60 after (the staggered re-close takes a tick)
    assert.ok(Math.abs(r.durationS - 5400) <= 5, `duration ${r.durationS}`)
    assert.ok(Math.abs(r.energyWh - 375) < 3, `energy ${r.energyWh}`)
})

test("a resumed session does not mistake the charger's soft restart for an unplug", () => {
    const sup = new Supervisor({ ...defaultConfig(), sockets: 1 })
    sup.start(1, "o", { kind: "full", value: 0 }, {}, 0)
    const relay = [false]
    run(sup, 0, 1800, () => 250, relay)
    const after = new Supervisor({ ...defaultConfig(), sockets: 1 })
    after.sockets[0].resume(sup.sockets[0].persisted(1800000)!, 0)
    const relay2 = [false]
    // the charger soft-starts for 20 s after power returns
    run(after, 0, 600, t => (t < 20 ? 0 : 250), relay2)
    assert.equal(after.sockets[0].state, "charging")
})

test("a persisted record without its limit does not throw at boot, and a remote stop still ends it", () => {
    const sup = new Supervisor({ ...defaultConfig(), sockets: 1 })
    sup.start(1, "o-nolimit", { kind: "full", value: 0 }, {}, 0)
    const relay = [false]
    run(sup, 0, 60, () => 250, relay)
    const p: any = JSON.parse(JSON.stringify(sup.sockets[0].persisted(60000)))
    delete p.limit
    const after = new Supervisor({ ...defaultConfig(), sockets: 1 })
    assert.doesNotThrow(() => after.sockets[0].resume(p, 0))
    assert.equal(after.stop(1, 1000, "remote_stop", "stopped by the backend").ok, true)
    assert.equal(after.sockets[0].lastRecord?.reason, "remote_stop")
})
