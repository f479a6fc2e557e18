// The shed's display end to end: the real firmware in the DeviceScript VM draws on the
// simulated bus's indexed screen, the captured frames are decoded with jsQR (an independent
// decoder). Every board shows each socket's own code (rendered off the board at provisioning,
// read from flash): the 2-socket OLED board, the 10-socket board's OLED and the 240x240 colour
// TFT board, one simulated shed each; a missing or corrupt code shows the fallback text.
import { describe, test, before, after } from "node:test"
import assert from "node:assert/strict"
import { PNG } from "pngjs"
import jsQR from "jsqr"
import { ShedSim, ShedSimOptions } from "../../sim/shed-sim"
import { SimScreen } from "../../sim/bus/screen"
import { planLayout, Rect } from "../../src/core/screen-layout"
import { provision } from "../../host/board-settings"
import { renderPayCode } from "../../src/core/paycode-render"
import { LANG_EN, LANG_ZH } from "../../src/core/screen-text"
import { readCells, readFallback } from "../../sim/screen-render"

/** The code on the captured screen, or null; and where its finder patterns are (screen px). */
function decode(screen: SimScreen, scale: number) {
    const png = PNG.sync.read(screen.png(scale))
    const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)
    return code ? { data: code.data, version: code.version, finderDx: (code.location.topRightFinderPattern.x - code.location.topLeftFinderPattern.x) / scale } : null
}

/** Share of a rectangle's pixels that are not black. */
function litShare(screen: SimScreen, r: Rect) {
    let lit = 0
    for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) if (screen.get(x, y)) lit++
    return lit / (r.w * r.h)
}

/** How many of a rectangle's pixels show palette index `c` (4-bpp screen). */
function count(screen: SimScreen, r: Rect, c: number) {
    let n = 0
    for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) if (screen.get(x, y) === c) n++
    return n
}

/** A rectangle's pixels, row by row, as one string: equal strings, an unchanged picture. */
function pixels(screen: SimScreen, r: Rect): string {
    const px: number[] = []
    for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) px.push(screen.get(x, y))
    return px.join("")
}

/** A simulated shed started before the describe's tests and stopped after them. */
function shedFor(opts: ShedSimOptions): ShedSim {
    const sim = new ShedSim(opts)
    before(async () => {
        await sim.start()
    })
    after(async () => {
        await sim.stop()
    })
    return sim
}

/** The rows of a cell its line's text takes (display.ts centres a bar of 10 rows a text scale). */
function textBar(c: Rect, scale: number): Rect {
    const h = Math.min(c.h, 10 * scale)
    return { x: c.x, y: c.y + Math.floor((c.h - h) / 2), w: c.w, h }
}

interface Seen {
    /** the code's URL, or null: no code on the screen */
    data: string | null
    /** lit share of each status cell's text bar at that frame */
    cells: number[]
    /** lit share of the code's area (without a code: the fallback text's) */
    area: number
    /** without a code: the code's area's two lines, read back ("2", "no code") */
    card: string[]
}

/** The screen's layout for a code of `version` (0: no code, the fallback's layout: 21 modules). */
function layoutOf(sim: ShedSim, version: number, lines: number) {
    const s = sim.shed.screen
    return planLayout(s.width, s.height, version > 0 ? 17 + 4 * version : 21, lines)
}

/**
 * Watches complete frames until `done` says so: each change of what the code's area shows (a
 * URL, or null for no code), in order, with the cells' and the area's lit shares at that frame.
 */
async function watchCodes(sim: ShedSim, lines: number, done: (seen: Seen[]) => boolean, ms: number, what: string) {
    const seen: Seen[] = []
    // frames from now on (the screen keeps what the board drew before provisioning)
    let frames = sim.shed.screen.frames
    await sim.until(
        () => {
            const s = sim.shed.screen
            if (s.frames !== frames) {
                frames = s.frames
                const c = decode(s, 4)
                const data = c ? c.data : null
                if (seen.length === 0 || seen[seen.length - 1].data !== data) {
                    const L = layoutOf(sim, c ? c.version : 0, lines)
                    seen.push({ data, cells: L.cells.map(r => litShare(s, textBar(r, L.text))), area: litShare(s, L.code), card: c ? [] : readFallback(s, L, LANG_EN, 2) })
                }
            }
            return done(seen)
        },
        ms,
        `${what} (codes seen: ${JSON.stringify(seen.map(x => x.data))})`
    )
    return seen
}

