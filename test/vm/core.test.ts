// The portable core, run inside the DeviceScript VM (devs run --test).
import { describe, test, expect } from "@devicescript/test"
import { clamp, roundTo } from "../../src/core/mathx"

describe("mathx in the VM", () => {
    test("clamp", () => {
        expect(clamp(5, 0, 3)).toBe(3)
    })
    test("roundTo", () => {
        expect(roundTo(1.23456, 2)).toBe(1.23)
    })
})
