// The cloud link in the VM against a real MQTT broker (started by test/node/cloud-vm.test.ts
// on 127.0.0.1:18830, which also plays the backend): a signed start closes the relay, a
// forged one is refused, a remote stop ends the session and the billing record is acked.
import * as ds from "@devicescript/core"
import { startServer } from "@devicescript/server"
import { FakeMeter, FakeRelay, waitFor } from "../vm/fakes"
import { describe, test, expect } from "@devicescript/test"
import { EventRoute, runShed, ShedHardware } from "../../src/shell/control-loop"
import { busMeters } from "../../src/shell/meters"
import { CloudLink } from "../../src/shell/cloud"
import { SessionRecord } from "../../src/core/session"

const fr = new FakeRelay()
const fm = new FakeMeter(100)
const hw: ShedHardware = {
    name: "test",
    relays: [new ds.Relay(startServer(fr, { roleName: "relay1" }))],
    meters: busMeters([new ds.SocketMeter(startServer(fm, { roleName: "meter1" }))]),
    heartbeat: null,
}

describe("cloud link against a broker", () => {
    test("signed start, relay on, remote stop, relay off", async () => {
        const route = new EventRoute()
        const sup = await runShed(hw, route)
        const cloud = new CloudLink(sup, { host: "127.0.0.1", port: 18830, proto: "tcp", boardId: "B1", keyHex: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" })
        await cloud.start()
        // the session's record, as its ended event left the control loop (a session keeps none)
        let record: SessionRecord = null
        route.to(async (e, now) => {
            if (e.kind === "ended") record = e.record
            await cloud.onEvent(e, now)
        })
        console.log("cloud-started")
        expect(await waitFor(() => fr.on, 60000)).toBe(true)
        console.log("relay-on")
        // the charger draws once its socket is on (a draw with the relay open is a welded relay)
        fm.p = 150
        expect(await waitFor(() => !fr.on, 60000)).toBe(true)
        console.log("relay-off")
        // the loop hands the events out after the tick that opened the relay
        expect(await waitFor(() => record !== null, 20000)).toBe(true)
        expect(record.reason).toBe("remote_stop")
        // let the billing record go out and its ack come back
        await ds.sleep(5000)
    })
})
