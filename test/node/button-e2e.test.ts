// The service button through the simulated shed (2-socket board with its display): short
// presses pick a socket and the screen says what it does; a long press clears a locked fault
// only once the socket draws nothing, and the socket then takes orders again.
import { describe, test, before, after } from "node:test"
import assert from "node:assert/strict"
import { ShedSim, until } from "../../sim/shed-sim"

describe("the service button (2-socket board, firmware in the VM)", { timeout: 300000 }, () => {
    const sim = new ShedSim({ board: "shed2", speed: 1 })
    before(async () => {
        await sim.start()
    })
    after(async () => {
        await sim.stop()
    })
    /** presses for `ms` and returns what the board said about it */
    async function press(ms: number): Promise<string> {
        const from = sim.vm.log.length
        await sim.shed.press(ms)
        const line = await sim.vm.waitLog(/button: /, 10000, from)
        return line.replace(/^.*button: /, "")
    }

    test("short presses step through the sockets; a welded socket is not cleared while it draws, then is", async () => {
        assert.equal(await press(150), "S1 idle")
        assert.equal(await press(150), "S2 idle")
        // socket 2: its contacts weld during a charge; the stop leaves it drawing
        sim.shed.plug(2, { model: "li", soc0: 0.3, seed: 31 })
        const o = await sim.backend.pay(2)
        assert.equal(o.startReply?.ok, true)
        await until(() => sim.shed.socket(2).relayOn && sim.shed.socket(2).powerW > 20, 30000, "socket 2 drawing")
        sim.shed.inject(2, "welded")
        await sim.backend.send("stop", { socket: 2 })
        await until(() => sim.backend.events.some(e => e.t === "fault" && e.socket === 2 && e.kind === "welded_relay"), 30000, "the welded_relay fault")
        assert.equal(await press(150), "S1 idle")
        assert.equal(await press(150), "S2 faulted welded_relay")
        assert.equal(await press(2500), "S2 not cleared: socket_drawing")
        assert.equal((await sim.backend.pay(2)).startReply?.error, "socket_faulted")
        // fixed and unplugged: the technician clears it at the shed
        sim.shed.inject(2, "welded", false)
        sim.shed.unplug(2)
        await new Promise(r => setTimeout(r, 1500))
        assert.equal(await press(2500), "S2 cleared")
        sim.shed.plug(2, { model: "li", soc0: 0.3, seed: 32 })
        const again = await sim.backend.pay(2)
        assert.equal(again.startReply?.ok, true, JSON.stringify(again.startReply))
        await sim.backend.send("stop", { socket: 2 })
    })

    test("a hesitant press (1-2 s) changes nothing", async () => {
        const from = sim.vm.log.length
        await sim.shed.press(1500)
        await new Promise(r => setTimeout(r, 1500))
        assert.ok(!sim.vm.log.slice(from).some(l => /button: /.test(l)))
    })
})
