// Flash writes in the VM: the runtime's settings log drops writes silently once it is full;
// saveJson reads each write back, so a write it accepted is one the flash kept, and a write the
// flash dropped is an error. Runs in a folder of its own (test/node/flash-vm.test.ts): it fills
// the VM's flash.
import { describe, test, expect } from "@devicescript/test"
import { loadJson, saveJson } from "../../src/shell/persist"

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
