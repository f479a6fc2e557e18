// Pay code records inside the DeviceScript VM: the board unpacks what node packed (the records
// below are node's, test/node/paycode.test.ts renders the same way), refuses every corruption,
// and packs to the same hex as node (its FNV-1a and its hex digits agree).
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { isDark, packPayCode, payCodeError, unpackPayCode } from "../../src/core/paycode"
import { QrEncoder } from "../../src/core/qr/encoder"

/** node: packPayCode of encodeQr("https://p.ex/1", "M"): 21 modules, 222 of them dark */
const V1 = "15fea3fc10906e96bb7575dbaeaec16507faafe01c008bcfc9e087358df4e9d80f271d00537bfac7504621bac4c5d28dee98f104080fedc480b29f358b"
/** node: encodeQr("https://pay.example.com/S1a2b3c/10", "M"): 29 modules, 436 dark */
const V3 =
    "1dfe8f7bfc1427106e8a2abb7556e5dba5a92ec13efd07faaaafe0143f00b71db25e6f38fc70ad036c10a15f12f7bf06420dbf9c8f1064eeb161828e12acd30f5c4ba7bbe968405fca47bcfcfe005c047ffaca6b5058f118ba314fb5d64e6e6eb4144b04f875afec49d5007ff6c861"

function dark(bits: Buffer): number {
    const n = bits[0]
    let d = 0
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if (isDark(bits, x, y)) d++
    return d
}

describe("pay codes in the VM", () => {
    // each test yields first: the runner runs them back to back in one slice otherwise
    test("node's records unpack whole: size, dark modules, finder corners", async () => {
        await ds.sleep(0)
        const a = unpackPayCode(V1)
        expect(a[0]).toBe(21)
        expect(dark(a)).toBe(222)
        const b = unpackPayCode(V3)
        expect(b[0]).toBe(29)
        expect(dark(b)).toBe(436)
        // finder patterns: dark corner, light separator
        expect(isDark(b, 0, 0)).toBe(true)
        expect(isDark(b, 7, 0)).toBe(false)
        expect(isDark(b, 28, 0)).toBe(true)
        expect(isDark(b, 0, 28)).toBe(true)
    })
    test("every corruption is refused", async () => {
        await ds.sleep(0)
        const flip = (s: string, i: number) => s.slice(0, i) + (s.charAt(i) === "0" ? "1" : "0") + s.slice(i + 1)
        expect(payCodeError(V1)).toBe("")
        expect(payCodeError(V1.slice(0, V1.length - 2))).toBe(V1.length - 2 + " hex digits, a 21x21 code has 122")
        expect(payCodeError("19" + V1.slice(2)).length > 0).toBe(true)
        expect(payCodeError("21" + V1.slice(2))).toBe("size 21 is not 21, 25 or 29 modules")
        expect(payCodeError(flip(V1, 40))).toBe("check value does not match")
        expect(payCodeError(flip(V1, V1.length - 1))).toBe("check value does not match")
        expect(payCodeError(V1.slice(0, 30) + "G" + V1.slice(31))).toBe("not lower-case hex at 30")
        expect(payCodeError(42)).toBe("not text")
        expect(payCodeError(null)).toBe("not text")
        expect(unpackPayCode(flip(V3, 100)) === null).toBe(true)
    })
    test("the VM's own encoder and packer give node's record", async () => {
        await ds.sleep(0)
        const enc = new QrEncoder("https://p.ex/1", "M")
        while (!enc.step()) await ds.sleep(0)
        expect(packPayCode(enc.result.size, enc.result.modules)).toBe(V1)
    })
})
