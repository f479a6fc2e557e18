// The screen captures docs/display.md shows (docs/screens/<board>-<lang>-<state>.png, written by
// the display-states e2e tests with SCREENS_OUT=docs/screens) still say what a rider must read:
// each is read back character by character as the e2e tests read the simulated screen, and its
// code decoded. The e2e tests run each board in one language; the other's captures are checked here.
import { test } from "node:test"
import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { PNG } from "pngjs"
import { ROOT } from "../../host/root"
import { BOARD_NAMES, BOARDS } from "../../boards/catalogue"
import { ARCADE } from "../../sim/bus/screen"
import { LANG_EN, LANG_ZH } from "../../src/core/screen-text"
import { Pixels } from "../../sim/screen-render"
import { readPixels } from "../support/display-states"

/** captures are written 3 px a pixel */
const SCALE = 3

function pixelsOf(png: Buffer, bpp: number): Pixels {
    const img = PNG.sync.read(png)
    const width = img.width / SCALE
    const height = img.height / SCALE
    return {
        width,
        height,
        get(x: number, y: number) {
            const i = ((y * SCALE + 1) * img.width + x * SCALE + 1) * 4
            const rgb = (img.data[i] << 16) | (img.data[i + 1] << 8) | img.data[i + 2]
            return bpp === 1 ? (rgb ? 1 : 0) : Math.max(0, ARCADE.indexOf(rgb))
        },
    }
}

const URL = /^https:\/\/pay\.example\.com\/[^/]+\/(\d+)$/

for (const board of BOARD_NAMES)
    for (const lang of [LANG_EN, LANG_ZH])
        test(`docs/screens: ${board}, ${lang === LANG_ZH ? "Chinese" : "English"}: every state reads as a rider must read it`, () => {
            const zh = lang === LANG_ZH
            const bpp = BOARDS[board].screen![2]
            const read = (state: string) => {
                const png = readFileSync(join(ROOT, "docs/screens", `${board}-${zh ? "zh" : "en"}-${state}.png`))
                return readPixels(pixelsOf(png, bpp), png, board, lang)
            }
            const unmark = (l: string) => l.replace(/^\*/, "")
            const free = (n: number) => `${n} ${zh ? "空闲" : "free"}`
            const idle = read("idle")
            assert.equal(URL.exec(idle.code ?? "")?.[1], "1", JSON.stringify(idle))
            assert.equal(idle.cells[0], zh ? "扫码支付" : "scan to pay")
            assert.equal(idle.cells[1], "*" + free(1))
            const charging = read("charging")
            assert.equal(URL.exec(charging.code ?? "")?.[1], "2", JSON.stringify(charging))
            assert.match(charging.cells[1], /^1 \d+:\d\d \d+Wh$/)
            const full = read("full")
            assert.equal(unmark(full.cells[1]), `1 ${zh ? "已充满" : "full"}`, JSON.stringify(full))
            const fault = read("fault")
            assert.deepEqual(fault.card, zh ? ["2 故障", "请报修", "E1"] : ["2 fault", "call", "service", "E1"])
            assert.match(fault.cells.map(unmark).find(l => l.startsWith("2 ")) ?? "", zh ? /^2 故障 (请报修 )?E1$/ : /^2 fault (call service )?E1$/)
            const offline = read("offline")
            assert.equal(offline.cells[0], zh ? "暂停支付" : "offline")
        })
