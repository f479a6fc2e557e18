// Crash-loop guard. The runtime restarts a crashed program after 5 s, for ever, and native
// relays keep their state meanwhile: count quick restarts in flash; three within the healthy
// period put the board in safe mode (all relays off, no network, fault shown) so the update
// channel stays free for a fixed release.
import { loadJson, saveJson } from "./persist"

const KEY = "crashes"
export const SAFE_MODE_AFTER = 3
/** running this long (ms) proves the program healthy: the counter is cleared */
export const HEALTHY_MS = 180000

export async function countBoot(): Promise<number> {
    const n = await loadJson(KEY)
    const next = (typeof n === "number" ? n : 0) + 1
    await saveJson(KEY, next)
    return next
}

export async function markHealthy() {
    await saveJson(KEY, 0)
}
