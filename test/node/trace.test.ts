import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import { PowerTrace, decodeTrace, traceCode, traceValue, TRACE_CHUNK_MIN } from "../../src/core/trace"

test("trace codes round-trip within one 3.6 % step", () => {
    fc.assert(
        fc.property(fc.double({ min: 1, max: 3500, noNaN: true }), w => {
            const back = traceValue(traceCode(w))
            assert.ok(Math.abs(back - w) / w < 0.04, `${w} -> ${back}`)
        })
    )
    assert.equal(traceCode(0), 0)
    assert.equal(traceValue(0), 0)
})

test("a trace keeps per-minute mean, min and max", () => {
    const tr = new PowerTrace(720)
    // minute 0: 100 W for 30 s then 200 W for 30 s; minute 1: flat 50 W
    for (let t = 0; t < 60; t++) tr.add(t * 1000, t < 30 ? 100 : 200)
    for (let t = 60; t <= 120; t++) tr.add(t * 1000, 50)
    const rows = decodeTrace(tr.chunks())
    assert.equal(rows.length, 2)
    const [mean, min, max] = rows[0]
    assert.ok(Math.abs(mean - 150) / 150 < 0.05, `mean ${mean}`)
    assert.ok(Math.abs(min - 100) / 100 < 0.04)
    assert.ok(Math.abs(max - 200) / 200 < 0.04)
    assert.ok(Math.abs(rows[1][0] - 50) / 50 < 0.04)
})

test("a 12 h session's trace is bounded: 3 bytes a minute, 60-minute chunks", () => {
    const tr = new PowerTrace(720)
    for (let t = 0; t <= 13 * 3600; t += 5) tr.add(t * 1000, 200)
    assert.equal(tr.minutes(), 720, "stops at the bound")
    const chunks = tr.chunks()
    assert.equal(chunks.length, 720 / TRACE_CHUNK_MIN)
    assert.ok(chunks.every(c => c.length === TRACE_CHUNK_MIN * 3 * 2))
})
