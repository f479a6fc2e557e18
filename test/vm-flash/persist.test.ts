// Flash writes in the VM: the runtime's settings log drops writes silently once it is full;
// saveJson reads each write back, so a write it accepted is one the flash kept, and a write the
// flash dropped is an error. Runs in a folder of its own (test/node/flash-vm.test.ts): it fills
// the VM's flash.
import { describe, test, expect } from "@devicescript/test"
import { loadJson, loadPayCode, saveJson, savePayCode } from "../../src/shell/persist"
import { payCodeError } from "../../src/core/paycode"

// a 21x21 record (src/core/paycode.ts), its check value included
const V1 = "15fea3fc10906e96bb7575dbaeaec16507faafe01c008bcfc9e087358df4e9d80f271d00537bfac7504621bac4c5d28dee98f104080fedc480b29f358b"

describe("pay codes in flash", () => {
    test("a code is kept as its bytes and read back as the same hex; one an older release kept as JSON text reads the same", async () => {
        expect(payCodeError(V1)).toBe("")
        expect(await savePayCode("qr9", V1)).toBe(null)
        expect(await loadPayCode("qr9")).toBe(V1)
        expect(await saveJson("qr8", V1)).toBe(null)
        expect(await loadPayCode("qr8")).toBe(V1)
        expect(await loadPayCode("qr7")).toBe(null)
    })
})

describe("flash writes read back", () => {
    test("every write saveJson accepts reads back; once the store is full, writes are refused with an error", async () => {
        let filler = ""
        for (let k = 0; k < 18; k++) filler += "0123456789"
        let accepted = 0
        let refused = 0
        let lost = 0
        for (let i = 0; i < 120; i++) {
            const v = { i: i, f: filler }
            const err = await saveJson("fill" + i, v)
            if (err) {
                refused++
                expect(err.indexOf("not kept") >= 0).toBe(true)
            } else {
                accepted++
                const back = await loadJson("fill" + i)
                if (!back || back.i !== i) lost++
            }
        }
        console.log("flash fill: accepted " + accepted + ", refused " + refused + ", lost " + lost)
        expect(lost).toBe(0)
        expect(accepted > 0).toBe(true)
        // the VM's store holds ~8 KB: 120 writes of ~200 B fill it
        expect(refused > 0).toBe(true)
    })
})