/** Every distinct thing the code's area showed (URL, or null for none) over the next `ms`. */
async function shownDuring(sim: ShedSim, ms: number): Promise<(string | null)[]> {
    const shown = new Set<string | null>()
    let frames = -1
    const t0 = Date.now()
    while (Date.now() - t0 < ms) {
        const s = sim.shed.screen
        if (s.frames !== frames) {
            frames = s.frames
            shown.add(decode(s, 4)?.data ?? null)
        }
        await new Promise(r => setTimeout(r, 50))
    }
    return [...shown]
}

const url = (sim: ShedSim, n: number) => `https://pay.example.com/${sim.boardId}/${n}`

describe("a code per socket on the 2-socket OLED board: cycled among the sockets that can take a payment; a corrupt code refused", { timeout: 300000 }, () => {
    // English: the layout the checks below compute (Chinese rows are 16 px: display-states-e2e)
    const sim = shedFor({ board: "shed2", speed: 1, settings: { lang: "en" } })

    test("the screen shows socket 1's code, then socket 2's, then socket 1's again; the shown socket's line is highlighted", { timeout: 120000 }, async () => {
        const seen = await watchCodes(sim, 3, s => s.length >= 3, 100000, "three codes in turn")
        assert.deepEqual(
            seen.slice(0, 3).map(s => s.data),
            [url(sim, 1), url(sim, 2), url(sim, 1)]
        )
        // cells: header, socket 1, socket 2. The focused socket's line is drawn inverted (a lit
        // bar with its text dark in it), the other one lit text on dark.
        for (const [s, focused, other] of [
            [seen[0], 1, 2],
            [seen[1], 2, 1],
        ] as const) {
            const f = s.cells[focused]
            const o = s.cells[other]
            assert.ok(f > 0.6 && f < 0.97, `socket ${focused}'s line highlighted with its text in it: ${f.toFixed(2)} of its bar lit`)
            assert.ok(o > 0.03 && o < 0.4, `socket ${other}'s line plain: ${o.toFixed(2)} of its bar lit`)
        }
    })

    test("a paid socket's code leaves the cycle: only socket 2's code while socket 1 waits for its charger", { timeout: 120000 }, async () => {
        const o = await sim.backend.pay(1)
        assert.equal(o.startReply?.ok, true, JSON.stringify(o.startReply))
        // once the cycle has moved on, over two more cycles (8 s each) only socket 2's code
        await watchCodes(sim, 3, s => s.length > 0 && s[s.length - 1].data === url(sim, 2), 30000, "socket 2's code")
        assert.deepEqual(await shownDuring(sim, 18000), [url(sim, 2)])
    })

    test("a corrupt code in flash is refused: the socket's number and 'no code' instead; a signed paycode command brings a new one, a bad one is refused", { timeout: 120000 }, async () => {
        const from = sim.vm.log.length
        const good = renderPayCode(url(sim, 2), { width: 128, height: 64, lines: 3, plan: planLayout })
        // one module changed: the check value no longer matches
        const corrupt = good.slice(0, 40) + (good[40] === "0" ? "1" : "0") + good.slice(41)
        // kept as the board keeps codes: the record's bytes
        await provision(sim.bus, { qr2: Buffer.from(corrupt, "hex") })
        const seen = await watchCodes(sim, 3, s => s.some(x => x.data === null), 30000, "the fallback in place of socket 2's code")
        const f = seen.find(x => x.data === null)!
        // text, not a code: a few lit pixels in the code's area (a code's quiet zone alone lights over half of it)
        assert.ok(f.area > 0.01 && f.area < 0.3, `fallback text lights ${f.area.toFixed(3)} of the code's area`)
        assert.deepEqual(f.card, ["2", "no code"])
        await sim.vm.waitLog(/display: socket 2 pay code check value does not match/, 5000, from)
        // the backend sends a bad code, then a new good one for another URL
        const bad = await sim.backend.send("paycode", { socket: 2, code: corrupt })
        assert.equal(bad.error, "bad_args", JSON.stringify(bad))
        assert.match(bad.detail, /check value does not match/)
        const next = `https://pay.example.com/new/${sim.boardId}/2`
        const ok = await sim.backend.send("paycode", { socket: 2, code: renderPayCode(next, { width: 128, height: 64, lines: 3, plan: planLayout }) })
        assert.equal(ok.ok, true, JSON.stringify(ok))
        await watchCodes(sim, 3, s => s.some(x => x.data === next), 30000, "the new code from the paycode command")
    })
})

