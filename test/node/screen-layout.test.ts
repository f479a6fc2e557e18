import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import { planLayout, payUrl } from "../../src/core/screen-layout"
import { encodeQr } from "../../src/core/qr/encoder"

const overlap = (a: any, b: any) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h

test("property: the QR with its quiet zone fits the screen, modules are whole pixels, cells do not overlap it", () => {
    fc.assert(
        fc.property(fc.constantFrom([128, 64], [240, 240], [320, 240], [128, 32]), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 16 }), ([w, h], ver, sockets) => {
            const size = ver * 4 + 17
            const l = planLayout(w, h, size, sockets)
            assert.ok(Number.isInteger(l.module) && l.module >= 1)
            const box = { x: l.qrX - l.quiet * l.module, y: l.qrY - l.quiet * l.module, w: (size + 2 * l.quiet) * l.module, h: (size + 2 * l.quiet) * l.module }
            if (l.module >= 2) {
                assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.w <= w && box.y + box.h <= h, JSON.stringify({ w, h, size, l }))
                for (const c of l.cells) assert.ok(!overlap(c, box), "cell overlaps the QR")
            }
            assert.ok(l.perPage >= 1 && l.perPage <= sockets)
            for (const c of l.cells) assert.ok(c.x >= 0 && c.y >= 0 && c.x + c.w <= w && c.y + c.h <= h)
        })
    )
})

test("module sizes for the pay URL: OLED 128x64 and TFT 240x240", () => {
    const short = encodeQr(payUrl("HTTPS://P.EXAMPLE.COM/{board}/{socket}", "SHED42", 3), "M")
    const long = encodeQr(payUrl("https://pay.example.com/s/{board}?socket={socket}", "SHED-0042", 3), "M")
    const oled = planLayout(128, 64, short.size, 10)
    assert.ok(oled.module >= 2, `OLED module ${oled.module} px for version ${short.version}`)
    const tft = planLayout(240, 240, long.size, 10)
    assert.ok(tft.module >= 3, `TFT module ${tft.module}`)
    assert.equal(tft.quiet, 4)
})

test("pay URL template: board and socket replaced, socket 0 leaves it to the pay page", () => {
    assert.equal(payUrl("https://p.example/{board}?s={socket}", "B7", 3), "https://p.example/B7?s=3")
    assert.equal(payUrl("https://p.example/{board}/{board}", "B7", 0), "https://p.example/B7/B7")
    assert.equal(payUrl("https://p.example/{board}?s={socket}", "B7", 0), "https://p.example/B7?s=")
})
