// The board's MQTT connection: one socket, one reader that never waits on a handler, one
// writer at a time, keep-alive pings, and reconnection with back-off. Replaces the runtime's
// client (2.16.4), which went deaf on a partial packet, stayed "sending" after a failed write
// until its 50 s watchdog, and built a hex dump of every packet on the heap.
import * as ds from "@devicescript/core"
import { connect, Socket } from "@devicescript/net"
import { connackCode, encodeConnect, encodeDisconnect, encodePingreq, encodePublish, encodeSubscribe, FrameReader, parsePublish, PUBLISH, CONNACK, PINGRESP } from "../core/mqtt/packets"

export interface LinkOptions {
    host: string
    port: number
    proto: "tcp" | "tls"
    username?: string
    password?: string
    clientId: string
    will: { topic: string; message: string; retain: boolean }
    /** largest packet the board takes in; bigger ones are skipped and reported */
    maxPacket: number
}

const KEEPALIVE_S = 30
/** no byte from the broker for this long (ms) and the connection is taken for dead */
const SILENCE_MS = 45000
const CONNACK_MS = 10000
/**
 * a ping unanswered this long (ms) and the connection is taken for dead: the broker's commands
 * may still arrive while what the board writes is lost (seen in the simulator after the runtime's
 * update channel gave the socket back), and only a ping's answer shows the way out works
 */
const PING_ANSWER_MS = 8000
const BACKOFF_MIN_MS = 1000
const BACKOFF_MAX_MS = 30000

export class MqttLink {
    connected = false
    /** called for every message on the subscribed topic; must not wait (queue, then return); required */
    onMessage: (payload: Buffer) => void = null
    /** a packet over maxPacket was skipped */
    onOversized: (size: number) => void = null
    /** bytes of messages the taker can still queue, asked before each chunk is read; a message
     * over it is skipped as it streams past, never stored (required) */
    room: () => number = null
    /** after each CONNACK and subscription, in its own fiber */
    onConnect: () => Promise<void> = null
    private sock: Socket = null
    private reader: FrameReader
    private topic: string = null
    private tbuf: Buffer = null
    private writing = false
    private lastRx = 0
    private lastPing = 0
    /** when the oldest unanswered ping went out (0: none) */
    private pingAt = 0
    private pongs = 0
    private lastTx = 0
    private paused = false
    private backoff = BACKOFF_MIN_MS
    private packetId = 1

    constructor(private o: LinkOptions) {
        this.reader = new FrameReader(o.maxPacket)
    }

    /** The one topic the board takes messages on, (re)subscribed on every connect. */
    subscribe(topic: string) {
        this.topic = topic
        this.tbuf = Buffer.from(topic)
    }

    /** Connects and keeps connecting, in the background. */
    start() {
        const self = this
        setTimeout(async () => {
            await self.loop()
        }, 0)
    }

    /** Close the socket and keep it closed (the runtime's update channel needs the socket). */
    async pause() {
        this.paused = true
        await this.drop(true)
    }

    resume() {
        this.paused = false
    }

    /** True once the broker answers a ping sent now: it has taken every packet written before it. */
    async confirm(ms: number): Promise<boolean> {
        const n = this.pongs
        if (!this.connected || !(await this.ping(ds.millis()))) return false
        const t0 = ds.millis()
        while (this.pongs === n && ds.millis() - t0 < ms) await ds.sleep(20)
        return this.pongs !== n
    }

    private async ping(now: number): Promise<boolean> {
        this.lastPing = now
        if (this.pingAt === 0) this.pingAt = now
        return await this.write(encodePingreq())
    }

    /** One packet on the wire; false when it could not be written (not connected, write failed). */
    async publish(topic: string, body: string, retain: boolean): Promise<boolean> {
        if (!this.connected) return false
        return await this.write(encodePublish(topic, Buffer.from(body), retain))
    }

    private async write(pkt: Buffer): Promise<boolean> {
        const s = this.sock
        if (!s) return false
        let waited = 0
        while (this.writing) {
            await ds.sleep(5)
            waited += 5
            if (waited > 5000) return false
        }
        if (s !== this.sock) return false
        this.writing = true
        let ok = false
        // the runtime's Socket.send throws after a busy (-1) write instead of retrying: retry here
        for (let attempt = 0; attempt < 4 && !ok; attempt++) {
            try {
                await s.send(pkt)
                ok = true
            } catch (e) {
                if (s !== this.sock) break
                await ds.sleep(20)
            }
        }
        this.writing = false
        if (ok) this.lastTx = ds.millis()
        else {
            console.log("mqtt: a write failed; reconnecting")
            await this.drop(false)
        }
        return ok
    }

