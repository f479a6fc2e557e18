// The charging core inside the DeviceScript VM: the same scenarios as test/node/session.test.ts.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { lithiumW, lithiumFullS, runSocket } from "../shared/scenarios"
import { Supervisor } from "../../src/core/supervisor"
import { defaultConfig } from "../../src/core/config"
import { persistedError } from "../../src/core/protocol/command"

async function pause() {
    await ds.sleep(0)
}

describe("charging core in the VM", () => {
    test("a lithium charge ends as full after the charger terminates", async () => {
        const r = await runSocket(t => lithiumW(t, 200, 3600, 1200, 0.08, 0.7), 4 * 3600, 1, null, false, pause)
        const full = lithiumFullS(200, 3600, 1200, 0.08)
        expect(r.reason).toBe("full")
        expect(r.stopS >= full).toBe(true)
        expect(r.stopS - full <= 300).toBe(true)
    })
    test("a step to zero mid-plateau is unplugged", async () => {
        const r = await runSocket(t => (t < 1800 ? lithiumW(t, 200, 3600, 1200, 0.08, 0.7) : 0.2), 3600, 1, null, false, pause)
        expect(r.reason).toBe("unplugged")
        expect(r.stopS >= 1800).toBe(true)
    })
    test("a short circuit is cut on the first reading", async () => {
        const r = await runSocket(t => (t < 100 ? 200 : 5000), 200, 1, null, false, pause)
        expect(r.reason).toBe("short")
        expect(r.stopS).toBe(100)
        expect(r.faulted).toBe(true)
    })
    test("a charger that never draws is no load", async () => {
        const r = await runSocket(t => 2, 900, 1, null, false, pause)
        expect(r.reason).toBe("no_load")
    })
    test("a welded relay is a fault", async () => {
        const r = await runSocket(t => (t < 100 ? 200 : 5000), 200, 1, null, true, pause)
        expect(r.faulted).toBe(true)
    })
    test("a persisted record read back from flash resumes when whole, and ends at once as a fault when not", () => {
        const whole = '{"order":"o1","limit":{"kind":"minutes","value":60},"elapsedS":60,"energyWh":4.2,"peakW":250,"refW":250,"drew":true,"powerCapW":0,"topOffMin":0,"profile":"auto","fullAtS":-1}'
        expect(persistedError(JSON.parse(whole))).toBe("")
        const a = new Supervisor(defaultConfig())
        a.socket(1).resume(JSON.parse(whole), 0)
        expect(a.socket(1).state).toBe("charging")
        const bad = JSON.parse(whole)
        bad.elapsedS = "sixty"
        expect(persistedError(bad)).toBe("elapsedS must be a number")
        const b = new Supervisor(defaultConfig())
        b.socket(1).resume(bad, 0)
        expect(b.socket(1).state).toBe("ended")
        expect(b.socket(1).lastRecord.reason).toBe("fault")
        expect(b.socket(1).lastRecord.energyWh).toBe(4.2)
    })
})
