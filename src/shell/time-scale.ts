// The time the core sees. A real board runs at 1; a simulated shed may run its chargers
// time-compressed (the "simSpeed" setting, honoured only in the simulator), and the core's
// thresholds then hold in simulated time.
import * as ds from "@devicescript/core"
import { loadJson } from "./persist"

let speed = 1

export function coreNow(): number {
    return ds.millis() * speed
}

export function timeScale(): number {
    return speed
}

export async function loadTimeScale() {
    if (!ds.isSimulator()) return
    const v = await loadJson("simSpeed")
    if (typeof v === "number" && v >= 1 && v <= 3600) speed = v
    if (speed !== 1) console.log("simulated time: x" + speed)
}
