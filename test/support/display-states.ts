// What a rider reads on a board in every state, in both languages, end to end (one test file
// a board: test/node/display-states-<board>-e2e.test.ts, so npm test runs them side by side): the real
// firmware in the DeviceScript VM draws on the simulated bus's screen; each capture is read back
// character by character (sim/screen-render.ts: every character's pixels matched exactly against
// DeviceScript's font and the board's glyph table) and its code decoded with jsQR.
// States: idle with codes, charging (time and energy), full, fault (the card in the code's turn,
// "call service" and the service code), offline. With SCREENS_OUT=<dir> each capture is also
// written there as a PNG (docs/screens/ holds the set docs/display.md shows).
import { describe, test, before, after } from "node:test"
import assert from "node:assert/strict"
import { mkdirSync, writeFileSync } from "node:fs"
import { PNG } from "pngjs"
import jsQR from "jsqr"
import { ShedSim } from "../../sim/shed-sim"
import { planLayout } from "../../src/core/screen-layout"
import { LANG_ZH } from "../../src/core/screen-text"
import { Pixels, readCells, readFallback } from "../../sim/screen-render"
import { BOARDS, BoardName } from "../../boards/catalogue"

const OUT = process.env.SCREENS_OUT

function decode(png: Buffer) {
    const img = PNG.sync.read(png)
    const c = jsQR(new Uint8ClampedArray(img.data), img.width, img.height)
    return c ? { data: c.data, version: c.version } : null
}

export interface Read {
    code: string | null
    /** each cell's line, the header first; the highlighted one (the shown socket's) marked "*" */
    cells: string[]
    /** the code's area without a code: its lines */
    card: string[]
}

/** A screen as a rider reads it: the code (if any, from its PNG), each cell's line, the code area's text. */
export function readPixels(px: Pixels, png: Buffer, board: BoardName, lang: number): Read {
    const c = decode(png)
    const L = planLayout(px.width, px.height, c ? 17 + 4 * c.version : 21, BOARDS[board].sockets + 1, lang === LANG_ZH ? 16 : 0)
    let card: string[] = []
    if (!c)
        for (const k of [4, 3, 2, 1]) {
            const r = readFallback(px, L, lang, k)
            if (r.every(l => l !== "" && !l.includes("?"))) {
                card = r
                break
            }
        }
    return { code: c ? c.data : null, cells: readCells(px, L, lang, true), card }
}

function readScreen(sim: ShedSim, lang: number): Read {
    return readPixels(sim.shed.screen, sim.shed.screen.png(3), sim.opts.board!, lang)
}

function capture(sim: ShedSim, lang: number, state: string) {
    if (!OUT) return
    mkdirSync(OUT, { recursive: true })
    writeFileSync(`${OUT}/${sim.opts.board}-${lang === LANG_ZH ? "zh" : "en"}-${state}.png`, sim.shed.screen.png(3))
}

/**
 * Waits for a screen that `ok` accepts, captures it; the last reading in the error otherwise.
 * A screen may be read mid-redraw (below): `ok` must hold everything the test asserts of it.
 */
async function screenWhere(sim: ShedSim, lang: number, state: string, ok: (r: Read) => boolean, ms: number): Promise<Read> {
    let last: Read | null = null
    let readAt = 0
    try {
        await sim.until(
            () => {
                // a screen quiet for 400 ms: not caught half sent (the OLED's columns, the TFT's bands);
                // one redrawn without a pause (a TFT counting the minutes on a busy machine) is read
                // anyway every 2 s (a half-sent read fails its check and is read again), but
                // captured for the docs only when quiet
                const sending = Date.now() - sim.shed.screen.lastUpdateAt < 400
                if (sending && (OUT || Date.now() - readAt < 2000)) return false
                readAt = Date.now()
                last = readScreen(sim, lang)
                return ok(last)
            },
            ms,
            `the ${state} screen`
        )
    } catch (e) {
        throw new Error(`last read: ${JSON.stringify(last)}; ${(e as Error).message}`)
    }
    capture(sim, lang, state)
    return last!
}

const url = (sim: ShedSim, n: number) => `https://pay.example.com/${sim.boardId}/${n}`

