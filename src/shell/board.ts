// One board's whole program: control loop and cloud link. The entry files (src/main*.ts) only
// say which relays and meters the board has; boards with a display use board-display.ts.
import { EventRoute, runShed, ShedHardware } from "./control-loop"
import { startProvisionedCloud } from "./provisioned"
import { Supervisor } from "../core/supervisor"
import { CloudLink } from "./cloud"
import { startServiceButton } from "./button"

export async function runBoard(hw: ShedHardware, withScreen = false): Promise<{ sup: Supervisor; cloud: CloudLink }> {
    const route = new EventRoute()
    const sup = await runShed(hw, route)
    if (!sup) return { sup: null, cloud: null }
    // without a screen the button still clears faults; its messages go to the log
    if (hw.button && !withScreen) startServiceButton(hw.button, sup, async () => {})
    const cloud = await startProvisionedCloud(sup, hw)
    // events waited in the core until now: the outbox is restored first
    route.to(
        cloud
            ? async (e, now) => {
                  await cloud.onEvent(e, now)
              }
            : null
    )
    return { sup: sup, cloud: cloud }
}
