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
        const body = "{\"id\":\"c1\",\"cmd\":\"status\",\"n\":\"€\"}"
        const pk = encodePublish("shed/B1/cmd", Buffer.from(body), false)
        const r = new FrameReader(1024)
        r.push(pk.slice(0, 1))
        expect(r.next()).toBe(null)
        r.push(pk.slice(1, 9))
        expect(r.next()).toBe(null)
        r.push(pk.slice(9))
        const m = parsePublish(r.next())
        expect(m.topic).toBe("shed/B1/cmd")
        expect(m.payload.toString()).toBe(body)
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
        expect(parsePublish(r.next()).payload.toString()).toBe("ok")
    })
    test("connect with a will", () => {
        const c = encodeConnect({ clientId: "shed-B1", keepAliveS: 30, will: { topic: "shed/B1/online", message: "offline", retain: true } })
        expect(c[0]).toBe(0x10)
        // flags: clean session, will, will retain
        expect(c[9]).toBe(0x26)
    })
})
