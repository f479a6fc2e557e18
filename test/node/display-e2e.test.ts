// The shed's display end to end: the real firmware in the DeviceScript VM draws on the
// simulated bus's indexed screen, the captured frames are decoded with jsQR (an independent
// decoder). Per-socket codes cycling on the 2-socket OLED board, the board-wide code staying
// put, and the 240x240 colour TFT board.
import { describe, test, before, after } from "node:test"
import assert from "node:assert/strict"
import { PNG } from "pngjs"
import jsQR from "jsqr"
import { ShedSim, ShedSimOptions, until } from "../../sim/shed-sim"
import { SimScreen } from "../../sim/bus/screen"
import { planLayout, Rect } from "../../src/core/screen-layout"

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

/** The rows of a cell its line's text takes (display.ts centres a bar of 10 rows a text scale). */
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

function textBar(c: Rect, scale: number): Rect {
    const h = Math.min(c.h, 10 * scale)
    return { x: c.x, y: c.y + Math.floor((c.h - h) / 2), w: c.w, h }
}

interface Seen {
    data: string
    /** lit share of each status cell's text bar at that frame */
    cells: number[]
}

/**
 * Watches complete frames until `done` says so: each distinct code in the order it appeared,
 * with the cells' lit shares at that frame.
 */
async function watchCodes(sim: ShedSim, done: (seen: Seen[]) => boolean, ms: number, what: string) {
    const seen: Seen[] = []
    // frames from now on (the screen keeps what the board drew before provisioning)
    let frames = sim.shed.screen.frames
    await until(
        () => {
            const s = sim.shed.screen
            if (s.frames !== frames) {
                frames = s.frames
                const c = decode(s, 4)
                if (c && (seen.length === 0 || seen[seen.length - 1].data !== c.data)) {
                    const L = planLayout(s.width, s.height, 17 + 4 * c.version, 3)
                    seen.push({ data: c.data, cells: L.cells.map(r => litShare(s, textBar(r, L.text))) })
                }
            }
            return done(seen)
        },
        ms,
        `${what} (codes seen: ${JSON.stringify(seen.map(x => x.data))})`
    )
    return seen
}