describe("the riders' language setting on the 2-socket OLED board: a bad value is reported and Chinese shown", { timeout: 300000 }, () => {
    const sim = shedFor({ board: "shed2", speed: 1, settings: { lang: "fr" } })

    test('lang "fr" is refused in the log, the header reads 扫码支付 (the default)', { timeout: 120000 }, async () => {
        await sim.vm.waitLog(/display: setting lang "fr" refused \(zh or en\): showing zh/, 60000, 0)
        await sim.until(
            () => {
                const c = decode(sim.shed.screen, 3)
                if (!c) return false
                const L = planLayout(128, 64, 17 + 4 * c.version, 3, 16)
                return readCells(sim.shed.screen, L, LANG_ZH)[0] === "扫码支付"
            },
            60000,
            "the Chinese header"
        )
    })
})

describe("a code per socket on the 10-socket board's OLED; a missing code shows the socket and 'no code'", { timeout: 300000 }, () => {
    // socket 2 has no code (deleted at provisioning)
    const sim = shedFor({ board: "shed10", speed: 1, settings: { qr2: null, lang: "en" } })

    test("socket 1's code, socket 2's fallback text, socket 3's code, each with its line highlighted; the code changes, the URL names the socket", { timeout: 180000 }, async () => {
        const from = sim.vm.log.length
        const seen = await watchCodes(sim, 11, s => s.filter(x => x.data !== null).length >= 3, 120000, "three codes in turn")
        const codes = seen.filter(x => x.data !== null).map(x => x.data)
        const i1 = codes.indexOf(url(sim, 1))
        assert.ok(i1 >= 0, `socket 1's code seen: ${JSON.stringify(codes)}`)
        assert.deepEqual(codes.slice(i1, i1 + 2), [url(sim, 1), url(sim, 3)])
        // between them, no code: the fallback text
        const at1 = seen.findIndex(x => x.data === url(sim, 1))
        assert.equal(seen[at1 + 1].data, null, "socket 2's missing code shows no code")
        assert.ok(seen[at1 + 1].area > 0.01 && seen[at1 + 1].area < 0.3, `fallback text lights ${seen[at1 + 1].area.toFixed(3)} of the code's area`)
        assert.deepEqual(seen[at1 + 1].card, ["2", "no code"])
        assert.equal(seen[at1 + 2].data, url(sim, 3))
        await sim.vm.waitLog(/display: socket 2 pay code missing/, 5000, from)
        // header and five sockets a page; the shown socket's line inverted, the others plain
        for (const [s, focused] of [
            [seen[at1], 1],
            [seen[at1 + 1], 2],
            [seen[at1 + 2], 3],
        ] as const) {
            assert.equal(s.cells.length, 6)
            for (let line = 1; line <= 5; line++) {
                const v = s.cells[line]
                if (line === focused) assert.ok(v > 0.6 && v < 0.97, `socket ${focused}'s line highlighted: ${v.toFixed(2)}`)
                else assert.ok(v < 0.4, `socket ${line}'s line plain while ${focused} is shown: ${v.toFixed(2)}`)
            }
        }
    })

    test("the service button picks a socket: its code and its page (sockets 6-10) are shown", { timeout: 120000 }, async () => {
        // each short press moves to the next socket (the first to socket 1); the selection
        // holds the screen for 30 s
        for (let k = 1; k <= 7; k++) {
            const from = sim.vm.log.length
            await sim.shed.press(100)
            await sim.vm.waitLog(new RegExp(`button: S${k} `), 10000, from)
        }
        await sim.until(() => decode(sim.shed.screen, 4)?.data === url(sim, 7), 15000, "socket 7's code after seven presses")
        const c = decode(sim.shed.screen, 4)!
        const L = layoutOf(sim, c.version, 11)
        // page 6-10: socket 7 is its second line, inverted (the lines are sent after the code's
        // columns: a capture may fall between the two)
        await sim.until(() => litShare(sim.shed.screen, textBar(L.cells[2], 1)) > 0.6, 5000, "socket 7's line highlighted")
    })
})