    private async drop(polite: boolean) {
        const s = this.sock
        this.connected = false
        if (!s) return
        if (polite) {
            try {
                await s.send(encodeDisconnect())
            } catch (e) {}
        }
        this.sock = null
        try {
            await s.close()
        } catch (e) {}
    }

    private async loop() {
        for (;;) {
            if (this.paused) {
                await ds.sleep(500)
                continue
            }
            try {
                await this.session()
            } catch (e) {
                console.log("mqtt: " + e)
            }
            await this.drop(false)
            if (this.paused) continue
            await ds.sleep(this.backoff)
            this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2)
        }
    }

    /** One connection, from socket open to its end. */
    private async session() {
        this.reader.reset()
        this.pingAt = 0
        const s = await connect({ host: this.o.host, port: this.o.port, proto: this.o.proto, timeout: CONNACK_MS })
        this.sock = s
        const opened = ds.millis()
        this.lastRx = opened
        if (!(await this.write(encodeConnect({ clientId: this.o.clientId, keepAliveS: KEEPALIVE_S, username: this.o.username, password: this.o.password, will: this.o.will })))) return
        let accepted = false
        while (this.sock === s) {
            // while bytes flow, wake every few ms: the runtime copies every segment into the heap
            // as it arrives and only the program frees it, so the fewer wait, the less heap
            const chunk = await s.recv(ds.millis() - this.lastRx < 100 ? 2 : 1000)
            if (chunk === null) {
                // the broker, the network, or the runtime's update channel taking the one socket
                console.log("mqtt: connection closed after " + Math.round((ds.millis() - opened) / 1000) + " s")
                return
            }
            const now = ds.millis()
            const r = this.reader
            if (chunk !== undefined) {
                this.lastRx = now
                // what the taker has no room for is skipped as it streams past, never stored
                r.room = this.room()
                r.push(chunk)
            }
            if (r.broken) {
                console.log("mqtt: malformed packet length from the broker; reconnecting")
                return
            }
            for (;;) {
                const p = r.next()
                if (!p) break
                if (p.body === null) {
                    if (this.onOversized) this.onOversized(p.size)
                } else if (p.type === CONNACK) {
                    const code = connackCode(p)
                    if (code !== 0) {
                        console.log("mqtt: connection refused, code " + code)
                        return
                    }
                    accepted = true
                    await this.onAccepted()
                } else if (p.type === PUBLISH) {
                    const m = parsePublish(p, this.tbuf)
                    if (m) this.onMessage(m)
                } else if (p.type === PINGRESP) {
                    this.pingAt = 0
                    this.pongs++
                }
                // SUBACK: its arrival is all that matters (lastRx)
            }
            if (r.dropped >= 500) {
                // a flood: a line every 500 messages dropped, not one a message
                console.log("mqtt: 500 messages dropped, inbox full")
                r.dropped = 0
            }
            if (!accepted && now - opened > CONNACK_MS) {
                console.log("mqtt: no CONNACK")
                return
            }
            if (now - this.lastRx > SILENCE_MS) {
                console.log("mqtt: broker silent for " + Math.round((now - this.lastRx) / 1000) + " s; reconnecting")
                return
            }
            if (this.pingAt > 0 && now - this.pingAt > PING_ANSWER_MS) {
                console.log("mqtt: no answer to a ping in " + PING_ANSWER_MS / 1000 + " s; reconnecting")
                return
            }
            // QoS 0 publishes get no answer: a ping every half keep-alive, whatever else flows,
            // shows both ways work (commands arriving say nothing of what the board sends)
            if (accepted && now - this.lastPing > (KEEPALIVE_S * 1000) / 2) await this.ping(now)
        }
    }

    private async onAccepted() {
        this.backoff = BACKOFF_MIN_MS
        if (this.topic) {
            if (!(await this.write(encodeSubscribe(this.packetId, this.topic)))) return
            this.packetId = (this.packetId % 65535) + 1
        }
        this.connected = true
        console.log("mqtt: connected to " + this.o.host + ":" + this.o.port)
        const self = this
        if (this.onConnect)
            setTimeout(async () => {
                try {
                    await self.onConnect()
                } catch (e) {
                    console.log("mqtt: on connect: " + e)
                }
            }, 0)
    }
}
