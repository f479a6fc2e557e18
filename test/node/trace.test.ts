import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import { PowerTrace, TraceStore, decodeTrace, traceCode, traceValue, TRACE_CHUNK_ROWS, TRACE_ROWS } from "../../src/core/trace"

/** As the board's control loop feeds a trace: a reading, then a spill when one is due. */
async function feed(tr: PowerTrace, t: number, p: number) {
    tr.add(t, p)
    if (tr.spillDue()) await tr.spill()
}

/** A store like the board's flash: it keeps hex text, answers later, and can lose a chunk. */
class TextStore implements TraceStore {
    text = new Map<string, string>()
    writes = 0
    async load(socket: number, k: number) {
        await new Promise(r => setImmediate(r))
        const h = this.text.get(socket + "." + k)
        return h === undefined ? null : Buffer.from(h, "hex")
    }
    async save(socket: number, k: number, chunk: Buffer) {
        await new Promise(r => setImmediate(r))
        this.writes++
        this.text.set(socket + "." + k, chunk.toString("hex"))
    }
}

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

test("a trace keeps per-minute mean, min and max", async () => {
    const tr = new PowerTrace()
    // minute 0: 100 W for 30 s then 200 W for 30 s; minute 1: flat 50 W
    for (let t = 0; t < 60; t++) await feed(tr, t * 1000, t < 30 ? 100 : 200)
    for (let t = 60; t <= 120; t++) await feed(tr, t * 1000, 50)
    const rows = decodeTrace(await tr.chunks())
    assert.equal(rows.length, 2)
    const [mean, min, max] = rows[0]
    assert.ok(Math.abs(mean - 150) / 150 < 0.05, `mean ${mean}`)
    assert.ok(Math.abs(min - 100) / 100 < 0.04)
    assert.ok(Math.abs(max - 200) / 200 < 0.04)
    assert.ok(Math.abs(rows[1][0] - 50) / 50 < 0.04)
})

for (const where of ["the heap", "a store"])
    test(`a trace's rows merge in pairs when it is full (chunks in ${where}): its size is fixed, whatever the session's length`, async () => {
        const store = new TextStore()
        const tr = where === "a store" ? new PowerTrace(store, 7) : new PowerTrace()
        // 12 h: 200 W, except 1000 W during minute 300 (a spike the merged max keeps)
        for (let t = 0; t <= 12 * 3600; t += 5) await feed(tr, t * 1000, t >= 300 * 60 && t < 301 * 60 ? 1000 : 200)
        // 720 minutes: 120 one-minute rows -> 60 of 2 -> ... -> 90 rows of 8 minutes
        assert.equal(tr.minutesPerRow(), 8)
        assert.equal(tr.rows(), 90)
        if (where === "a store") {
            // finished chunks live in the store only: at most TRACE_ROWS / TRACE_CHUNK_ROWS - 1 of them
            assert.deepEqual([...store.text.keys()].sort(), ["7.0", "7.1", "7.2"])
            // one write a finished chunk, two a merge: a handful of writes for 12 hours
            assert.ok(store.writes < 30, `${store.writes} writes`)
        }
        const chunks = await tr.chunks()
        assert.equal(chunks.length, 3)
        assert.equal(chunks[0].length, TRACE_CHUNK_ROWS * 6)
        const rows = decodeTrace(chunks)
        assert.equal(rows.length, 90)
        // the spike's row (minute 300 is in row 37, minutes 296..303) keeps its max and its mean
        const spike = rows[Math.floor(300 / 8)]
        assert.ok(Math.abs(spike[2] - 1000) / 1000 < 0.04, `max ${spike[2]}`)
        assert.ok(Math.abs(spike[1] - 200) / 200 < 0.04, `min ${spike[1]}`)
        assert.ok(Math.abs(spike[0] - 300) / 300 < 0.08, `mean ${spike[0]} (one minute of 1000 W in eight)`)
        for (let i = 0; i < rows.length; i++) if (i !== 37) assert.ok(Math.abs(rows[i][0] - 200) / 200 < 0.04, `row ${i}: ${rows[i][0]}`)
    })

test("a trace never holds more than TRACE_ROWS rows, and merges keep every minute's energy", async () => {
    await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 1440 }), fc.array(fc.double({ min: 0, max: 3000, noNaN: true }), { minLength: 1, maxLength: 30 }), async (minutes, levels) => {
            const tr = new PowerTrace(new TextStore(), 1)
            let wh = 0
            for (let m = 0; m < minutes; m++) {
                const w = levels[m % levels.length]
                await feed(tr, m * 60000, w)
                await feed(tr, m * 60000 + 30000, w)
                wh += w / 60
            }
            await feed(tr, minutes * 60000, 0)
            assert.ok(tr.rows() <= TRACE_ROWS)
            assert.equal(tr.rows() * tr.minutesPerRow(), minutes - (minutes % tr.minutesPerRow()), "every finished row is there")
            // energy from the rows' means: each within a code step of its own mean
            const rows = decodeTrace(await tr.chunks())
            assert.equal(rows.length, tr.rows())
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

test("a chunk the store lost is left out of the trace, never sent as rows", async () => {
    const store = new TextStore()
    const tr = new PowerTrace(store, 2)
    for (let t = 0; t <= 100 * 60; t += 10) await feed(tr, t * 1000, 300)
    // 100 minutes: three chunks stored, ten rows open
    assert.equal((await tr.chunks()).length, 4)
    store.text.delete("2.1")
    const chunks = await tr.chunks()
    assert.equal(chunks.length, 3)
    for (const r of decodeTrace(chunks)) assert.ok(Math.abs(r[0] - 300) / 300 < 0.04)
})

test("without a spill the open row grows longer: no reading is dropped, rows resume after the spill", async () => {
    const tr = new PowerTrace(new TextStore(), 3)
    // 45 minutes without a spill: the open chunk fills at 30 rows, then its last row holds on
    for (let t = 0; t <= 45 * 60; t += 10) tr.add(t * 1000, 100)
    assert.equal(tr.rows(), TRACE_CHUNK_ROWS)
    assert.ok(tr.spillDue())
    await tr.spill()
    assert.ok(!tr.spillDue())
    tr.add(46 * 60000, 100)
    assert.equal(tr.rows(), 46)
})
