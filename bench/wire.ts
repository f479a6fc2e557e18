// Bytes on the wire between the board and the broker, counted by the broker on every MQTT
// packet (fixed header, topic, payload; TCP/IP and TLS overhead excluded), with the firmware in
// the VM at 1x time on the 2-socket board. Split into what a session costs once (start,
// events, the billing record, its explanation, trace and ack) and what each charging hour
// costs (telemetry at the configured period, keep-alive pings).
import mqttPacket from "mqtt-packet"
import { ShedSim, until } from "../sim/shed-sim"
import { defaultConfig } from "../src/core/config"

interface Tally {
    up: number
    down: number
    telemetry: number
    telemetryBytes: number
    pings: number
}

function wireSize(p: any): number {
    return mqttPacket.generate(p).length
}

export async function printWireBench(seconds = 60) {
    const period = 10
    const sim = new ShedSim({ board: "shed2", speed: 1, settings: { config: { telemetryS: period } } })
    const t: Tally = { up: 0, down: 0, telemetry: 0, telemetryBytes: 0, pings: 0 }
    let counting = false
    try {
        await sim.start()
        const broker = sim.broker!.broker
        const board = (c: any) => c && c.id === "shed-" + sim.boardId
        broker.on("publish", (p: any, c: any) => {
            if (!counting) return
            // what the board receives: the backend's commands, forwarded by the broker
            if (p.topic === `shed/${sim.boardId}/cmd`) t.down += wireSize({ cmd: "publish", topic: p.topic, payload: p.payload, qos: 0, retain: false })
            if (!board(c)) return
            const n = wireSize({ cmd: "publish", topic: p.topic, payload: p.payload, qos: 0, retain: p.retain })
            t.up += n
            if (p.topic.endsWith("/telemetry")) {
                t.telemetry++
                t.telemetryBytes += n
            }
        })
        broker.on("ping", (_p: any, c: any) => {
            if (!counting || !board(c)) return
            t.pings++
            t.up += 2
            t.down += 2
        })

        // one whole session: pay, a few seconds of charging, stop, record, ack
        sim.shed.plug(1, { model: "li", soc0: 0.3, seed: 3 })
        counting = true
        const o = await sim.backend.pay(1)
        if (!o.startReply?.ok) throw new Error("start refused: " + JSON.stringify(o.startReply))
        await until(() => sim.shed.socket(1).relayOn, 10000, "relay on")
        await new Promise(r => setTimeout(r, 3000))
        await sim.backend.send("stop", { socket: 1 })
        await until(() => !!o.billed, 20000, "the record")
        await new Promise(r => setTimeout(r, 3000))
        counting = false
        const session = { up: t.up - t.telemetryBytes, down: t.down }

        // charging hours: both sockets charge for `seconds`
        Object.assign(t, { up: 0, down: 0, telemetry: 0, telemetryBytes: 0, pings: 0 })
        sim.shed.plug(1, { model: "li", soc0: 0.2, seed: 4 })
        sim.shed.plug(2, { model: "li", soc0: 0.2, seed: 5 })
        await sim.backend.pay(1)
        await sim.backend.pay(2)
        await until(() => sim.shed.socket(1).relayOn && sim.shed.socket(2).relayOn, 10000, "both relays on")
        await new Promise(r => setTimeout(r, 2000))
        counting = true
        const t0 = Date.now()
        await new Promise(r => setTimeout(r, seconds * 1000))
        counting = false
        const hours = (Date.now() - t0) / 3600000
        const perMsg = t.telemetry ? t.telemetryBytes / t.telemetry : 0
        const defPeriod = defaultConfig().telemetryS
        const telemetryPerSocketHour = (3600 / defPeriod) * perMsg
        const pingsPerHour = t.pings / hours
        console.log("\n## Bytes on the wire (MQTT packets as counted at the broker, 2-socket board, 1x time)\n")
        console.log(`- one session, pay to acked record (start, reply, started/state events, ended, why, trace, ack): ${session.up} B up, ${session.down} B down`)
        console.log(
            `- telemetry: ${perMsg.toFixed(0)} B a message; at the default period of ${defPeriod} s: ${telemetryPerSocketHour.toFixed(0)} B per charging hour per socket (measured at a ${period} s period over ${seconds} s: ${t.telemetry} messages from 2 sockets)`
        )
        console.log(`- keep-alive: ${pingsPerHour.toFixed(0)} pings an hour (${(pingsPerHour * 4).toFixed(0)} B, per board, not per socket)`)
        const perHour = telemetryPerSocketHour + (pingsPerHour * 4) / 2
        console.log(`- per charging hour per socket, 2 sockets charging, sessions excluded: ~${(perHour / 1024).toFixed(1)} KB`)
    } catch (e) {
        console.log(`\n(wire benchmark stopped: ${(e as Error).message.split("\n")[0]})`)
    } finally {
        await sim.stop()
    }
}