describe("one code per socket, cycled (2-socket OLED board, payUrl with {socket})", { timeout: 240000 }, () => {
    const sim = shedFor({ board: "shed2", speed: 1, settings: { payUrl: "https://pay.example.com/{board}/{socket}" } })

    test("the screen shows socket 1's code, then socket 2's, then socket 1's again; the focused socket's line is highlighted", { timeout: 180000 }, async () => {
        const url = (n: number) => `https://pay.example.com/${sim.boardId}/${n}`
        const seen = await watchCodes(sim, s => s.length >= 3, 150000, "three codes in turn")
        assert.deepEqual(
            seen.slice(0, 3).map(s => s.data),
            [url(1), url(2), url(1)]
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
})

describe("one code for the board (payUrl without {socket})", { timeout: 240000 }, () => {
    const sim = shedFor({ board: "shed2", speed: 60, settings: { payUrl: "https://pay.example.com/b/{board}" } })

    test("the code stays on the board's URL while the sockets' lines change; no line is highlighted", { timeout: 180000 }, async () => {
        await until(() => sim.shed.screen.frames > 0, 60000, "a first frame")
        const first = decode(sim.shed.screen, 4)
        assert.equal(first?.data, `https://pay.example.com/b/${sim.boardId}`)
        const L = planLayout(128, 64, 17 + 4 * first!.version, 3)
        const codePixels = () => pixels(sim.shed.screen, L.code)
        const code0 = codePixels()
        // a rider pays for socket 1 and charges: its line changes (state, then power and
        // minutes, 60x time), redrawn frame after frame; the code's pixels never move
        const frames0 = sim.shed.screen.frames
        sim.shed.plug(1, { model: "li", soc0: 0.3, seed: 5 })
        const o = await sim.backend.pay(1)
        assert.equal(o.startReply?.ok, true, JSON.stringify(o.startReply))
        let changed = 0
        let frames = frames0
        // longer than two per-socket cycles would take, counted in redraws rather than a clock:
        // the board refreshes the screen once a second (of its own ds.millis, real time: the
        // display ignores the simulated speed) and sends at most one frame a refresh, so 20
        // frames span 19 s or more, over twice CYCLE_MS (8 s). A charging line changes its
        // minutes every real second at 60x, so the frames come.
        await until(
            () => {
                if (sim.shed.screen.frames !== frames) {
                    frames = sim.shed.screen.frames
                    if (codePixels() !== code0) changed++
                }
                return frames - frames0 >= 20
            },
            120000,
            "20 redraws of the sockets' lines"
        )
        assert.equal(changed, 0, "the code's pixels changed")
        assert.equal(decode(sim.shed.screen, 4)?.data, `https://pay.example.com/b/${sim.boardId}`)
        for (const i of [1, 2]) assert.ok(litShare(sim.shed.screen, textBar(L.cells[i], 1)) < 0.4, `line ${i} not highlighted`)
    })
})

describe("the 10-socket board's OLED: one code for the board, the sockets paged", { timeout: 240000 }, () => {
    // a template with {socket}: this board still shows one code (no per-socket codes: heap)
    const sim = shedFor({ board: "shed10", speed: 1, settings: { payUrl: "https://pay.example.com/{board}/{socket}" } })

    test("the code is the board's with {socket} left empty and never changes; the lines show sockets 1-5, then 6-10, then 1-5 again", { timeout: 180000 }, async () => {
        await until(() => sim.shed.screen.frames > 0, 60000, "a first frame")
        const s = sim.shed.screen
        const first = decode(s, 4)
        assert.equal(first?.data, `https://pay.example.com/${sim.boardId}/`)
        // header and five sockets a page (64 px / 10 px rows)
        const L = planLayout(128, 64, 17 + 4 * first!.version, 11)
        assert.equal(L.cells.length, 6)
        const signature = () => L.cells.slice(1).map(c => pixels(s, c)).join("|")
        // every socket idle: "1 idle" .. "5 idle" on one page, "6 idle" .. "10 idle" on the other
        const pages: string[] = []
        const lastLine: number[] = []
        let frames = s.frames
        await until(
            () => {
                if (s.frames !== frames) {
                    frames = s.frames
                    const sig = signature()
                    if (pages[pages.length - 1] !== sig) {
                        pages.push(sig)
                        lastLine.push(litShare(s, textBar(L.cells[5], 1)))
                        assert.equal(decode(s, 4)?.data, first!.data, "the code stays")
                    }
                }
                return pages.length >= 3
            },
            60000,
            "three pages in turn"
        )
        assert.notEqual(pages[0], pages[1])
        assert.equal(pages[2], pages[0], "back to the first page")
        // the last line of one page is "10 ...", one character longer than "5 ...": more lit pixels
        const [a, b] = [lastLine[0], lastLine[1]]
        assert.ok(Math.abs(a - b) > 0.005, `the pages' last lines differ: ${a.toFixed(3)} vs ${b.toFixed(3)}`)
    })
})

describe("the 240x240 colour TFT (2-socket ESP32-C3 board with an ST7789)", { timeout: 240000 }, () => {
    const sim = shedFor({ board: "shed2tft", speed: 60 })

    test("the captured 240x240 frame decodes to the pay URL, with the code's modules whole pixels, and shows the header and socket cells", { timeout: 180000 }, async () => {
        const scr = sim.shed.screen
        assert.equal(scr.width, 240)
        assert.equal(scr.bpp, 4)
        await until(() => scr.frames > 0, 90000, "a complete frame on the TFT")
        const c = decode(scr, 2)
        assert.ok(c, "the captured screen holds a readable QR code")
        assert.equal(c!.data, `https://pay.example.com/${sim.boardId}/`)
        const size = 17 + 4 * c!.version
        const L = planLayout(240, 240, size, 3)
        // finder pattern centres are size - 7 modules apart: the drawn module is the planned one
        assert.ok(L.module >= 4, `module ${L.module} px`)
        assert.ok(Math.abs(c!.finderDx / (size - 7) - L.module) < 0.25, `drawn module ${(c!.finderDx / (size - 7)).toFixed(2)} px, planned ${L.module}`)
        // the quiet zone: white (palette 1) all round the code
        const q = L.quiet * L.module
        const box = { x: L.qrX - q, y: L.qrY - q, w: (size + 2 * L.quiet) * L.module, h: (size + 2 * L.quiet) * L.module }
        assert.equal(count(scr, { x: box.x, y: box.y, w: box.w, h: q }, 1), box.w * q, "quiet zone above the code is white")
        assert.equal(count(scr, { x: box.x, y: box.y, w: q, h: box.h }, 1), q * box.h, "quiet zone left of the code is white")
        // header and both sockets' cells ("S... online", "1 free", "2 free") in white text
        assert.equal(L.cells.length, 3)
        for (let i = 0; i < 3; i++) assert.ok(count(scr, L.cells[i], 1) > 40, `cell ${i} has text (${count(scr, L.cells[i], 1)} white px)`)
        // a rider pays for socket 1: its cell turns light blue (charging, palette 9), socket 2
        // stays white
        sim.shed.plug(1, { model: "li", soc0: 0.3, seed: 7 })
        const o = await sim.backend.pay(1)
        assert.equal(o.startReply?.ok, true, JSON.stringify(o.startReply))
        await until(() => count(scr, L.cells[1], 9) > 40 && count(scr, L.cells[1], 1) === 0, 60000, "socket 1's cell in the charging colour, no white left")
        assert.ok(count(scr, L.cells[2], 1) > 40, "socket 2's cell still white")
        assert.equal(count(scr, L.cells[2], 9), 0, "socket 2's cell not in the charging colour")
        assert.equal(decode(scr, 2)?.data, `https://pay.example.com/${sim.boardId}/`)
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
        await until(() => count(scr, all, 2) > 500 && count(scr, all, 0) + count(scr, all, 2) === 240 * 240, 60000, "red text on black, the whole screen")
        assert.equal(decode(scr, 2), null, "no pay code in safe mode")
        assert.equal(sim.shed.socket(1).relayOn, false, "relays off in safe mode")
    })

    test("safe mode holds 30 simulated minutes, then the board tries again: back online, socket 1's paid session resumed, the pay code shown", { timeout: 180000 }, async () => {
        const from = sim.vm.log.length
        // 30 min at 60x: 30 s
        await sim.vm.waitLog(/start: shed-controller/, 90000, from)
        await sim.vm.waitLog(/socket 1: resumed order/, 30000, from)
        await sim.waitOnline()
        await until(() => sim.shed.socket(1).relayOn, 30000, "relay 1 on again (resumed)")
        await until(() => decode(sim.shed.screen, 2)?.data === `https://pay.example.com/${sim.boardId}/`, 60000, "the pay code back on the screen")
    })
})
