// What a rider reads on every board, drawn in node as the firmware draws it (sim/screen-render.ts)
// and read back character by character: every line whole in its cell (no word cut, no two
// sockets run together), no code names, both languages, glyphs for exactly the words shown,
// the page shown never one of free sockets while others charge, the codes decodable.
import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import jsQR from "jsqr"
import { BOARDS, BOARD_NAMES } from "../../boards/catalogue"
import { planLayout } from "../../src/core/screen-layout"
import { renderPayCode } from "../../src/core/paycode-render"
import { stopReasons } from "../../src/core/reasons"
import { advance, faultCode, fitWords, isGlyph, LANG_EN, LANG_ZH, pageSockets, parseLang, socketLine, textWidth, word, WORDS } from "../../src/core/screen-text"
import { fontCols, glyphTable, readCells, readFallback, renderScreen, screenModel, SocketView, Bitmap, pad } from "../../sim/screen-render"
import { boardChars, columns } from "../../tools/glyphs"

const LANGS = [LANG_EN, LANG_ZH]
const url = (n: number) => `https://pay.example.com/S045b5f/${n}`

function codeFor(board: (typeof BOARDS)[keyof typeof BOARDS], n: number) {
    const [w, h] = board.screen!
    return renderPayCode(url(n), { width: w, height: h, lines: board.sockets + 1, plan: planLayout })
}

function decode(bm: Bitmap, bpp: number) {
    const s = 2
    const data = new Uint8ClampedArray(bm.width * s * bm.height * s * 4)
    for (let y = 0; y < bm.height * s; y++)
        for (let x = 0; x < bm.width * s; x++) {
            const v = bm.get(Math.floor(x / s), Math.floor(y / s))
            // the TFT's palette index 1 is white, 0 black; the OLED's 1 lit
            const c = v === 1 || (bpp === 1 && v) ? 255 : 0
            data.set([c, c, c, 255], (y * bm.width * s + x) * 4)
        }
    return jsQR(data, bm.width * s, bm.height * s)?.data ?? null
}

test("the font's ink table in the core is DeviceScript's font8 (proportional text is drawn from it)", () => {
    for (let c = 33; c < 127; c++) {
        const cols = fontCols(c)
        const first = cols.findIndex(v => v !== 0)
        let last = 5
        while (cols[last] === 0) last--
        assert.equal(advance(c, 1), last - first + 2, `advance of ${String.fromCharCode(c)}`)
        assert.equal(advance(c, 2), 2 * (last - first + 2))
    }
    assert.equal(advance(32, 1), 4)
    assert.equal(advance(0x7a7a, 2), 16, "a glyph is never scaled")
})

test("glyph table: exactly the Chinese characters of the words the boards show, each from the table generator's layout", () => {
    const table = glyphTable()
    const shown = new Set<number>()
    for (let id = 0; id < WORDS; id++) for (const ch of word(id, LANG_ZH)) if (isGlyph(ch.codePointAt(0)!)) shown.add(ch.codePointAt(0)!)
    assert.deepEqual(
        [...table.keys()].sort((a, b) => a - b),
        [...shown].sort((a, b) => a - b)
    )
    assert.deepEqual(
        boardChars(),
        [...shown].sort((a, b) => a - b)
    )
    for (const [c, g] of table) {
        assert.equal(g.length, 32)
        const lit = [...g].reduce((a, b) => a + b.toString(2).replace(/0/g, "").length, 0)
        assert.ok(lit > 20 && lit < 200, `${String.fromCodePoint(c)} has ${lit} px`)
    }
    // the generator's column layout: row-major MSB-left hex to 16 columns of 2 bytes, top row the low bit
    const one = columns("8000" + "0000".repeat(14) + "0001")
    assert.equal(one[0], 1, "top-left pixel: column 0, bit 0")
    assert.equal(one[31], 0x80, "bottom-right pixel: column 15, byte 2, bit 7")
    // English has no glyphs
    for (let id = 0; id < WORDS; id++) for (const ch of word(id, LANG_EN)) assert.ok(ch.charCodeAt(0) < 127)
})

test("the language setting: zh (also when missing) or en; anything else refused (-1: the board reports it and shows zh)", () => {
    assert.equal(parseLang("en"), LANG_EN)
    assert.equal(parseLang("zh"), LANG_ZH)
    assert.equal(parseLang(null), LANG_ZH)
    assert.equal(parseLang(undefined), LANG_ZH)
    for (const bad of ["EN", "fr", "", 1, true, {}, ["en"]]) assert.equal(parseLang(bad), -1, JSON.stringify(bad))
})

