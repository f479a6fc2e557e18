// MQTT 3.1.1, the subset the board needs (QoS 0): CONNECT with a last will, SUBSCRIBE,
// PUBLISH both ways, PINGREQ, DISCONNECT; and a frame reader that cuts the TCP byte stream
// into whole packets whatever the chunking. The runtime's own client lost its place in the
// stream when packets arrived while a handler ran, and stayed deaf; this reader never waits
// on anyone. Pure: Buffers in, Buffers out, on the board and in node alike.

export const CONNECT = 1
export const CONNACK = 2
export const PUBLISH = 3
export const SUBSCRIBE = 8
export const SUBACK = 9
export const PINGREQ = 12
export const PINGRESP = 13
export const DISCONNECT = 14

export interface ConnectOptions {
    clientId: string
    keepAliveS: number
    username?: string
    password?: string
    will?: { topic: string; message: string; retain: boolean }
}

export interface Packet {
    type: number
    flags: number
    /** everything after the fixed header; null for a packet over the size limit */
    body: Buffer
    /** remaining length (the body's size, also for a skipped packet) */
    size: number
}

function concat(a: Buffer, b: Buffer): Buffer {
    const out = Buffer.alloc(a.length + b.length)
    out.set(a, 0)
    out.set(b, a.length)
    return out
}

function u16(n: number): Buffer {
    const b = Buffer.alloc(2)
    b[0] = (n >> 8) & 0xff
    b[1] = n & 0xff
    return b
}

/** A UTF-8 string with its 2-byte length. */
function str(s: string): Buffer {
    const b = Buffer.from(s)
    return concat(u16(b.length), b)
}

/** Remaining length: 7 bits a byte, least significant first, up to 4 bytes. */
export function encodeLength(n: number): Buffer {
    const bytes: number[] = []
    for (;;) {
        let d = n % 128
        n = Math.floor(n / 128)
        if (n > 0) d = d | 0x80
        bytes.push(d)
        if (n === 0) break
    }
    const b = Buffer.alloc(bytes.length)
    for (let i = 0; i < bytes.length; i++) b[i] = bytes[i]
    return b
}

function packet(first: number, parts: Buffer[]): Buffer {
    let len = 0
    for (let i = 0; i < parts.length; i++) len += parts[i].length
    const head = encodeLength(len)
    const out = Buffer.alloc(1 + head.length + len)
    out[0] = first
    out.set(head, 1)
    let at = 1 + head.length
    for (let i = 0; i < parts.length; i++) {
        out.set(parts[i], at)
        at += parts[i].length
    }
    return out
}

export function encodeConnect(o: ConnectOptions): Buffer {
    let flags = 0x02 // clean session: the board resubscribes on every connect
    const tail: Buffer[] = [str(o.clientId)]
    if (o.will) {
        flags = flags | 0x04 | (o.will.retain ? 0x20 : 0)
        tail.push(str(o.will.topic))
        tail.push(str(o.will.message))
    }
    if (o.username !== undefined && o.username !== null) {
        flags = flags | 0x80
        tail.push(str(o.username))
    }
    if (o.password !== undefined && o.password !== null) {
        flags = flags | 0x40
        tail.push(str(o.password))
    }
    const vh = Buffer.alloc(4)
    vh[0] = 4 // protocol level 3.1.1
    vh[1] = flags
    vh[2] = (o.keepAliveS >> 8) & 0xff
    vh[3] = o.keepAliveS & 0xff
    const parts: Buffer[] = [str("MQTT"), vh]
    for (let i = 0; i < tail.length; i++) parts.push(tail[i])
    return packet(CONNECT << 4, parts)
}

export function encodeSubscribe(packetId: number, topic: string): Buffer {
    const qos = Buffer.alloc(1)
    return packet((SUBSCRIBE << 4) | 0x02, [u16(packetId), str(topic), qos])
}

export function encodePublish(topic: string, payload: Buffer, retain: boolean): Buffer {
    return packet((PUBLISH << 4) | (retain ? 1 : 0), [str(topic), payload])
}

export function encodePingreq(): Buffer {
    return packet(PINGREQ << 4, [])
}

