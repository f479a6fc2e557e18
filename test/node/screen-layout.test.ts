import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import { planLayout } from "../../src/core/screen-layout"
import { payUrl, pickEcc } from "../../src/core/paycode-render"
import { socketTone, headerTone, TONE_ALERT, TONE_CHARGING, TONE_FREE, TONE_FULL, TONE_TEXT, TONE_WAITING } from "../../src/core/screen-text"
import { encodeQr } from "../../src/core/qr/encoder"

const overlap = (a: any, b: any) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
const screens = fc.constantFrom([128, 64], [240, 240], [320, 240], [240, 320], [128, 32], [160, 128])

test("property: the QR with its quiet zone fits the screen, modules are whole pixels, cells do not overlap it", () => {
    fc.assert(
        fc.property(screens, fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 16 }), ([w, h], ver, lines) => {
            const size = ver * 4 + 17
            const l = planLayout(w, h, size, lines)
            assert.ok(Number.isInteger(l.module) && l.module >= 1)
            const box = { x: l.qrX - l.quiet * l.module, y: l.qrY - l.quiet * l.module, w: (size + 2 * l.quiet) * l.module, h: (size + 2 * l.quiet) * l.module }
            if (l.module >= 2) {
                assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.w <= w && box.y + box.h <= h, JSON.stringify({ w, h, size, l }))
                for (const c of l.cells) assert.ok(!overlap(c, box), "cell overlaps the QR")
                // the code's area holds the whole code and its quiet zone
                assert.ok(box.x >= l.code.x && box.y >= l.code.y && box.x + box.w <= l.code.x + l.code.w && box.y + box.h <= l.code.y + l.code.h)
            }
            assert.ok(l.perPage >= 1 && l.perPage <= lines)
            assert.equal(l.cells.length, l.perPage)
            for (const c of l.cells) assert.ok(c.x >= 0 && c.y >= 0 && c.x + c.w <= w && c.y + c.h <= h)
        })
    )
})

test("property: on screens that hold the code, code and cells tile the screen exactly, cells on even rows (the TFT's bands)", () => {
    fc.assert(
        fc.property(screens, fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 16 }), ([w, h], ver, lines) => {
            const l = planLayout(w, h, ver * 4 + 17, lines)
            if (l.module < 2) return
            const rects = [l.code, ...l.cells]
            for (let i = 0; i < rects.length; i++)
                for (let j = i + 1; j < rects.length; j++) assert.ok(!overlap(rects[i], rects[j]), `${JSON.stringify(rects[i])} overlaps ${JSON.stringify(rects[j])}`)
            assert.equal(
                rects.reduce((a, r) => a + r.w * r.h, 0),
                w * h,
                JSON.stringify({ w, h, ver, lines, l })
            )
            for (const c of l.cells) assert.ok(c.y % 2 === 0 && c.h % 2 === 0, JSON.stringify(c))
        })
    )
})

test("layouts: OLED landscape at 1x (rows of 16 px for Chinese), the TFT square at 2x, header and each socket a full-width row", () => {
    const oled = planLayout(128, 64, 25, 3)
    assert.equal(oled.text, 1)
    assert.deepEqual(oled.code, { x: 0, y: 0, w: (25 + 4) * 2, h: 64 })
    assert.equal(oled.cells.length, 3)
    // ten sockets, Chinese: header and three sockets in rows of 16 px; English: header and five
    assert.deepEqual(
        planLayout(128, 64, 29, 11, 16).cells.map(c => c.h),
        [16, 16, 16, 16]
    )
    assert.equal(planLayout(128, 64, 29, 11).perPage, 6)
    const tft = planLayout(240, 240, 29, 3)
    assert.equal(tft.text, 2)
    // a 3-module quiet zone keeps 5-px modules with three full-width rows below
    assert.equal(tft.quiet, 3)
    assert.equal(tft.module, 5)
    for (const c of tft.cells) assert.equal(c.w, 240, "every row spans the width: two sockets' texts never run together")
    assert.ok(tft.cells[1].y < tft.cells[2].y, "one socket a row")
    // a longer code (version 4): header and two sockets, still 4 px a module
    const tft10 = planLayout(240, 240, 33, 11)
    assert.ok(tft10.perPage >= 3 && tft10.module >= 4, JSON.stringify(tft10))
})

test("module sizes for the pay URL: OLED 128x64 and TFT 240x240", () => {
    const short = encodeQr(payUrl("HTTPS://P.EXAMPLE.COM/{board}/{socket}", "SHED42", 3), "M")
    const long = encodeQr(payUrl("https://pay.example.com/s/{board}?socket={socket}", "SHED-0042", 3), "M")
    const oled = planLayout(128, 64, short.size, 10)
    assert.ok(oled.module >= 2, `OLED module ${oled.module} px for version ${short.version}`)
    const tft = planLayout(240, 240, long.size, 10)
    assert.ok(tft.module >= 3, `TFT module ${tft.module}`)
    assert.ok(tft.quiet >= 3)
})

test("error correction: L only where it makes the modules larger on a small screen", () => {
    // 32 bytes: version 3 at M (2 px a module on the OLED, a 1-module quiet zone), version 2 at L (2 px, 2 modules)
    const board = payUrl("https://pay.example.com/{board}/", "Sa1b2c3", 0)
    assert.equal(board.length, 32)
    assert.equal(pickEcc(board, 128, 64, 3, planLayout), "L")
    assert.equal(planLayout(128, 64, encodeQr(board, "L").size, 3).module, 2)
    assert.equal(planLayout(128, 64, encodeQr(board, "L").size, 3).quiet, 2)
    assert.deepEqual([planLayout(128, 64, encodeQr(board, "M").size, 3).module, planLayout(128, 64, encodeQr(board, "M").size, 3).quiet], [2, 1])
    // the TFT keeps M: 5 px modules already
    assert.equal(pickEcc(board, 240, 240, 3, planLayout), "M")
    // 33 bytes: version 3 either way, M kept; its modules 2 px with a 1-module quiet zone (1 px with 2)
    assert.deepEqual([planLayout(128, 64, 29, 3).module, planLayout(128, 64, 29, 3).quiet], [2, 1])
    assert.equal(pickEcc(board + "1", 128, 64, 3, planLayout), "M")
    // short text: same version at L and M
    assert.equal(pickEcc("HTTPS://P.EX/1", 128, 64, 3, planLayout), "M")
})

test("pay URL template: board and socket replaced, socket 0 leaves it to the pay page", () => {
    assert.equal(payUrl("https://p.example/{board}?s={socket}", "B7", 3), "https://p.example/B7?s=3")
    assert.equal(payUrl("https://p.example/{board}/{board}", "B7", 0), "https://p.example/B7/B7")
    assert.equal(payUrl("https://p.example/{board}?s={socket}", "B7", 0), "https://p.example/B7?s=")
})

test("tones: free, waiting, charging, full, fault; header alert when offline", () => {
    assert.equal(socketTone("idle", ""), TONE_FREE)
    assert.equal(socketTone("reserved", ""), TONE_WAITING)
    assert.equal(socketTone("charging", ""), TONE_CHARGING)
    assert.equal(socketTone("ended", "full"), TONE_FULL)
    assert.equal(socketTone("ended", "unplugged"), TONE_TEXT)
    assert.equal(socketTone("faulted", "short"), TONE_ALERT)
    assert.equal(headerTone(true), TONE_TEXT)
    assert.equal(headerTone(false), TONE_ALERT)
})
