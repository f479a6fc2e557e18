// A board with the pay display: the control loop and cloud link (board.ts), plus the screen.
// The screen is the board's: the 128x64 OLED (startOled) or the 240x240 TFT (startTft), chosen
// by the board's entry file. Each socket's pay code is rendered off the board and stored in its
// setting (qr1..qrN, src/core/paycode.ts): the screen reads the one it shows from flash.
import * as ds from "@devicescript/core"
import { ShedHardware } from "./control-loop"
import { runBoard } from "./board"
import { ScreenOut, showMessage, ShedScreen } from "./display"
import { loadJson } from "./persist"
import { startServiceButton } from "./button"
import { SAFE_HOLD_MS } from "./safemode"
import { LANG_ZH, parseLang } from "../core/screen-text"

export async function runBoardWithDisplay(hw: ShedHardware, startDisplay: () => Promise<ScreenOut>) {
    const screen = await startDisplay()
    const b = await runBoard(hw, true)
    if (!b.sup) {
        await showMessage(screen, ["SAFE MODE", "restarts in a row", "relays off", "next try in " + SAFE_HOLD_MS / 60000 + " min"])
        return
    }
    // the riders' language: "zh" (default) or "en"; anything else is reported and the default shown
    const setting = await loadJson("lang")
    let lang = parseLang(setting)
    if (lang < 0) {
        console.log("display: setting lang " + JSON.stringify(setting) + " refused (zh or en): showing zh")
        lang = LANG_ZH
    }
    const view = new ShedScreen(screen, b.sup, lang)
    const cloud = b.cloud
    view.online = () => (cloud ? cloud.connected : false)
    if (hw.button)
        startServiceButton(hw.button, b.sup, async r => {
            view.select(r.focus, r.message, ds.millis())
        })
    let busy = false
    setInterval(async () => {
        if (busy) return
        busy = true
        try {
            await view.refresh(ds.millis())
        } catch (e) {
            console.log("display error: " + e)
        }
        busy = false
    }, 1000)
}
