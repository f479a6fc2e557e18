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
    /** everything after the fixed header */
    body: Buffer
}

/** A packet over the size limit: its bytes are skipped, never stored. */
export interface Oversized {
    type: number
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

/** CONNACK's return code (0 accepted), or -1 when the packet is not a CONNACK. */
export function connackCode(p: Packet): number {
    if (p.type !== CONNACK || p.body.length < 2) return -1
    return p.body[1]
}

/** Topic and payload of an incoming PUBLISH (QoS 0, or a packet id to skip for QoS 1/2). */
export function parsePublish(p: Packet): { topic: string; payload: Buffer } {
    if (p.type !== PUBLISH || p.body.length < 2) return null
    const tlen = (p.body[0] << 8) | p.body[1]
    let at = 2 + tlen
    if (at > p.body.length) return null
    const topic = p.body.slice(2, at).toString()
    if ((p.flags & 0x06) !== 0) at += 2
    if (at > p.body.length) return null
    return { topic: topic, payload: p.body.slice(at) }
}

/**
 * Cuts a byte stream into packets. Packets over `maxBytes` are counted and skipped as they
 * stream past, so a huge payload costs no memory; a malformed length is an error the caller
 * answers by dropping the connection.
 */
export class FrameReader {
    private pending: Buffer = null
    private skipping = 0
    private oversized: Oversized = null
    /** set when the stream cannot be framed any more (a length over 4 bytes) */
    broken = false

    constructor(private maxBytes: number) {}

    push(chunk: Buffer) {
        if (chunk.length === 0 || this.broken) return
        if (this.skipping > 0) {
            if (chunk.length <= this.skipping) {
                this.skipping -= chunk.length
                return
            }
            chunk = chunk.slice(this.skipping)
            this.skipping = 0
        }
        this.pending = this.pending ? concat(this.pending, chunk) : chunk
    }

    /** The oversized packet skipped since the last call, if any. */
    takeOversized(): Oversized {
        const o = this.oversized
        this.oversized = null
        return o
    }

    /** The next whole packet, or null until more bytes arrive. */
    next(): Packet {
        const b = this.pending
        if (!b || b.length < 2 || this.broken || this.oversized) return null
        let len = 0
        let mul = 1
        let i = 1
        for (;;) {
            if (i >= b.length) return null
            const d = b[i]
            len += (d & 0x7f) * mul
            i++
            if ((d & 0x80) === 0) break
            if (i > 4) {
                this.broken = true
                this.pending = null
                return null
            }
            mul *= 128
        }
        const total = i + len
        if (len > this.maxBytes) {
            this.oversized = { type: b[0] >> 4, size: len }
            if (b.length >= total) {
                this.pending = b.length > total ? b.slice(total) : null
            } else {
                this.skipping = total - b.length
                this.pending = null
            }
            return null
        }
        if (b.length < total) return null
        const p: Packet = { type: b[0] >> 4, flags: b[0] & 0x0f, body: b.slice(i, total) }
        this.pending = b.length > total ? b.slice(total) : null
        return p
    }

    reset() {
        this.pending = null
        this.skipping = 0
        this.oversized = null
        this.broken = false
    }
}
