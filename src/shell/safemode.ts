// Crash-loop guard. The runtime restarts a crashed program after 5 s, for ever, and native
// relays keep their state meanwhile: count quick restarts in flash; three within the healthy
// period put the board in safe mode (all relays off, no network, fault shown) so the update
// channel stays free for a fixed release. The count belongs to one program version: a release
// deployed over the air starts afresh, or a fixed release would inherit its predecessor's
// safe mode.
import { loadJson, saveJson } from "./persist"

const KEY = "crashes"
export const SAFE_MODE_AFTER = 3
/** running this long (ms) proves the program healthy: the counter is cleared */
export const HEALTHY_MS = 180000

export async function countBoot(version: string): Promise<number> {
    const c = await loadJson(KEY)
    // a bare number: written at provisioning, before any version ran
    const same = c && typeof c === "object" && c.v === version && typeof c.n === "number"
    const next = (same ? c.n : typeof c === "number" ? c : 0) + 1
    await saveJson(KEY, { v: version, n: next })
    return next
}

export async function markHealthy(version: string) {
    await saveJson(KEY, { v: version, n: 0 })
}
