// Figures through the whole simulated shed at 1x time: the firmware in the DeviceScript VM,
// relays and socket meters served by the jacdac-ts simulator on the bus, the broker, the backend.
import { ShedSim, until } from "../sim/shed-sim"
import { percentile } from "./firmware"

export async function printBusBench(trials = 30) {
    // no stagger between relay closings, so each trial starts at once
    const sim = new ShedSim({ board: "shed2", speed: 1, settings: { config: { staggerS: 0 } } })
    const shortMs: number[] = []
    const payMs: number[] = []
    try {
        await sim.start()
        const s = sim.shed.socket(1)
        sim.shed.plug(1, { model: "li", soc0: 0.3, seed: 5 })
        for (let k = 0; k < trials; k++) {
            const before = s.changes.length
            const tPay = Date.now()
            const o = await sim.backend.pay(1)
            if (!o.startReply?.ok) throw new Error("start refused: " + JSON.stringify(o.startReply))
            await until(() => s.changes.length > before && s.relayOn, 10000, "the relay on")
            payMs.push(s.changes[s.changes.length - 1].t + sim.shed.t0 - tPay)
            // let the meter stream a few readings of a normal draw first
            await new Promise(r => setTimeout(r, 700))
            const n = s.changes.length
            const tShort = Date.now()
            sim.shed.inject(1, "short")
            await until(() => s.changes.length > n && !s.relayOn, 5000, "the relay off")
            shortMs.push(s.changes[s.changes.length - 1].t + sim.shed.t0 - tShort)
            sim.shed.inject(1, "short", false)
            await until(() => !!o.billed, 10000, "the short's record")
            // the board refuses to clear while its meter has not yet shown the socket dead (a
            // silent meter reads NaN): an operator tries again, so does the bench, for 5 s
            let c = await sim.backend.send("clear", { socket: 1 })
            for (let tries = 0; !c.ok && c.error === "socket_drawing" && tries < 25; tries++) {
                await new Promise(r => setTimeout(r, 200))
                c = await sim.backend.send("clear", { socket: 1 })
            }
            if (!c.ok) throw new Error("clear refused: " + JSON.stringify(c))
        }
    } catch (e) {
        console.log(`\n(bus benchmark stopped after ${shortMs.length} trials: ${(e as Error).message.split("\n")[0]})`)
    } finally {
        await sim.stop()
    }
    console.log("\n## Through the simulated bus (firmware in the VM, jacdac-ts relays and meters, aedes broker)\n")
    if (!shortMs.length) return console.log("not measured")
    const f = (xs: number[]) => `p50 ${percentile(xs, 50)} ms, p99 ${percentile(xs, 99)} ms, max ${Math.max(...xs)} ms`
    console.log(`- short circuit to relay off, ${shortMs.length} trials: ${f(shortMs)} (target p99 <= 250 ms)`)
    console.log(`- pay (signed start published) to relay on, ${payMs.length} trials: ${f(payMs)}`)
}
