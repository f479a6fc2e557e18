// One board's whole program: control loop, cloud link, display. The entry files (src/main*.ts)
// only say which relays and meters the board has.
import * as ds from "@devicescript/core"
import { runShed, ShedHardware } from "./shed"
import { startProvisionedCloud } from "./provisioned"
import { showMessage, ShedScreen, startOled } from "./display"
import { loadJson } from "./persist"

/** Pay URL template when none is provisioned ({board}, {socket} replaced). */
const DEFAULT_PAY_URL = "https://pay.example.com/{board}/{socket}"

export async function runBoard(hw: ShedHardware) {
    const screen = await startOled()
    const sup = await runShed(hw)
    if (!sup) {
        await showMessage(screen.img, screen.out, ["SAFE MODE", "restarts in a row", "relays off", "waiting for update"])
        return
    }
    const cloud = await startProvisionedCloud(sup, hw)
    const board = await loadJson("boardId")
    const tpl = await loadJson("payUrl")
    const template = typeof tpl === "string" && tpl.length > 0 && tpl.length <= 120 ? tpl : DEFAULT_PAY_URL
    const view = new ShedScreen(screen.img, screen.out, sup, typeof board === "string" ? board : "unprovisioned", template)
    view.online = () => (cloud ? cloud.connected : false)
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
