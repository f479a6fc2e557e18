// The NTC divider's conversion (src/core/ntc.ts) against the B-parameter equation.
import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import { ntcCelsius, ntcRatio } from "../../src/core/ntc"

test("25 C is the divider's midpoint (10 kOhm NTC over 10 kOhm)", () => {
    assert.ok(Math.abs(ntcRatio(25) - 0.5) < 1e-9)
    assert.ok(Math.abs(ntcCelsius(0.5) - 25) < 1e-9)
})

test("points of a B=3950 10k NTC: ~3.6 kOhm at 50 C, ~1.27 kOhm at 80 C", () => {
    // R(T) = R25 * exp(B (1/T - 1/T25)): 3588 Ohm at 50 C, 1270 Ohm at 80 C
    assert.ok(Math.abs(ntcCelsius(10000 / (3588 + 10000)) - 50) < 0.1)
    assert.ok(Math.abs(ntcCelsius(10000 / (1270 + 10000)) - 80) < 0.1)
})

test("the conversion inverts the simulator's ratio over -20..120 C", () => {
    fc.assert(fc.property(fc.double({ min: -20, max: 120, noNaN: true }), c => Math.abs(ntcCelsius(ntcRatio(c)) - c) < 1e-6))
})

test("an open or shorted sensor gives no temperature, never a wrong one", () => {
    for (const r of [0, 0.005, 0.995, 1, NaN, -1]) assert.ok(Number.isNaN(ntcCelsius(r)), String(r))
})
