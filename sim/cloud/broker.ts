// The embedded MQTT broker (aedes) the simulator and the tests use by default.
import { createServer, Server, AddressInfo } from "node:net"
import { Aedes } from "aedes"

export interface RunningBroker {
    broker: Aedes
    port: number
    url: string
    close(): Promise<void>
}

/**
 * aedes 1.2.0 stamps a packet's dedupe counter when it parses it but forwards a retained
 * packet only after storing it, so a retained publish followed at once by another publish
 * from the same socket read (the board's `online` then its boot event) reaches live
 * subscribers second and is dropped as a duplicate. Restamping the counter when the packet
 * is emitted keeps counters in delivery order.
 */
function counterAtEmit(broker: Aedes) {
    const b = broker as any
    const mq = b.mq
    const emit = mq.emit.bind(mq)
    mq.emit = (packet: any, cb: any) => {
        if (packet && packet.brokerId === b.id) packet.brokerCounter = ++b.counter
        return emit(packet, cb)
    }
}

/**
 * The largest command the broker passes on to a board. A board takes in whatever its TCP stack
 * hands over, so the operator's broker caps what it forwards to shed/+/cmd (Mosquitto:
 * `message_size_limit`); the board itself refuses anything over 1 KB with `too_large`.
 */
export const CMD_FORWARD_MAX = 4096

/** Starts a broker on 127.0.0.1 (port 0: any free port). */
export async function startBroker(port = 0): Promise<RunningBroker> {
    const broker = await Aedes.createBroker({
        authorizeForward: (_client, packet) => (/^shed\/[^/]+\/cmd$/.test(packet.topic) && packet.payload.length > CMD_FORWARD_MAX ? null : packet),
    })
    counterAtEmit(broker)
    // SHED_BROKER_LOG=<file>: every publish the broker takes in, for whoever chases a lost message
    const logFile = process.env.SHED_BROKER_LOG
    if (logFile) {
        const fs = await import("node:fs")
        broker.on("publish", (packet, client) => {
            if (packet.topic.startsWith("$SYS")) return
            fs.appendFileSync(logFile, `${Date.now()} ${client ? client.id : "-"} ${packet.topic} ${packet.payload.toString().slice(0, 60)}\n`)
        })
    }
    const server: Server = createServer(broker.handle as any)
    await new Promise<void>((res, rej) => server.listen(port, "127.0.0.1", () => res()).on("error", rej))
    const p = (server.address() as AddressInfo).port
    return {
        broker,
        port: p,
        url: `mqtt://127.0.0.1:${p}`,
        close: () =>
            new Promise<void>(res => {
                server.close()
                broker.close(() => res())
            }),
    }
}
