// The simulated shed's Jacdac bus and the hub the firmware VM connects to: the same framing
// as `devs devtools` on 8082 (a length byte, or 0xff and a 16-bit length, then the frame),
// on a port of our own so tests and several sheds never clash with the dev tools.
import { createServer, Server, Socket, AddressInfo } from "node:net"
import { JDBus, createProxyBridge } from "jacdac-ts"

export interface Hub {
    bus: JDBus
    port: number
    close(): Promise<void>
}

export async function startHub(bus: JDBus, port = 0): Promise<Hub> {
    const sockets = new Set<Socket>()
    const server: Server = createServer(socket => {
        socket.setNoDelay(true)
        sockets.add(socket)
        const bridge = createProxyBridge((data: Uint8Array) => {
            // the VM side reads one length byte: Jacdac frames are at most 252 bytes
            if (data.length >= 255 || socket.destroyed) return
            const b = Buffer.alloc(1 + data.length)
            b[0] = data.length
            b.set(data, 1)
            socket.write(b)
        })
        bridge.bus = bus
        let acc: Buffer | null = null
        socket.on("data", chunk => {
            let buf = acc ? Buffer.concat([acc, chunk]) : chunk
            acc = null
            while (buf.length > 0) {
                let off = 1
                let end = buf[0] + 1
                if (buf[0] === 255) {
                    if (buf.length < 3) break
                    off = 3
                    end = 3 + (buf[1] | (buf[2] << 8))
                }
                if (buf.length < end) break
                bridge.receiveFrameOrPacket(new Uint8Array(buf.subarray(off, end)))
                buf = buf.subarray(end)
            }
            if (buf.length > 0) acc = Buffer.from(buf)
        })
        const drop = () => {
            sockets.delete(socket)
            bridge.bus = undefined as any
        }
        socket.on("close", drop)
        socket.on("error", drop)
    })
    await new Promise<void>((res, rej) => server.listen(port, "127.0.0.1", () => res()).on("error", rej))
    return {
        bus,
        port: (server.address() as AddressInfo).port,
        close: () =>
            new Promise<void>(res => {
                for (const s of sockets) s.destroy()
                server.close(() => res())
            }),
    }
}
