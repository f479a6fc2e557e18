// The board's MQTT codec inside the DeviceScript VM: the same bytes as in node.
import { describe, test, expect } from "@devicescript/test"
import { encodeLength, encodePublish, FrameReader, parsePublish, encodeConnect } from "../../src/core/mqtt/packets"

describe("mqtt codec in the VM", () => {
    test("remaining length bytes", () => {
        expect(encodeLength(127).length).toBe(1)
        expect(encodeLength(128).length).toBe(2)
        expect(encodeLength(128)[0]).toBe(0x80)
        expect(encodeLength(128)[1]).toBe(1)
        expect(encodeLength(16384).length).toBe(3)
    })
    test("a publish split in three chunks comes out whole", () => {
        const body = '{"id":"c1","cmd":"status","n":"€"}'
        const pk = encodePublish("shed/B1/cmd", Buffer.from(body), false)
        const r = new FrameReader(1024)
        r.push(pk.slice(0, 1))
        expect(r.next()).toBe(null)
        r.push(pk.slice(1, 9))
        expect(r.next()).toBe(null)
        r.push(pk.slice(9))
        const p = r.next()
        expect(parsePublish(p, Buffer.from("shed/B1/cmd")).toString()).toBe(body)
        expect(parsePublish(p, Buffer.from("shed/B1/cmx"))).toBe(null)
        expect(parsePublish(p, Buffer.from("shed/B1/cm"))).toBe(null)
        expect(r.next()).toBe(null)
    })
    test("an oversized packet is skipped and reported", () => {
        const big = encodePublish("t", Buffer.alloc(3000), false)
        const small = encodePublish("t", Buffer.from("ok"), false)
        const r = new FrameReader(1024)
        r.push(big.slice(0, 500))
        const o = r.next()
        expect(o.body).toBe(null)
        expect(o.size).toBe(3003)
        expect(r.next()).toBe(null)
        r.push(big.slice(500))
        r.push(small)
        expect(parsePublish(r.next(), Buffer.from("t")).toString()).toBe("ok")
    })
    test("with no room, a flood streams past unstored; with room the next one is taken", () => {
        const pay = Buffer.alloc(1000)
        pay.fillAt(0, 1000, 0x41)
        const one = encodePublish("shed/B1/cmd", pay, false)
        const r = new FrameReader(1152)
        r.room = 0
        for (let i = 0; i < 50; i++) {
            // cut across packets, as TCP would
            r.push(one.slice(0, 300))
            r.push(one.slice(300))
            expect(r.next()).toBe(null)
        }
        expect(r.dropped).toBe(50)
        r.room = 2100
        r.push(one)
        r.push(one)
        r.push(one)
        expect(r.next().size).toBe(1013)
        expect(r.next().size).toBe(1013)
        expect(r.next()).toBe(null)
        expect(r.dropped).toBe(51)
        expect(r.room).toBe(2100 - 2026)
    })
    test("connect with a will", () => {
        const c = encodeConnect({ clientId: "shed-B1", keepAliveS: 30, will: { topic: "shed/B1/online", message: "offline", retain: true } })
        expect(c[0]).toBe(0x10)
        // flags: clean session, will, will retain
        expect(c[9]).toBe(0x26)
    })
})
