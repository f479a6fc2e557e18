// The firmware shell's control loop inside the VM, against in-VM fake relays and meters
// served on the bus (DeviceScript's own test pattern): sessions switch relays, a short circuit
// opens the relay, and the short-to-relay-off latency is printed for the benchmark.
import * as ds from "@devicescript/core"
import { fakeSockets, waitFor } from "./fakes"
import { describe, test, expect } from "@devicescript/test"
import { EventRoute, runShed } from "../../src/shell/control-loop"
import { busMeters } from "../../src/shell/meters"
import { Supervisor } from "../../src/core/supervisor"
import { SessionRecord } from "../../src/core/session"

const shed = fakeSockets(2)
const fakeRelays = shed.fakeRelays
const fakeMeters = shed.fakeMeters
const relays = shed.relays
const meters = shed.meters

let sup: Supervisor = null
/** the sessions' records as their ended events left the control loop (a session keeps none) */
const ended: SessionRecord[] = []

describe("firmware shell in the VM", () => {
    test("boots with every relay off", async () => {
        const route = new EventRoute()
        route.to(async (e, now) => {
            if (e.kind === "ended") ended.push(e.record)
        })
        sup = await runShed({ name: "test", relays: relays, meters: busMeters(meters), heartbeat: null }, route)
        expect(sup !== null).toBe(true)
        await ds.sleep(1500) // role binding
        expect(fakeRelays[0].on).toBe(false)
        expect(fakeRelays[1].on).toBe(false)
    })
    test("a paid session closes its relay", async () => {
        expect(sup.start(1, "o1", { kind: "full", value: 0 }, {}, ds.millis()).ok).toBe(true)
        expect(await waitFor(() => fakeRelays[0].on, 3000)).toBe(true)
        expect(fakeRelays[1].on).toBe(false)
        fakeMeters[0].p = 200
        expect(await waitFor(() => sup.sockets[0].state === "charging", 120000)).toBe(true)
    })
    test("a short circuit opens the relay and faults the socket", async () => {
        await ds.sleep(500)
        const t0 = ds.millis()
        fakeMeters[0].p = 5000
        expect(await waitFor(() => !fakeRelays[0].on, 2000)).toBe(true)
        console.log("short-to-relay-off-ms: " + (fakeRelays[0].changedAt - t0))
        // the contacts open on the reading itself; the core's verdict follows on its tick
        expect(await waitFor(() => sup.sockets[0].state === "faulted", 2000)).toBe(true)
        // the loop hands the events out after the tick that faulted the socket
        expect(await waitFor(() => ended.length > 0, 20000)).toBe(true)
        expect(ended.length).toBe(1)
        expect(ended[0].reason).toBe("short")
    })
})

describe("short circuit latency trials", () => {
    test("every trial opens the relay; latencies printed for the benchmark", async () => {
        const lat: number[] = []
        for (let k = 0; k < 20; k++) {
            fakeMeters[0].p = 0
            await ds.sleep(300)
            expect(sup.sockets[0].clear(0).ok).toBe(true)
            expect(sup.start(1, "t" + k, { kind: "full", value: 0 }, {}, ds.millis()).ok).toBe(true)
            expect(await waitFor(() => fakeRelays[0].on, 6000)).toBe(true)
            fakeMeters[0].p = 200
            // a random phase against the control loop's tick
            await ds.sleep(300 + Math.floor(Math.random() * 100))
            const t0 = ds.millis()
            fakeMeters[0].p = 5000
            expect(await waitFor(() => !fakeRelays[0].on, 2000)).toBe(true)
            lat.push(fakeRelays[0].changedAt - t0)
            expect(await waitFor(() => sup.sockets[0].state === "faulted", 2000)).toBe(true)
        }
        console.log("short-latency-ms: " + lat.join(","))
    })
})
