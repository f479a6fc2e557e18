import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import jsQR from "jsqr"
import { encodeQr, QrError, chooseVersion } from "../../src/core/qr/encoder"
import { formatInformation, versionInformation } from "../../src/core/qr/matrix"
import { rsDivisor, rsRemainder } from "../../src/core/qr/reedsolomon"
import { makeSegment } from "../../src/core/qr/segments"
import { numDataCodewords, alignmentPositions, eccCodewordsPerBlock, numErrorCorrectionBlocks, formatBits, eccName, eccIndex } from "../../src/core/qr/tables"
import { columnPenalty, rowPenalty } from "../../src/core/qr/penalty"
import { qrToRgba } from "../../tools/qr-image"
import { tempDir } from "../support/temp-dir"

function decode(text: string, ecc: string): string | null {
    const code = encodeQr(text, ecc)
    const img = qrToRgba(code, 4, 4)
    const r = jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" })
    if (!r) return null
    return new TextDecoder().decode(new Uint8Array(r.binaryData))
}

const ECCS = ["L", "M", "Q", "H"]

test("format information matches the published table (ISO/IEC 18004 annex C)", () => {
    // ECC M (format code 0) mask 0, ECC L (1) mask 0, ECC H (2) mask 7
    assert.equal(formatInformation(0, 0), 0b101010000010010)
    assert.equal(formatInformation(1, 0), 0b111011111000100)
    assert.equal(formatInformation(2, 7), 0b000100000111011)
})

test("version information for version 7 is 0x07C94", () => {
    assert.equal(versionInformation(7), 0x07c94)
    assert.equal(versionInformation(10), 0x0a4d3)
})

