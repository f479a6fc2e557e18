import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import { applyCal, calFromKnownLoad, checkCal, cleanReadings } from "../../src/core/metering"

test("calibration from a known load maps the zero and the load readings exactly", () => {
    fc.assert(
        fc.property(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0.7, max: 1.3, noNaN: true }), (zero, err) => {
            const known = 1000
            const c = calFromKnownLoad(zero, zero + known * err, known)
            assert.ok(Math.abs(applyCal(zero, c)) < 1e-6)
            assert.ok(Math.abs(applyCal(zero + known * err, c) - known) < 1e-6)
            assert.equal(checkCal(c), null)
        })
    )
    assert.match(checkCal({ gain: 5, offsetW: 0 })!, /gain/)
    assert.match(checkCal({ gain: 1, offsetW: 99 })!, /offsetW/)
    assert.match(checkCal("x")!, /object/)
})

test("a 1000 W channel shows at most 1 W on its open neighbours once cross-talk is suppressed", () => {
    const ident = [
        { gain: 1, offsetW: 0 },
        { gain: 1, offsetW: 0 },
        { gain: 1, offsetW: 0 },
    ]
    // the simulator's cross-talk model: 0.4 % of a neighbour's power leaks in, plus noise
    const raw = [0.3 + 0.004 * 1000, 1000 + 0.2, 0.1 + 0.004 * 1000]
    const naive = cleanReadings(raw, ident, 0, 0)
    assert.ok(naive[0] > 1, "the leak is visible without suppression")
    const clean = cleanReadings(raw, ident, 0.004, 1)
    assert.ok(clean[0] <= 1 && clean[2] <= 1, JSON.stringify(clean))
    assert.ok(Math.abs(clean[1] - 1000) < 1)
})

test("the noise floor reads an idle open socket as 0 W, a real draw as itself", () => {
    const c = [{ gain: 1, offsetW: 0 }]
    assert.deepEqual(cleanReadings([0.4], c, 0, 1), [0])
    assert.deepEqual(cleanReadings([6], c, 0, 1), [6])
})
