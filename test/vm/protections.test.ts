// Board-level protections and the power trace inside the DeviceScript VM.
import { describe, test, expect } from "@devicescript/test"
import { defaultConfig, applyConfigPatch, configBound } from "../../src/core/config"
import { MainsGuard, boardVoltage } from "../../src/core/mains"
import { ThermalGuard } from "../../src/core/thermal"
import { PowerTrace, decodeTrace } from "../../src/core/trace"

describe("protections in the VM", () => {
    test("mains: a short dip is ignored, a long one pauses, recovery resumes", () => {
        const g = new MainsGuard(defaultConfig())
        for (let t = 0; t < 5; t++) g.update(t * 1000, 90)
        g.update(6000, 230)
        expect(g.state).toBe("ok")
        for (let t = 10; t < 30; t++) g.update(t * 1000, 90)
        expect(g.state).toBe("out")
        for (let t = 30; t < 100; t++) g.update(t * 1000, 230)
        expect(g.state).toBe("ok")
    })
    test("board voltage is the median of the meters that read one", () => {
        expect(boardVoltage([230, NaN, 228, 0, 231])).toBe(230)
    })
    test("thermal levels with hysteresis", () => {
        const g = new ThermalGuard(defaultConfig())
        expect(g.update(81)).toBe(3)
        expect(g.update(76)).toBe(3)
        expect(g.update(40)).toBe(0)
    })
    test("config bounds come from the table, and a key that is not one finds none", () => {
        const b = configBound("crossTalk")
        expect(b.max).toBe(0.05)
        expect(b.integer).toBe(false)
        expect(configBound("telemetryS").integer).toBe(true)
        expect(configBound("constructor")).toBe(null)
        expect(configBound("16,1],socketLimitW")).toBe(null)
        expect(configBound("")).toBe(null)
    })
    test("config refuses a bad key and names it", () => {
        const r = applyConfigPatch(defaultConfig(), { shortW: 10 })
        expect(r.ok).toBe(false)
        expect(r.key).toBe("shortW")
    })
    test("trace encodes per-minute rows", () => {
        const tr = new PowerTrace()
        for (let t = 0; t <= 180; t++) tr.add(t * 1000, 100)
        const rows = decodeTrace(tr.chunks())
        expect(rows.length).toBe(3)
        expect(Math.abs(rows[0][0] - 100) < 4).toBe(true)
    })
})