test("Reed-Solomon: the 1-M 'HELLO WORLD' example's error correction codewords", () => {
    // Thonky's QR tutorial: data codewords of HELLO WORLD at 1-M and their 10 EC codewords
    const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
    assert.deepEqual([...rsRemainder(Buffer.from(data), rsDivisor(10))], [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
})

test("error correction tables match ISO/IEC 18004 table 9 entry for entry", () => {
    const perBlock = [
        [7, 10, 15, 20, 26, 18, 20, 24, 30, 18],
        [10, 16, 26, 18, 24, 16, 18, 22, 22, 26],
        [13, 22, 18, 26, 18, 24, 18, 22, 20, 24],
        [17, 28, 22, 16, 22, 28, 26, 26, 24, 28],
    ]
    const blocks = [
        [1, 1, 1, 1, 1, 2, 2, 2, 2, 4],
        [1, 1, 1, 2, 2, 4, 4, 4, 5, 5],
        [1, 1, 2, 2, 4, 4, 6, 6, 8, 8],
        [1, 1, 2, 4, 4, 4, 5, 6, 8, 8],
    ]
    for (let e = 0; e < 4; e++)
        for (let v = 1; v <= 10; v++) {
            assert.equal(eccCodewordsPerBlock(e, v), perBlock[e][v - 1], `ecc ${e} v${v}`)
            assert.equal(numErrorCorrectionBlocks(e, v), blocks[e][v - 1], `ecc ${e} v${v}`)
        }
    assert.deepEqual([0, 1, 2, 3].map(formatBits), [1, 0, 3, 2])
    assert.deepEqual([0, 1, 2, 3].map(eccName), ["L", "M", "Q", "H"])
    assert.deepEqual(["L", "M", "Q", "H", "LM", "", "x"].map(eccIndex), [0, 1, 2, 3, -1, -1, -1])
})

/** Rules 1 and 3 as the standard words them, over a copied line: the reference for the in-place scan. */
function referencePenalty(line: number[]): number {
    let score = 0
    let run = 1
    for (let i = 1; i <= line.length; i++) {
        if (i < line.length && line[i] === line[i - 1]) run++
        else {
            if (run >= 5) score += 3 + (run - 5)
            run = 1
        }
    }
    const padded = [0, 0, 0, 0, ...line, 0, 0, 0, 0]
    for (let i = 4; i + 7 <= line.length + 4; i++) {
        if (padded.slice(i, i + 7).join("") !== "1011101") continue
        if (padded.slice(i - 4, i).every(x => x === 0)) score += 40
        if (padded.slice(i + 7, i + 11).every(x => x === 0)) score += 40
    }
    return score
}

test("mask penalty, rules 1 and 3, read in place along rows and columns: as the reference on copied lines", () => {
    fc.assert(
        fc.property(fc.integer({ min: 7, max: 29 }), fc.array(fc.constantFrom(0, 1), { minLength: 29 * 29, maxLength: 29 * 29 }), (size, bits) => {
            const m = Buffer.from(bits.slice(0, size * size))
            for (let k = 0; k < size; k++) {
                const row = [...m.subarray(k * size, (k + 1) * size)]
                const col = row.map((_, y) => m[y * size + k])
                assert.equal(rowPenalty(m, size, k), referencePenalty(row))
                assert.equal(columnPenalty(m, size, k), referencePenalty(col))
            }
        }),
        { numRuns: 200 }
    )
})

test("capacities and alignment positions match the spec tables", () => {
    assert.equal(numDataCodewords(1, 0), 19)
    assert.equal(numDataCodewords(1, 3), 9)
    assert.equal(numDataCodewords(10, 1), 216)
    assert.equal(numDataCodewords(10, 3), 122)
    assert.deepEqual(alignmentPositions(2), [6, 18])
    assert.deepEqual(alignmentPositions(7), [6, 22, 38])
    assert.deepEqual(alignmentPositions(10), [6, 28, 50])
})

test("the tightest mode is chosen and gives a smaller or equal version", () => {
    assert.equal(makeSegment("0123456789").mode, 2)
    assert.equal(makeSegment("HTTPS://PAY.EXAMPLE.COM/S/42").mode, 2)
    assert.equal(makeSegment("https://pay.example.com").mode, 4)
    assert.equal(makeSegment("").mode, 4)
    const upper = "HTTPS://PAY.EXAMPLE.COM/S/SHED-0042/10"
    assert.ok(chooseVersion(makeSegment(upper), 1) < chooseVersion(makeSegment(upper.toLowerCase()), 1))
    assert.equal(encodeQr(upper, "M").mode, "alphanumeric")
    assert.equal(encodeQr(upper.toLowerCase(), "M").mode, "byte")
})

test("byte mode carries UTF-8: accents, CJK and emoji", () => {
    const bytes = (s: string) => [...makeSegment(s).data]
    assert.deepEqual(bytes("é"), [0xc3, 0xa9])
    assert.deepEqual(bytes("中"), [0xe4, 0xb8, 0xad])
    assert.deepEqual(bytes("😀"), [0xf0, 0x9f, 0x98, 0x80])
    assert.equal(makeSegment("aé中😀").count, 10)
})

test("every length up to each version's capacity decodes, at every ECC level, in each mode", () => {
    let checked = 0
    for (const ecc of ECCS) {
        // byte mode: lengths 1..max (step keeps the run short but covers every version boundary)
        const maxBytes = numDataCodewords(10, ECCS.indexOf(ecc)) - 3
        const lengths = new Set<number>()
        for (let v = 1; v <= 10; v++) {
            const cap = numDataCodewords(v, ECCS.indexOf(ecc)) - (v >= 10 ? 3 : 2)
            for (const d of [-1, 0, 1]) if (cap + d >= 1 && cap + d <= maxBytes) lengths.add(cap + d)
        }
        for (let n = 1; n <= maxBytes; n += 13) lengths.add(n)
        for (const n of lengths) {
            let s = ""
            for (let i = 0; i < n; i++) s += String.fromCharCode(97 + ((i * 7) % 26))
            assert.equal(decode(s, ecc), s, `byte ${ecc} len ${n}`)
            checked++
        }
        for (const n of [1, 2, 3, 17, 41, 77, 150, 300]) {
            let d = ""
            for (let i = 0; i < n; i++) d += String((i * 3) % 10)
            try {
                assert.equal(decode(d, ecc), d, `digits ${ecc} len ${n}`)
                checked++
            } catch (e) {
                if (!(e instanceof QrError)) throw e
            }
        }
        for (const n of [1, 2, 25, 47, 100, 180]) {
            let a = ""
            for (let i = 0; i < n; i++) a += "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".charAt((i * 11) % 45)
            try {
                assert.equal(decode(a, ecc), a, `alnum ${ecc} len ${n}`)
                checked++
            } catch (e) {
                if (!(e instanceof QrError)) throw e
            }
        }
    }
    assert.ok(checked > 150, `checked ${checked}`)
})

test("pay URLs with query strings and non-ASCII text decode", () => {
    const texts = [
        "https://pay.example.com/s/SHED-0042?socket=3",
        "https://pay.example.com/s/SHED-0042?socket=10&lang=de&ref=qr",
        "Größe: Ladestation Nord — Steckdose 3",
        "充电站 3 号插座",
        "🚲⚡ socket 7",
    ]
    for (const t of texts) for (const ecc of ECCS) assert.equal(decode(t, ecc), t, `${t} @${ecc}`)
})

test("property: random unicode text that fits decodes back exactly", () => {
    fc.assert(
        fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), fc.constantFrom(...ECCS), (s, ecc) => {
            fc.pre(s.length > 0)
            let out: string | null
            try {
                out = decode(s, ecc)
            } catch (e) {
                if (e instanceof QrError) return
                throw e
            }
            assert.equal(out, s)
        }),
        { numRuns: 150 }
    )
})

