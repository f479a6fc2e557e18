// The QR encoder inside the DeviceScript VM: incremental, yielding between steps.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { QrEncoder } from "../../src/core/qr/encoder"
import { planLandscape } from "../../src/core/screen-layout"
import { payUrl } from "../../src/core/paycode-render"

async function encode(text: string, ecc: string) {
    const enc = new QrEncoder(text, ecc)
    const t0 = ds.millis()
    let steps = 0
    while (!enc.step()) {
        steps++
        await ds.sleep(0)
    }
    const ms = ds.millis() - t0
    return { code: enc.result, ms: ms, steps: steps }
}

function checksum(m: Buffer): number {
    let h = 0
    for (let i = 0; i < m.length; i++) h = (h * 31 + m[i] + i) % 1000003
    return h
}

describe("QR in the VM", () => {
    test("a pay URL encodes to the same symbol as in node", async () => {
        const r = await encode("https://pay.example.com/s/SHED-0042?socket=3", "M")
        console.log("qr-encode-ms: " + r.ms)
        expect(r.code.version).toBe(4)
        expect(r.code.size).toBe(33)
        // finder pattern corners are dark, separators light
        expect(r.code.modules[0]).toBe(1)
        expect(r.code.modules[7]).toBe(0)
        // the same checksum is asserted on node's output in test/node/qr.test.ts: both runtimes agree
        expect(checksum(r.code.modules)).toBe(656524)
    })
    test("non-ASCII text goes in as UTF-8, as in node", async () => {
        const r = await encode("https://pay.example.com/Größe/中/3", "M")
        expect(r.code.mode).toBe("byte")
        expect(r.code.version).toBe(3)
        // node's encodeQr gives the same symbol (test/node/qr.test.ts)
        expect(checksum(r.code.modules)).toBe(730472)
    })
    test("a version 10 code completes within the step limit", async () => {
        let s = ""
        for (let i = 0; i < 200; i++) s += "x"
        const r = await encode(s, "M")
        console.log("qr-v10-encode-ms: " + r.ms)
        expect(r.code.version).toBe(10)
    })
})

describe("screen layout in the VM", () => {
    test("pay URL template and the OLED layout (landscape)", () => {
        expect(payUrl("https://p.example/{board}?s={socket}", "B7", 3)).toBe("https://p.example/B7?s=3")
        const l = planLandscape(128, 64, 25, 10)
        expect(l.module).toBe(2)
        expect(l.quiet).toBe(2)
    })
})
