// Pay codes packed off the board and unpacked on it (src/core/paycode.ts, src/core/paycode-render.ts):
// round trips decoded by an independent reader (jsQR), every corruption refused, the renderer's
// limits (version 3, the settings' 232 bytes) refused with a clear error.
import { describe, test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import jsQR from "jsqr"
import { encodeQr } from "../../src/core/qr/encoder"
import { isDark, packPayCode, payCodeError, payCodeHexLength, payCodeKey, unpackPayCode } from "../../src/core/paycode"
import { DEFAULT_PAY_URL, payCodeSettings, payUrl, renderPayCode } from "../../src/core/paycode-render"
import { planLayout } from "../../src/core/screen-layout"
import { checkSettings } from "../../host/board-settings"

const OLED10 = { width: 128, height: 64, lines: 11, plan: planLayout }
const TFT2 = { width: 240, height: 240, lines: 3, plan: planLayout }

/** An unpacked code drawn at 4 px a module with a 4-module quiet zone, read by jsQR. */
function read(bits: Buffer): string | null {
    const n = bits[0]
    const s = 4
    const w = (n + 8) * s
    const px = new Uint8ClampedArray(w * w * 4).fill(255)
    for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++)
            if (isDark(bits, x, y))
                for (let dy = 0; dy < s; dy++)
                    for (let dx = 0; dx < s; dx++) {
                        const o = (((y + 4) * s + dy) * w + (x + 4) * s + dx) * 4
                        px[o] = px[o + 1] = px[o + 2] = 0
                    }
    return jsQR(px, w, w)?.data ?? null
}

describe("pay code records", () => {
    test("round trip: the unpacked modules are the encoder's, and read back as the URL", () => {
        for (const [url, ecc] of [
            ["https://p.ex/1", "M"],
            ["https://pay.example.com/S1a2b3c/7", "M"],
            ["https://pay.example.com/S1a2b3c/10", "L"],
            ["HTTPS://PAY.EXAMPLE.COM/SHED42/3", "M"],
        ]) {
            const qr = encodeQr(url, ecc)
            const code = packPayCode(qr.size, qr.modules)
            assert.equal(code.length, payCodeHexLength(qr.size))
            assert.equal(payCodeError(code), "")
            const bits = unpackPayCode(code)!
            assert.equal(bits[0], qr.size)
            for (let y = 0; y < qr.size; y++) for (let x = 0; x < qr.size; x++) assert.equal(isDark(bits, x, y), qr.modules[y * qr.size + x] === 1, `${url} module ${x},${y}`)
            assert.equal(read(bits), url)
        }
    })

    test("every socket's code of the default template, for each board's screen, fits its setting and reads back", () => {
        for (const [screen, sockets] of [
            [OLED10, 10],
            [TFT2, 2],
        ] as const) {
            const set = payCodeSettings(DEFAULT_PAY_URL, "S1a2b3c", sockets, screen)
            assert.deepEqual(
                Object.keys(set),
                Array.from({ length: sockets }, (_, i) => payCodeKey(i + 1))
            )
            assert.equal(checkSettings(set), null)
            for (let s = 1; s <= sockets; s++) assert.equal(read(unpackPayCode(set["qr" + s])!), `https://pay.example.com/S1a2b3c/${s}`)
        }
        // the largest record under the longest key: 224 bytes of JSON, 229 with "qr10" and its separator
        const big = packPayCode(29, Buffer.alloc(29 * 29))
        assert.equal("qr10".length + 1 + JSON.stringify(big).length, 229)
    })

    test("the renderer refuses what a board cannot store, naming the URL; and a template without {socket}", () => {
        // 54 bytes: version 4 even at L
        const long = "https://pay.example.com/a-rather-long-path/S1a2b3c/10x"
        assert.throws(() => renderPayCode(long, OLED10), /pay URL https:\/\/pay\.example\.com\/a-rather-long-path\/S1a2b3c\/10x \(54 bytes\) needs a QR code larger than version 3/)
        // 53 bytes fit at L
        assert.equal(payCodeError(renderPayCode(long.slice(0, 53), OLED10)), "")
        assert.throws(() => payCodeSettings("https://pay.example.com/{board}/", "B1", 2, TFT2), /must contain \{socket\}/)
        assert.throws(() => packPayCode(33, Buffer.alloc(33 * 33)), /21, 25 or 29 modules/)
        assert.throws(() => packPayCode(21, Buffer.alloc(20)), /has 441 modules, not 20/)
        assert.equal(payUrl("https://p.example/{board}?s={socket}&b={board}", "B7", 3), "https://p.example/B7?s=3&b=B7")
    })

    test("every corruption is refused, with what is wrong: length, size, check, hex, type", () => {
        const code = renderPayCode("https://pay.example.com/S1a2b3c/7", OLED10)
        const n = code.length
        const bad: [string, any, RegExp][] = [
            ["a number", 42, /not text/],
            ["null", null, /not text/],
            ["empty", "", /too short/],
            ["one digit", "1", /too short/],
            ["two digits short", code.slice(0, n - 2), /hex digits/],
            ["two digits long", code + "00", /hex digits/],
            ["size 33 (version 4)", "21" + code.slice(2), /size 21 is not/],
            ["size 25 with a 29 code's length", "19" + code.slice(2), /hex digits/],
            ["size 0", "00" + code.slice(2), /size 00/],
            ["size not hex", "1g" + code.slice(2), /size 1g/],
            ["upper-case", code.toUpperCase(), /size|hex/],
            ["a letter past f", code.slice(0, 10) + "g" + code.slice(11), /not lower-case hex at 10/],
            ["a module flipped", code.slice(0, 10) + (code[10] === "0" ? "1" : "0") + code.slice(11), /check value/],
            ["the check flipped", code.slice(0, n - 1) + (code[n - 1] === "0" ? "1" : "0"), /check value/],
        ]
        for (const [what, v, re] of bad) {
            assert.match(payCodeError(v), re, what)
            if (typeof v === "string") assert.equal(unpackPayCode(v), null, what)
        }
    })

    test("property: any single changed digit is refused", () => {
        const code = renderPayCode("https://pay.example.com/S1a2b3c/3", TFT2)
        fc.assert(
            fc.property(fc.integer({ min: 0, max: code.length - 1 }), fc.constantFrom(..."0123456789abcdefABCDEFgz-"), (i, c) => {
                fc.pre(code[i] !== c)
                const v = code.slice(0, i) + c + code.slice(i + 1)
                assert.notEqual(payCodeError(v), "", v)
                assert.equal(unpackPayCode(v), null)
            }),
            { numRuns: 2000, seed: 15 }
        )
    })
})
