// Power cut mid-session: the persisted form fits one setting, and a resumed session keeps its
// order, energy, paid limit and plateau, so it ends correctly after the reboot.
import { test } from "node:test"
import assert from "node:assert/strict"
import { defaultConfig } from "../../src/core/config"
import { Supervisor } from "../../src/core/supervisor"
import { persistedError } from "../../src/core/persisted"
import { SocketEvent } from "../../src/core/session"
import { lastEnded } from "../shared/events"

function run(sup: Supervisor, from: number, to: number, p: (t: number) => number, relay: boolean[]) {
    for (let t = from; t <= to; t++) {
        const next = sup.tick(t * 1000, [relay[0] ? p(t) : 0.2], [230], relay)
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
    const r = lastEnded(after, 1, [])!
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

/** a minute of a charge, its persisted record as read back from flash */
function persistedAfterAMinute(): any {
    const sup = new Supervisor({ ...defaultConfig(), sockets: 1 })
    sup.start(1, "o-corrupt", { kind: "minutes", value: 60 }, {}, 0)
    const relay = [false]
    run(sup, 0, 60, () => 250, relay)
    return JSON.parse(JSON.stringify(sup.sockets[0].persisted(60000)))
}

test("persistedError names what is wrong with a record, and passes a whole one", () => {
    const p = persistedAfterAMinute()
    assert.equal(persistedError(p), "")
    assert.equal(persistedError({ ...p, addedLater: 1 }), "", "a field a later release adds is left alone")
    assert.equal(persistedError(null), "not an object")
    assert.equal(persistedError([p]), "not an object")
    const cases: [string, any, RegExp][] = [
        ["limit", undefined, /limit/],
        ["limit", { kind: "minutes", value: "60" }, /limit.value/],
        ["elapsedS", "60", /elapsedS/],
        ["energyWh", null, /energyWh/],
        ["drew", 1, /drew/],
        ["order", "", /order/],
        ["order", "x".repeat(33), /order/],
        ["fullAtS", undefined, /fullAtS/],
        ["profile", 3, /profile/],
    ]
    for (const [k, v, re] of cases) {
        const q = { ...p }
        if (v === undefined) delete q[k]
        else q[k] = v
        assert.match(persistedError(q), re, `${k} = ${JSON.stringify(v)}`)
    }
})

test("a corrupt persisted record does not throw at boot: it ends at once as a fault, its record carrying the order and energy, the relay never closed", () => {
    const p = persistedAfterAMinute()
    p.limit = "sixty"
    const after = new Supervisor({ ...defaultConfig(), sockets: 1 })
    assert.doesNotThrow(() => after.sockets[0].resume(p, 0))
    const s = after.sockets[0]
    assert.equal(s.state, "ended")
    const events: SocketEvent[] = []
    const r = lastEnded(after, 1, events)
    assert.equal(r?.order, "o-corrupt")
    assert.equal(r?.reason, "fault")
    assert.match(r!.detail, /persisted record refused: limit/)
    assert.ok(Math.abs(r!.energyWh - p.energyWh) < 0.01, `energy ${r!.energyWh}`)
    assert.equal(s.persisted(1000), null, "nothing left to resume at the next boot")
    const ended = events.filter(e => e.kind === "ended")
    assert.equal(ended.length, 1)
    assert.deepEqual(after.tick(100, [0], [230], [false]), [false])
})

test("a whole persisted record resumes as before", () => {
    const p = persistedAfterAMinute()
    const after = new Supervisor({ ...defaultConfig(), sockets: 1 })
    after.sockets[0].resume(p, 0)
    assert.equal(after.sockets[0].state, "charging")
    assert.equal(after.sockets[0].order, "o-corrupt")
})