const states = fc.oneof(
    fc.constant<SocketView>({ state: "idle" }),
    fc.constant<SocketView>({ state: "reserved" }),
    fc.record<SocketView>({ state: fc.constant("charging"), minutes: fc.double({ min: 0, max: 6000, noNaN: true }), wh: fc.double({ min: 0, max: 99999, noNaN: true }) }),
    fc.record<SocketView>({ state: fc.constant("ended"), note: fc.constantFrom(...stopReasons()) }),
    fc.record<SocketView>({ state: fc.constant("faulted"), note: fc.constantFrom("short", "overload", "welded_relay", "meter_silent", "suspect", "weird") })
)

test("property: on every board, in both languages, every line is whole in its cell and reads back as written; no code names", () => {
    const codeNames = stopReasons().filter(r => r !== "full" && r !== "fault")
    for (const name of BOARD_NAMES) {
        const b = BOARDS[name]
        const [w, h, bpp] = b.screen!
        const code = codeFor(b, 1)
        fc.assert(
            fc.property(
                fc.array(states, { minLength: b.sockets, maxLength: b.sockets }),
                fc.integer({ min: 0, max: b.sockets }),
                fc.boolean(),
                fc.constantFrom(...LANGS),
                fc.nat(50),
                (socks, focus, online, lang, turn) => {
                    const m = screenModel(w, h, socks, focus, online, lang, code, turn)
                    const L = m.layout
                    m.lines.forEach((line, i) => {
                        assert.ok(textWidth(line, L.text) <= L.cells[i].w - pad(L.text), `${name} "${line}" wider than its cell`)
                        for (const c of codeNames) assert.ok(!line.includes(c), `${name}: code name in "${line}"`)
                        assert.ok(!line.includes("_"), line)
                    })
                    const bm = renderScreen(m, w, h, bpp as 1 | 4)
                    assert.deepEqual(readCells(bm, L, lang).slice(0, m.lines.length), m.lines, `${name} lang ${lang}`)
                    if (!m.code) assert.deepEqual(readFallback(bm, L, lang, m.fallback.length), m.fallback)
                    // each socket line starts with its own number, then a space: two never read as one
                    m.lines.slice(1).forEach(l => assert.match(l, /^\d+ \S/))
                }
            ),
            { numRuns: 60 }
        )
    }
})

test("socket lines: number, state in words; charging time h:mm and energy; faults in words with a service code", () => {
    const W = 65
    assert.equal(socketLine(1, "idle", 0, 0, "", LANG_EN, W, 1), "1 free")
    assert.equal(socketLine(1, "idle", 0, 0, "", LANG_ZH, W, 1), "1 空闲")
    assert.equal(socketLine(2, "reserved", 0, 0, "", LANG_EN, W, 1), "2 plug in")
    assert.equal(socketLine(3, "charging", 45.9, 120.7, "", LANG_EN, W, 1), "3 0:45 120Wh")
    assert.equal(socketLine(10, "charging", 605, 1234, "", LANG_EN, 70, 1), "10 10:05 1234Wh")
    // too wide for the cell (the OLED's 65 px): whole hours, then no energy
    assert.equal(socketLine(10, "charging", 605, 1234, "", LANG_EN, W, 1), "10 10h 1234Wh")
    assert.equal(socketLine(10, "charging", 605, 9999, "", LANG_EN, 40, 1), "10 10h")
    assert.equal(socketLine(4, "ended", 0, 0, "full", LANG_EN, W, 1), "4 full")
    assert.equal(socketLine(4, "ended", 0, 0, "no_load", LANG_EN, W, 1), "4 done")
    assert.equal(socketLine(4, "ended", 0, 0, "unplugged", LANG_ZH, W, 1), "4 已结束")
    assert.equal(socketLine(5, "faulted", 0, 0, "short", LANG_EN, W, 1), "5 fault E1")
    assert.equal(socketLine(5, "faulted", 0, 0, "short", LANG_EN, 240, 1), "5 fault call service E1")
    assert.equal(socketLine(5, "faulted", 0, 0, "suspect", LANG_ZH, 240, 1), "5 故障 请报修 E5")
    assert.equal(faultCode("anything else"), "E0")
    assert.equal(fitWords("S10 faulted welded_relay suspect", 65, 1), "S10 faulted")
    assert.equal(fitWords("S7 idle", 65, 1), "S7 idle")
})

