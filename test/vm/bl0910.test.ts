// The BL0910 frames and conversion inside the DeviceScript VM (the driver runs there).
import { describe, test, expect } from "@devicescript/test"
import { Bl0910Readings, parseRead, readFrame, REG_USR_WRPROT, REG_WATT_1, UNLOCK, writeFrame } from "../../src/core/meter/bl0910"

describe("bl0910 in the VM", () => {
    test("write frame checksum", () => {
        expect(writeFrame(REG_USR_WRPROT, UNLOCK).toString("hex")).toBe("819e00555536")
    })
    test("a negative power reading and a corrupted one", () => {
        const rx = Buffer.from("0000fffc1800", "hex")
        rx[5] = ~(0x82 + REG_WATT_1 + 0xff + 0xfc + 0x18) & 0xff
        expect(parseRead(REG_WATT_1, rx, true)).toBe(-1000)
        rx[3] = 0xfd
        expect(isNaN(parseRead(REG_WATT_1, rx, true))).toBe(true)
        expect(readFrame(REG_WATT_1)[0]).toBe(0x82)
    })
    test("energy across the wrap", () => {
        const r = new Bl0910Readings({ v: 1, i: 1, p: 1, e: 2 })
        r.update(0, 0, 0, 0, 0xfffffe)
        expect(r.update(0, 0, 0, 0, 2).energyWh).toBe(2)
    })
})
