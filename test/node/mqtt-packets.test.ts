// The board's MQTT codec checked against an independent implementation (mqtt-packet, the
// codec of mqtt.js): what the board writes parses as meant, and what a broker writes is cut
// into the same packets however TCP chunks it.
import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import * as mp from "mqtt-packet"
import { encodeConnect, encodeDisconnect, encodeLength, encodePingreq, encodePublish, encodeSubscribe, FrameReader, parsePublish, connackCode, Packet } from "../../src/core/mqtt/packets"

/** Everything mqtt-packet's parser makes of `bytes`. */
function parseAll(bytes: Buffer): any[] {
    const out: any[] = []
    const errors: any[] = []
    const p = mp.parser({ protocolVersion: 4 })
    p.on("packet", pk => out.push(pk))
    p.on("error", e => errors.push(e))
    p.parse(bytes)
    assert.deepEqual(errors, [])
    return out
}

test("CONNECT carries client id, keep-alive, clean session, last will and credentials", () => {
    const [c] = parseAll(encodeConnect({ clientId: "shed-B1", keepAliveS: 30, username: "u", password: "p€", will: { topic: "shed/B1/online", message: "offline", retain: true } }))
    assert.equal(c.cmd, "connect")
    assert.equal(c.protocolId, "MQTT")
    assert.equal(c.protocolVersion, 4)
    assert.equal(c.clientId, "shed-B1")
    assert.equal(c.keepalive, 30)
    assert.equal(c.clean, true)
    assert.equal(c.username, "u")
    assert.equal(c.password.toString(), "p€")
    assert.equal(c.will.topic, "shed/B1/online")
    assert.equal(c.will.payload.toString(), "offline")
    assert.equal(c.will.retain, true)
    const [bare] = parseAll(encodeConnect({ clientId: "x", keepAliveS: 60 }))
    assert.equal(bare.username, undefined)
    assert.equal(bare.will, undefined)
})

test("PUBLISH, SUBSCRIBE, PINGREQ and DISCONNECT parse as meant", () => {
    fc.assert(
        fc.property(fc.string({ minLength: 1, maxLength: 80 }), fc.uint8Array({ maxLength: 3000 }), fc.boolean(), (topic, payload, retain) => {
            const [p] = parseAll(encodePublish(topic, Buffer.from(payload), retain))
            assert.equal(p.cmd, "publish")
            assert.equal(p.topic, topic)
            assert.equal(p.qos, 0)
            assert.equal(p.retain, retain)
            assert.deepEqual(Buffer.from(p.payload), Buffer.from(payload))
        })
    )
    const [s] = parseAll(encodeSubscribe(7, "shed/B1/cmd"))
    assert.equal(s.cmd, "subscribe")
    assert.equal(s.messageId, 7)
    assert.deepEqual(
        s.subscriptions.map((x: any) => [x.topic, x.qos]),
        [["shed/B1/cmd", 0]]
    )
    assert.equal(parseAll(encodePingreq())[0].cmd, "pingreq")
    assert.equal(parseAll(encodeDisconnect())[0].cmd, "disconnect")
})

test("remaining length: 1 to 4 bytes, at every boundary", () => {
    for (const [n, bytes] of [
        [0, 1],
        [127, 1],
        [128, 2],
        [16383, 2],
        [16384, 3],
        [2097151, 3],
        [2097152, 4],
        [268435455, 4],
    ]) {
        const b = encodeLength(n)
        assert.equal(b.length, bytes, `${n}`)
        let v = 0
        for (let i = b.length - 1; i >= 0; i--) v = v * 128 + (b[i] & 0x7f)
        assert.equal(v, n)
    }
})

const brokerPacket = fc.oneof(
    fc.record({
        cmd: fc.constant("publish"),
        topic: fc.string({ minLength: 1, maxLength: 40 }),
        payload: fc.uint8Array({ maxLength: 600 }).map(a => Buffer.from(a)),
        qos: fc.constantFrom(0, 1),
        retain: fc.boolean(),
    }),
    fc.constant({ cmd: "pingresp" }),
    fc.constant({ cmd: "connack", returnCode: 0, sessionPresent: false }),
    fc.record({ cmd: fc.constant("suback"), messageId: fc.integer({ min: 1, max: 65535 }), granted: fc.constant([0]) })
)

function generate(pk: any): Buffer {
    return mp.generate(pk.cmd === "publish" && pk.qos > 0 ? { ...pk, messageId: 9 } : pk)
}

function drain(r: FrameReader): Packet[] {
    const out: Packet[] = []
    for (let p = r.next(); p; p = r.next()) out.push(p)
    return out
}

