// The BL0910 metering front end's frames and unit conversion, against a model of the chip
// that answers reads the way the datasheet describes (6-byte frames, inverted-sum checksum).
import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import { Bl0910Readings, checkRef, DEFAULT_REF, parseRead, readFrame, READ, REG_CF_CNT_1, REG_USR_WRPROT, REG_WATT_1, UNLOCK, writeFrame } from "../../src/core/meter/bl0910"

/** The chip's answer to a read frame: data MSB first in bytes 2..4, checksum in byte 5. */
function chipAnswer(tx: Buffer, regs: Map<number, number>): Buffer {
    const rx = Buffer.alloc(6)
    assert.equal(tx[0], READ)
    const v = (regs.get(tx[1]) ?? 0) & 0xffffff
    rx[2] = v >> 16
    rx[3] = (v >> 8) & 0xff
    rx[4] = v & 0xff
    rx[5] = ~(READ + tx[1] + rx[2] + rx[3] + rx[4]) & 0xff
    return rx
}

test("a write frame carries the inverted byte sum (unlock: 81 9e 00 55 55 36)", () => {
    assert.equal(writeFrame(REG_USR_WRPROT, UNLOCK).toString("hex"), "819e00555536")
})

test("reads decode every 24-bit value, signed where the register is", () => {
    fc.assert(
        fc.property(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: -0x800000, max: 0x7fffff }), (addr, v) => {
            const rx = chipAnswer(readFrame(addr), new Map([[addr, v]]))
            assert.equal(parseRead(addr, rx, true), v)
            assert.equal(parseRead(addr, rx, false), v & 0xffffff)
        })
    )
})

test("a frame with any bit flipped in data or checksum is refused (NaN), never misread", () => {
    fc.assert(
        fc.property(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 7 }), (v, byte, bit) => {
            const rx = chipAnswer(readFrame(REG_WATT_1), new Map([[REG_WATT_1, v]]))
            rx[byte] ^= 1 << bit
            assert.ok(Number.isNaN(parseRead(REG_WATT_1, rx, true)))
        })
    )
    assert.ok(Number.isNaN(parseRead(REG_WATT_1, Buffer.alloc(3), true)))
})

test("readings: units from the reference constants; energy counted across the 24-bit wrap", () => {
    const ref = { v: 10000, i: 200000, p: 500, e: 2 }
    const r = new Bl0910Readings(ref)
    const a = r.update(3, 500 * 1000, 200000 * 4.35, 10000 * 230, 0xfffff0)
    assert.equal(a.powerW, 1000)
    assert.equal(a.currentA, 4.35)
    assert.equal(a.voltageV, 230)
    assert.equal(a.energyWh, 0)
    // 0x10 + 0x20 pulses later, after the counter wrapped
    const b = r.update(3, 0, 0, 0, 0x20)
    assert.equal(b.energyWh, 0x30 / 2)
    // an unreadable counter changes nothing; the next good one counts from the last good one
    assert.equal(r.update(3, 0, 0, 0, NaN).energyWh, 0x30 / 2)
    assert.equal(r.update(3, 0, 0, 0, 0x24).energyWh, 0x34 / 2)
    // channels are independent
    assert.equal(r.update(4, 0, 0, 0, 0x500).energyWh, 0)
    r.resetEnergy(3)
    assert.equal(r.update(3, 0, 0, 0, 0x26).energyWh, 1)
    assert.equal(REG_CF_CNT_1 + 9, 0x38)
})

test("stored reference constants are checked before use", () => {
    assert.equal(checkRef(DEFAULT_REF), null)
    for (const bad of [null, 5, {}, { v: 1, i: 1, p: 1 }, { v: 1, i: 1, p: 1, e: -1 }, { v: "1", i: 1, p: 1, e: 1 }, { v: 1, i: 1, p: 0, e: 1 }])
        assert.notEqual(checkRef(bad), null, JSON.stringify(bad))
})