describe("the 240x240 colour TFT (2-socket ESP32-C3 board with an ST7789)", { timeout: 300000 }, () => {
    const sim = shedFor({ board: "shed2tft", speed: 60, settings: { lang: "en" } })

    test("the captured 240x240 frame decodes to socket 1's and socket 2's URL in turn, with the code's modules whole pixels, and shows the header and socket cells", { timeout: 180000 }, async () => {
        const scr = sim.shed.screen
        assert.equal(scr.width, 240)
        assert.equal(scr.bpp, 4)
        const seen = await watchCodes(sim, 3, s => s.filter(x => x.data).length >= 2, 120000, "both sockets' codes")
        assert.deepEqual(
            seen
                .filter(x => x.data)
                .slice(0, 2)
                .map(x => x.data)
                .sort(),
            [url(sim, 1), url(sim, 2)]
        )
        await sim.until(() => decode(scr, 2) !== null, 60000, "a readable code on the TFT")
        const c = decode(scr, 2)!
        const size = 17 + 4 * c.version
        const L = planLayout(240, 240, size, 3)
        // finder pattern centres are size - 7 modules apart: the drawn module is the planned one
        assert.ok(L.module >= 4, `module ${L.module} px`)
        assert.ok(Math.abs(c.finderDx / (size - 7) - L.module) < 0.25, `drawn module ${(c.finderDx / (size - 7)).toFixed(2)} px, planned ${L.module}`)
        // the quiet zone: white (palette 1) all round the code
        const q = L.quiet * L.module
        const box = { x: L.qrX - q, y: L.qrY - q, w: (size + 2 * L.quiet) * L.module, h: (size + 2 * L.quiet) * L.module }
        assert.equal(count(scr, { x: box.x, y: box.y, w: box.w, h: q }, 1), box.w * q, "quiet zone above the code is white")
        assert.equal(count(scr, { x: box.x, y: box.y, w: q, h: box.h }, 1), q * box.h, "quiet zone left of the code is white")
        // header and both sockets' cells ("S... online", "1 free", "2 free") in white text
        assert.equal(L.cells.length, 3)
        for (let i = 0; i < 3; i++) assert.ok(count(scr, L.cells[i], 1) > 40, `cell ${i} has text (${count(scr, L.cells[i], 1)} white px)`)
        // a rider pays for socket 1: its cell turns light blue (charging, palette 9), socket 2
        // stays white, and only socket 2's code is shown
        sim.shed.plug(1, { model: "li", soc0: 0.3, seed: 7 })
        const o = await sim.backend.pay(1)
        assert.equal(o.startReply?.ok, true, JSON.stringify(o.startReply))
        await sim.until(() => count(scr, L.cells[1], 9) > 40 && count(scr, L.cells[1], 1) === 0, 60000, "socket 1's cell in the charging colour, no white left")
        assert.equal(count(scr, L.cells[2], 9), 0, "socket 2's cell not in the charging colour")
        await sim.until(() => decode(scr, 2)?.data === url(sim, 2), 60000, "socket 2's code, the only socket free")
    })

    test("in safe mode (a crash loop) the TFT shows the message in red, nothing else", { timeout: 180000 }, async () => {
        const scr = sim.shed.screen
        let safe = false
        for (let k = 0; k < 4 && !safe; k++) {
            const from = sim.vm.log.length
            await sim.crash()
            safe = /SAFE MODE/.test(await sim.vm.waitLog(/SAFE MODE|mqtt: connected/, 30000, from))
        }
        assert.equal(safe, true, "safe mode within a few quick restarts")
        const all = { x: 0, y: 0, w: 240, h: 240 }
        await sim.until(() => count(scr, all, 2) > 500 && count(scr, all, 0) + count(scr, all, 2) === 240 * 240, 60000, "red text on black, the whole screen")
        assert.equal(decode(scr, 2), null, "no pay code in safe mode")
        assert.equal(sim.shed.socket(1).relayOn, false, "relays off in safe mode")
    })

    test("safe mode holds 30 simulated minutes, then the board tries again: back online, socket 1's paid session resumed, socket 2's pay code shown", { timeout: 180000 }, async () => {
        const from = sim.vm.log.length
        // 30 min at 60x: 30 s
        await sim.vm.waitLog(/start: shed-controller/, 90000, from)
        await sim.vm.waitLog(/socket 1: resumed order/, 30000, from)
        await sim.waitOnline()
        await sim.until(() => sim.shed.socket(1).relayOn, 30000, "relay 1 on again (resumed)")
        await sim.until(() => decode(sim.shed.screen, 2)?.data === url(sim, 2), 60000, "socket 2's pay code back on the screen")
    })
})
