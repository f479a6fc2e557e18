import { test } from "node:test"
import assert from "node:assert/strict"
import { clamp, roundTo } from "../../src/core/mathx"

test("clamp keeps values inside bounds", () => {
    assert.equal(clamp(5, 0, 3), 3)
    assert.equal(clamp(-1, 0, 3), 0)
    assert.equal(clamp(2, 0, 3), 2)
})

test("roundTo rounds to decimals", () => {
    assert.equal(roundTo(1.23456, 2), 1.23)
})