export function boardStates(board: BoardName, lang: number) {
    const zh = lang === LANG_ZH
    describe(`${board}, ${zh ? "Chinese" : "English"}: idle with codes, charging, full, fault, offline`, { timeout: 600000 }, () => {
        // 60x as shed-e2e: faster, the 10-socket board's no-load window (a minute) gets shorter
        // than the bus's latency under load, and a start may end no_load before it draws
        const sim = new ShedSim({ board, speed: 60, settings: { lang: zh ? "zh" : "en" } })
        before(async () => {
            await sim.start()
        })
        after(async () => {
            await sim.stop()
        })
        const header = zh ? "扫码支付" : "scan to pay"
        const free = (n: number) => `${n} ${zh ? "空闲" : "free"}`
        const unmark = (l: string) => l.replace(/^\*/, "")

        test("idle: 'scan to pay' beside socket 1's code, every socket shown free", { timeout: 120000 }, async () => {
            // the whole check in the wait: a screen read mid-redraw fails it and is read again
            const rowsOf = (r: Read) =>
                r.cells
                    .slice(1)
                    .filter(l => l !== "")
                    .map(unmark)
            const allFree = (r: Read) => {
                const rows = rowsOf(r)
                return rows.length >= (zh ? 2 : Math.min(5, BOARDS[board].sockets)) && rows.every((l, i) => l === free(i + 1))
            }
            const r = await screenWhere(sim, lang, "idle", r => r.code === url(sim, 1) && r.cells[0] === header && r.cells[1] === "*" + free(1) && allFree(r), 60000)
            assert.ok(allFree(r), JSON.stringify(r.cells))
        })

        test("charging: socket 1's line gives its time (h:mm) and energy, socket 2's code is shown", { timeout: 120000 }, async () => {
            // seed 6: a 240 W charger full ~30 simulated minutes on (seed 5 took 75: 45 s more of each run)
            sim.shed.plug(1, { model: "li", soc0: 0.9, seed: 6 })
            const o = await sim.backend.pay(1)
            assert.equal(o.startReply?.ok, true, JSON.stringify(o.startReply))
            // the shown socket's line (2) highlighted; socket 1's plain, with its figures
            await screenWhere(sim, lang, "charging", r => r.code === url(sim, 2) && /^1 \d+:\d\d \d+Wh$/.test(r.cells[1]) && !/ 0Wh$/.test(r.cells[1]) && r.cells[2] === "*" + free(2), 90000)
        })

        test("full: the battery full, in words", { timeout: 240000 }, async () => {
            await screenWhere(sim, lang, "full", r => r.code !== null && unmark(r.cells[1]) === `1 ${zh ? "已充满" : "full"}`, 220000)
        })

        test("fault: a short on socket 2; its line says fault with the service code, its turn in the cycle shows the card", { timeout: 240000 }, async () => {
            sim.shed.plug(2, { model: "li", soc0: 0.3, seed: 6 })
            const o = await sim.backend.pay(2)
            assert.equal(o.startReply?.ok, true, JSON.stringify(o.startReply))
            await sim.until(() => sim.shed.socket(2).relayOn && sim.shed.socket(2).powerW > 20, 30000, "socket 2 drawing")
            await sim.until(() => sim.backend.events.some(e => e.t === "state" && e.socket === 2 && e.state === "charging"), 30000, "socket 2 charging")
            const from = sim.vm.log.length
            sim.shed.inject(2, "short")
            await sim.until(() => !sim.shed.socket(2).relayOn, 5000, "relay 2 off")
            await sim.vm.waitLog(/fault socket 2: short/, 10000, from)
            // the short was the charger's: with the contacts open it draws nothing (left in, the
            // meter's last readings after the relay opened may read as a welded relay, E3)
            sim.shed.inject(2, "short", false)
            const card = zh ? ["2 故障", "请报修", "E1"] : ["2 fault", "call", "service", "E1"]
            const faultLine = zh ? /^2 故障 (请报修 )?E1$/ : /^2 fault (call service )?E1$/
            const lineOf = (r: Read) => r.cells.map(unmark).find(l => l.startsWith("2 ")) ?? ""
            const r = await screenWhere(sim, lang, "fault", r => r.code === null && JSON.stringify(r.card) === JSON.stringify(card) && faultLine.test(lineOf(r)), 150000)
            assert.match(lineOf(r), faultLine, JSON.stringify(r.cells))
        })

        test("offline: the broker gone, the header says so (paying needs the cloud)", { timeout: 120000 }, async () => {
            const back = sim.restartBroker(12000)
            await screenWhere(sim, lang, "offline", r => r.cells[0] === (zh ? "暂停支付" : "offline"), 11000)
            await back
        })
    })
}
