// The service button's wiring: presses (the runtime's `up` event carries the press time) to
// the core's servicePress, the result to whoever shows it.
import * as ds from "@devicescript/core"
import { PressResult, servicePress } from "../core/button"
import { Supervisor } from "../core/supervisor"

export function startServiceButton(btn: ds.Button, sup: Supervisor, show: (r: PressResult) => Promise<void>) {
    let focus = 0
    btn.up.subscribe(async ms => {
        try {
            const r = servicePress(sup, focus, ms)
            focus = r.focus
            if (r.message) console.log("button: " + r.message)
            await show(r)
        } catch (e) {
            console.log("button error: " + e)
        }
    })
}