test("text longer than version 10 gets a clear error", () => {
    let s = ""
    for (let i = 0; i < 400; i++) s += "x"
    assert.throws(
        () => encodeQr(s, "M"),
        (e: any) => e instanceof QrError && /too long.*version 10.*ECC M/.test(e.message)
    )
    assert.throws(
        () => encodeQr("abc", "X"),
        (e: any) => e instanceof QrError && /L, M, Q or H/.test(e.message)
    )
})

test("npm run qr writes a PNG that decodes to the text; bad arguments exit 2", async () => {
    const { spawnSync } = await import("node:child_process")
    const { readFileSync } = await import("node:fs")
    const { join } = await import("node:path")
    const { PNG } = await import("pngjs")
    const dir = tempDir("qr-")
    const out = join(dir, "pay.png")
    const text = "https://pay.example.com/s/SHED-0042?socket=3"
    const r = spawnSync(join("node_modules", ".bin", "tsx"), ["tools/qr.ts", "--text", text, "--png", out, "--ecc", "Q", "--scale", "6"], { encoding: "utf8" })
    assert.equal(r.status, 0, r.stderr)
    const png = PNG.sync.read(readFileSync(out))
    const got = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)
    assert.equal(got?.data, text)
    assert.equal(png.width % 6, 0)
    const bad = spawnSync(join("node_modules", ".bin", "tsx"), ["tools/qr.ts", "--text", text, "--png", out, "--scale", "0"], { encoding: "utf8" })
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /scale/)
})

test("node and the VM produce the same symbol for the pay URL (checksum shared with test/vm/qr.test.ts)", () => {
    const c = encodeQr("https://pay.example.com/s/SHED-0042?socket=3", "M")
    let h = 0
    for (let i = 0; i < c.modules.length; i++) h = (h * 31 + c.modules[i] + i) % 1000003
    assert.equal(c.version, 4)
    assert.equal(h, 656524)
    assert.equal(decode("https://pay.example.com/s/SHED-0042?socket=3", "M"), "https://pay.example.com/s/SHED-0042?socket=3")
    const u = "https://pay.example.com/Größe/中/3"
    const cu = encodeQr(u, "M")
    h = 0
    for (let i = 0; i < cu.modules.length; i++) h = (h * 31 + cu.modules[i] + i) % 1000003
    assert.equal(h, 730472)
    assert.equal(decode(u, "M"), u)
})
