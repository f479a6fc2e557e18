// A billing record made at boot (a corrupt persisted session, ended at resume) waits in the
// core until the board has settled who takes its events: the control loop ticks before the
// cloud link is up, and a record it took then would be marked ended in flash and never sent.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { writeSetting } from "@devicescript/settings"
import { fakeSockets, waitFor } from "./fakes"
import { EventRoute, runShed, ShedHardware } from "../../src/shell/control-loop"
import { busMeters } from "../../src/shell/meters"
import { SocketEvent } from "../../src/core/session"

const shed = fakeSockets(2)

describe("events at boot", () => {
    test("a record ended at resume reaches the event taker set after the loop started", async () => {
        await writeSetting("sess1", { order: "o-corrupt", limit: "sixty", elapsedS: 60, energyWh: 3.5, peakW: 200, refW: 200, drew: true, powerCapW: 0, topOffMin: 0, fullAtS: -1 })
        const hw: ShedHardware = { name: "test", relays: shed.relays, meters: busMeters(shed.meters), heartbeat: null }
        const route = new EventRoute()
        const sup = await runShed(hw, route)
        expect(sup.socket(1).state).toBe("ended")
        // the loop ticks meanwhile (its meters report every 50 ms)
        await ds.sleep(1500)
        const got: SocketEvent[] = []
        route.to(async (e, now) => {
            got.push(e)
        })
        let ended: SocketEvent = null
        expect(
            await waitFor(() => {
                for (let i = 0; i < got.length; i++) if (got[i].kind === "ended") ended = got[i]
                return ended !== null
            }, 3000)
        ).toBe(true)
        expect(ended.record.order).toBe("o-corrupt")
        expect(ended.record.reason).toBe("fault")
        expect(ended.record.energyWh).toBe(3.5)
        expect(shed.fakeRelays[0].on).toBe(false)
    })
})