export function encodeDisconnect(): Buffer {
    return packet(DISCONNECT << 4, [])
}

/** A CONNACK's return code (0 accepted), or -1 when its body is too short. */
export function connackCode(p: Packet): number {
    return p.body.length < 2 ? -1 : p.body[1]
}

/**
 * The payload of a PUBLISH packet (`p`, with its body) if it is on `topic`, or null (another
 * topic, malformed). QoS 0, or a packet id to skip for QoS 1/2. The topic is compared byte by
 * byte: no string is made of what a flood sends.
 */
export function parsePublish(p: Packet, topic: Buffer): Buffer {
    const b = p.body
    const n = topic.length
    let at = n + 2
    if (b.length < at || ((b[0] << 8) | b[1]) !== n) return null
    for (let i = 0; i < n; i++) if (b[2 + i] !== topic[i]) return null
    if ((p.flags & 0x06) !== 0) at += 2
    return at > b.length ? null : b.slice(at)
}

/**
 * Cuts a byte stream into packets, byte by byte through the fixed header, so memory stays
 * bounded by the largest accepted packet: a packet over `maxBytes` is queued as a notice
 * (body null) and its bytes skipped as they stream past, never stored. A PUBLISH over `room`
 * (the bytes its taker can still queue; the reader takes each accepted body off it) is
 * dropped the same way, unread and unannounced, and counted in `dropped`: a flood costs the
 * board its bytes streaming past, not their storage. A length field over 4 bytes breaks the
 * stream; the caller answers by dropping the connection.
 */
export class FrameReader {
    private ready: Packet[] = []
    /** 0 first byte, 1 length bytes, 2 body */
    private stage = 0
    private first = 0
    private len = 0
    private mul = 1
    private lenBytes = 0
    private body: Buffer = null
    private got = 0
    private skipping = 0
    broken = false
    /** bytes of PUBLISH bodies still welcome (set by the taker before each push) */
    room = 0x7fffffff
    /** PUBLISH packets skipped for want of room */
    dropped = 0

    constructor(private maxBytes: number) {}

    push(chunk: Buffer) {
        let at = 0
        const n = chunk.length
        while (at < n && !this.broken) {
            if (this.skipping > 0) {
                const k = Math.min(this.skipping, n - at)
                this.skipping -= k
                at += k
            } else if (this.stage === 0) {
                this.first = chunk[at++]
                this.len = 0
                this.mul = 1
                this.lenBytes = 0
                this.stage = 1
            } else if (this.stage === 1) {
                const d = chunk[at++]
                this.len += (d & 0x7f) * this.mul
                this.lenBytes++
                if ((d & 0x80) !== 0) {
                    if (this.lenBytes >= 4) this.broken = true
                    this.mul *= 128
                } else this.headerDone()
            } else {
                const k = Math.min(this.len - this.got, n - at)
                if (this.got === 0 && k === this.len) this.body = chunk.slice(at, at + k)
                else {
                    if (!this.body) this.body = Buffer.alloc(this.len)
                    this.body.set(chunk.slice(at, at + k), this.got)
                }
                this.got += k
                at += k
                if (this.got === this.len) this.finish(this.body)
            }
        }
    }

    private headerDone() {
        const pub = this.first >> 4 === PUBLISH
        if (this.len > this.maxBytes) {
            this.skipping = this.len
            this.finish(null)
        } else if (pub && this.len > this.room) {
            this.skipping = this.len
            this.dropped++
            this.stage = 0
        } else if (this.len === 0) this.finish(Buffer.alloc(0))
        else {
            if (pub) this.room -= this.len
            this.stage = 2
            this.body = null
            this.got = 0
        }
    }

    private finish(body: Buffer) {
        this.ready.push({ type: this.first >> 4, flags: this.first & 0x0f, body: body, size: this.len })
        this.stage = 0
        this.body = null
        this.got = 0
    }

    /** The next whole packet (or the notice of a skipped one: body null), or null. */
    next(): Packet {
        if (this.ready.length === 0) return null
        return this.ready.shift()
    }

    reset() {
        this.ready = []
        this.stage = 0
        this.body = null
        this.got = 0
        this.skipping = 0
        this.broken = false
    }
}
