import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import { PowerTrace, decodeTrace, traceCode, traceValue, TRACE_CHUNK_ROWS, TRACE_ROWS } from "../../src/core/trace"

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
    const tr = new PowerTrace()
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

test("a trace's rows merge in pairs when it is full: its size is fixed, whatever the session's length", () => {
    const tr = new PowerTrace()
    // 12 h: 200 W, except 1000 W during minute 300 (a spike the merged max keeps)
    for (let t = 0; t <= 12 * 3600; t += 5) tr.add(t * 1000, t >= 300 * 60 && t < 301 * 60 ? 1000 : 200)
    // 720 minutes: 60 one-minute rows -> 30 of 2 -> ... -> 45 rows of 16 minutes
    assert.equal(tr.minutesPerRow(), 16)
    assert.equal(tr.rows(), 45)
    const chunks = tr.chunks()
    assert.equal(chunks.length, 1)
    assert.ok(TRACE_CHUNK_ROWS >= TRACE_ROWS)
    const rows = decodeTrace(chunks)
    assert.equal(rows.length, 45)
    // the spike's row (minute 300 is in row 18, minutes 288..303) keeps its max and its mean
    const spike = rows[Math.floor(300 / 16)]
    assert.ok(Math.abs(spike[2] - 1000) / 1000 < 0.04, `max ${spike[2]}`)
    assert.ok(Math.abs(spike[1] - 200) / 200 < 0.04, `min ${spike[1]}`)
    assert.ok(Math.abs(spike[0] - 250) / 250 < 0.08, `mean ${spike[0]} (one minute of 1000 W in sixteen)`)
    for (let i = 0; i < rows.length; i++) if (i !== 18) assert.ok(Math.abs(rows[i][0] - 200) / 200 < 0.04, `row ${i}: ${rows[i][0]}`)
})

test("a trace never holds more than TRACE_ROWS rows, and merges keep every minute's energy", () => {
    fc.assert(
        fc.property(fc.integer({ min: 1, max: 1440 }), fc.array(fc.double({ min: 0, max: 3000, noNaN: true }), { minLength: 1, maxLength: 30 }), (minutes, levels) => {
            const tr = new PowerTrace()
            let wh = 0
            for (let m = 0; m < minutes; m++) {
                const w = levels[m % levels.length]
                tr.add(m * 60000, w)
                tr.add(m * 60000 + 30000, w)
                wh += w / 60
            }
            tr.add(minutes * 60000, 0)
            assert.ok(tr.rows() <= TRACE_ROWS)
            assert.equal(tr.rows() * tr.minutesPerRow(), minutes - (minutes % tr.minutesPerRow()), "every finished row is there")
            // energy from the rows' means: each within a code step of its own mean
            const rows = decodeTrace(tr.chunks())
            let fromRows = 0
            for (const r of rows) fromRows += (r[0] * tr.minutesPerRow()) / 60
            const full = tr.rows() * tr.minutesPerRow()
            let whFull = 0
            for (let m = 0; m < full; m++) whFull += levels[m % levels.length] / 60
            assert.ok(Math.abs(fromRows - whFull) <= 0.08 * whFull + 0.01 * full, `${fromRows} vs ${whFull}`)
            assert.ok(wh >= whFull)
        })
    )
})