test("the frame reader cuts any chunking of a broker's stream into the same packets", () => {
    fc.assert(
        fc.property(fc.array(brokerPacket, { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 40 }), (pks, cuts) => {
            const stream = Buffer.concat(pks.map(generate))
            const r = new FrameReader(4096)
            const got: Packet[] = []
            let at = 0
            for (let i = 0; at < stream.length; i++) {
                const n = cuts[i % cuts.length]
                r.push(stream.subarray(at, at + n))
                at += n
                got.push(...drain(r))
            }
            assert.equal(got.length, pks.length)
            pks.forEach((pk, i) => {
                const type = { publish: 3, pingresp: 13, connack: 2, suback: 9 }[pk.cmd as string]
                assert.equal(got[i].type, type)
                if (pk.cmd === "publish") {
                    const m = parsePublish(got[i], Buffer.from(pk.topic))
                    assert.deepEqual(Buffer.from(m), pk.payload)
                    // another topic, even one byte longer or one byte off, is not taken
                    assert.equal(parsePublish(got[i], Buffer.from(pk.topic + "x")), null)
                    const off = Buffer.from(pk.topic)
                    off[off.length - 1] ^= 1
                    assert.equal(parsePublish(got[i], off), null)
                }
                if (pk.cmd === "connack") assert.equal(connackCode(got[i]), 0)
            })
        })
    )
})

const CMD = Buffer.from("shed/B1/cmd")

test("an oversized packet is reported with its size, skipped without being stored, and the stream goes on", () => {
    const small = mp.generate({ cmd: "publish", topic: "shed/B1/cmd", payload: Buffer.from("{}"), qos: 0, retain: false, dup: false })
    const big = mp.generate({ cmd: "publish", topic: "shed/B1/cmd", payload: Buffer.alloc(100000, 0x41), qos: 0, retain: false, dup: false })
    const stream = Buffer.concat([small, big, small])
    const r = new FrameReader(1024)
    const seen: string[] = []
    for (let at = 0; at < stream.length; at += 700) {
        r.push(stream.subarray(at, at + 700))
        for (const p of drain(r)) seen.push(p.body === null ? "oversized " + p.size : "packet " + parsePublish(p, CMD).toString())
        // never more than a packet's worth held, whatever streams past
        assert.ok(((r as any).body?.length ?? 0) <= 1024)
    }
    assert.deepEqual(seen, ["packet {}", `oversized ${big.length - 4}`, "packet {}"])
})

test("a length field running past 4 bytes marks the stream broken", () => {
    const r = new FrameReader(1024)
    r.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))
    assert.equal(r.next(), null)
    assert.equal(r.broken, true)
    r.reset()
    r.push(Buffer.from([0xd0, 0x00]))
    assert.equal(r.next().type, 13)
})

/** A stream of PUBLISH packets on shed/B1/cmd of the given payload sizes. */
function publishes(sizes: number[]): Buffer {
    return Buffer.concat(sizes.map((n, i) => mp.generate({ cmd: "publish", topic: "shed/B1/cmd", payload: Buffer.alloc(n, 0x30 + (i % 10)), qos: 0, retain: false, dup: false })))
}

test("a PUBLISH over the taker's room is skipped unread and counted; the room is spent by what is taken", () => {
    // bodies are payload + 13 bytes (topic and its length)
    const stream = Buffer.concat([publishes([100, 100, 100]), mp.generate({ cmd: "pingresp" }), publishes([10])])
    const r = new FrameReader(1024)
    r.room = 250
    r.push(stream)
    const got = drain(r)
    // the first two fit (226 bytes), the third does not; the PINGRESP is no PUBLISH; then 24 bytes left, the last one (23) fits
    assert.deepEqual(
        got.map(p => (p.type === 3 ? parsePublish(p, CMD).length : "type " + p.type)),
        [100, 100, "type 13", 10]
    )
    assert.equal(r.dropped, 1)
    assert.equal(r.room, 250 - 113 - 113 - 23)
})

test("a flood over a full inbox: whatever the chunking, nothing is stored, the reader keeps its place", () => {
    fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 20 }), (sizes, cuts) => {
            const stream = publishes(sizes)
            const r = new FrameReader(1152)
            r.room = 0
            let at = 0
            const got: Packet[] = []
            for (let i = 0; at < stream.length; i++) {
                const n = cuts[i % cuts.length]
                r.push(stream.subarray(at, at + n))
                at += n
                // nothing held while skipping: no partial body
                assert.equal((r as any).body, null)
                got.push(...drain(r))
            }
            const over = sizes.filter(n => n + 13 > 1152).length
            // oversized ones are announced (their size, no body); the rest dropped unannounced
            assert.equal(got.length, over)
            assert.ok(got.every(p => p.body === null))
            assert.equal(r.dropped, sizes.length - over)
            // room again: the next packet is taken whole, the reader never lost its place
            r.room = 1e9
            r.push(publishes([5]))
            assert.equal(parsePublish(r.next(), CMD).toString(), "00000")
            assert.equal(r.broken, false)
        })
    )
})
