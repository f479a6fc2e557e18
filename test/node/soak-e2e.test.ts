// Twelve simulated hours of a busy 10-socket shed: every socket is kept in a paid session (a
// new battery plugged and paid for as soon as the last one's record is billed), with per-socket
// pay codes on the display, through the firmware in the VM, the bus and the broker. Nothing may
// run the board out of memory or into safe mode, and every session is billed exactly once.
import { test } from "node:test"
import assert from "node:assert/strict"
import { ShedSim, until } from "../../sim/shed-sim"
import { Order } from "../../sim/cloud/backend"
import { decodeTrace } from "../../src/core/trace"

/** simulated seconds per real second: 12 h in 3 minutes */
const SPEED = 240
const HOURS = 12
const SOCKETS = 10

test("ten sessions for 12 simulated hours on the 10-socket board: no out-of-memory, no safe mode, every session billed once", { timeout: 900000 }, async () => {
    const sim = new ShedSim({ board: "shed10", speed: SPEED })
    const orders: Order[] = []
    const current: (Order | null)[] = new Array(SOCKETS + 1).fill(null)
    let seed = 1
    try {
        await sim.start()
        const t0 = Date.now()
        const endAt = t0 + (HOURS * 3600 * 1000) / SPEED
        while (Date.now() < endAt) {
            for (let n = 1; n <= SOCKETS && Date.now() < endAt; n++) {
                const o = current[n]
                if (o && !o.billed) continue
                // the last rider takes the bike; the next plugs a battery in and pays
                sim.shed.unplug(n)
                seed++
                sim.shed.plug(n, { model: seed % 3 === 0 ? "la3" : "li", soc0: 0.2 + (seed % 7) / 10, seed })
                const next = await sim.backend.pay(n)
                assert.equal(next.startReply?.ok, true, `socket ${n}: ${JSON.stringify(next.startReply)}`)
                orders.push(next)
                current[n] = next
            }
            await new Promise(r => setTimeout(r, 1000))
        }
        // the sessions that ended one by one: each one's power trace
        // arrives whole (chunks 0..n-1) and covers the session (a few hours: rows merged)
        const ended = orders.filter(o => !!o.billed)
        const traceOf = (eid: string) => sim.backend.events.filter(e => e.t === "trace" && e.eid === eid)
        await until(() => ended.every(o => traceOf(o.billed!.eid).length > 0), 60000, "the ended sessions' traces")
        let longest = 0
        for (const o of ended) {
            const chunks = traceOf(o.billed!.eid).sort((a, b) => a.i - b.i)
            assert.deepEqual(
                chunks.map(c => c.i),
                [...Array(chunks[0].n).keys()],
                `${o.order}: chunks ${chunks.map(c => c.i)} of ${chunks[0].n}`
            )
            const min = chunks[0].min
            const covered = decodeTrace(chunks.map(c => c.hex)).length * min
            const durMin = o.billed!.durationS / 60
            assert.ok(
                covered <= durMin + 1 && covered >= durMin - min - 2,
                `${o.order}: trace covers ${covered} min of ${durMin.toFixed(1)} (${chunks[0].n} chunks of ${min}-minute rows) ${JSON.stringify(o.billed)}`
            )
            longest = Math.max(longest, min)
        }
        // the run is over: every rider unplugs, and every record reaches the backend
        for (let n = 1; n <= SOCKETS; n++) sim.shed.unplug(n)
        await until(() => orders.every(o => !!o.billed), 120000, "every session billed")
        const alarms = sim.vm.log.filter(l => /OutOfMemory|PANIC|SAFE MODE|control loop error/.test(l))
        assert.deepEqual(alarms, [], "the firmware's alarms")
        const eids = orders.map(o => o.billed!.eid)
        assert.equal(new Set(eids).size, eids.length, "one billing record per session")
        // ten sockets busy for twelve hours: each ran several sessions
        assert.ok(orders.length >= 2 * SOCKETS, `${orders.length} sessions`)
        console.log(`# soak: ${orders.length} sessions in ${HOURS} simulated hours, ${((Date.now() - t0) / 1000).toFixed(0)} s real; ${ended.length} traces checked, rows of up to ${longest} min`)
    } finally {
        await sim.stop()
    }
})