test("property: a page shows the shown socket, and never only free sockets while one is busy; every busy socket gets its turn", () => {
    fc.assert(
        fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), fc.nat(12), fc.integer({ min: 1, max: 6 }), fc.nat(100), (busyArr, f, slots, turn) => {
            const n = busyArr.length
            const focus = f % (n + 1)
            const busy = busyArr.map(b => (b ? "1" : "0")).join("")
            const page = pageSockets(busy, focus, slots, turn)
            assert.equal(page.length, Math.min(slots, n))
            assert.deepEqual(
                page,
                [...page].sort((a, b) => a - b)
            )
            assert.equal(new Set(page).size, page.length)
            if (focus > 0) assert.ok(page.includes(focus))
            const others = busyArr.map((b, i) => (b && i + 1 !== focus ? i + 1 : 0)).filter(x => x)
            const room = slots - (focus > 0 ? 1 : 0)
            if (others.length > 0 && room > 0)
                assert.ok(
                    page.some(s => others.includes(s)),
                    `busy ${busy} focus ${focus}: page ${page}`
                )
            // over enough turns every busy socket is shown
            if (room > 0) {
                const seen = new Set<number>()
                for (let t = 0; t < others.length + 1; t++) for (const s of pageSockets(busy, focus, slots, t)) seen.add(s)
                for (const s of others) assert.ok(seen.has(s), `socket ${s} never shown (busy ${busy}, focus ${focus}, slots ${slots})`)
            }
        })
    )
    // ten sockets, 1-5 free, 6-10 charging, socket 2's code shown: its line and four charging ones
    assert.deepEqual(pageSockets("0000011111", 2, 5, 0), [2, 6, 7, 8, 9])
    // all free: the shown socket's own page
    assert.deepEqual(pageSockets("0000000000", 7, 5, 0), [6, 7, 8, 9, 10])
})

test("every board in every state and language: the words read back, the codes decode to their socket's URL", () => {
    const scenes: { what: string; socks: (n: number) => SocketView[]; focus: number; online: boolean }[] = [
        { what: "idle, codes", socks: n => Array.from({ length: n }, () => ({ state: "idle" })), focus: 1, online: true },
        { what: "charging", socks: n => Array.from({ length: n }, (_, i) => (i === 0 ? { state: "charging", minutes: 75, wh: 210 } : { state: "idle" })), focus: 2, online: true },
        { what: "full", socks: n => Array.from({ length: n }, (_, i) => (i === 0 ? { state: "ended", note: "full" } : { state: "idle" })), focus: 2, online: true },
        { what: "fault", socks: n => Array.from({ length: n }, (_, i) => (i === 0 ? { state: "faulted", note: "short" } : { state: "idle" })), focus: 1, online: true },
        { what: "offline", socks: n => Array.from({ length: n }, () => ({ state: "idle" })), focus: 1, online: false },
    ]
    for (const name of BOARD_NAMES) {
        const b = BOARDS[name]
        const [w, h, bpp] = b.screen!
        for (const lang of LANGS)
            for (const sc of scenes) {
                const socks = sc.socks(b.sockets)
                const m = screenModel(w, h, socks, sc.focus, sc.online, lang, codeFor(b, sc.focus), 0)
                const bm = renderScreen(m, w, h, bpp as 1 | 4)
                const read = readCells(bm, m.layout, lang)
                const zh = lang === LANG_ZH
                assert.equal(read[0], sc.online ? (zh ? "扫码支付" : "scan to pay") : zh ? "暂停支付" : "offline", `${name} ${sc.what}`)
                if (sc.what === "charging") assert.equal(read[1], "1 1:15 210Wh")
                if (sc.what === "full") assert.equal(read[1], zh ? "1 已充满" : "1 full")
                if (sc.what === "fault") {
                    assert.match(read[1], zh ? /^1 故障 (请报修 )?E1$/ : /^1 fault (call service )?E1$/)
                    assert.equal(decode(bm, bpp), null, "a faulted socket's turn shows its card, no code")
                    assert.deepEqual(readFallback(bm, m.layout, lang, m.fallback.length), zh ? ["1 故障", "请报修", "E1"] : ["1 fault", "call", "service", "E1"])
                } else assert.equal(decode(bm, bpp), url(sc.focus), `${name} ${sc.what} lang ${lang}`)
            }
    }
})
