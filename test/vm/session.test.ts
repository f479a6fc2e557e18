// The charging core inside the DeviceScript VM: the same scenarios as test/node/session.test.ts.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { lithiumW, lithiumFullS, runSocket } from "../shared/scenarios"

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
})
