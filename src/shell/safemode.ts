// Crash-loop guard. The runtime restarts a crashed program after 5 s, for ever, and native
// relays keep their state meanwhile: count quick restarts in flash; three within the healthy
// period put the board in safe mode (all relays off, no network, fault shown) so the update
// channel stays free for a fixed release. The count belongs to one program version: a release
// deployed over the air starts afresh, or a fixed release would inherit its predecessor's
// safe mode.
// A board cannot tell a power cut from a crash (both boot it afresh), so a storm's flickers
// count too: safe mode holds for SAFE_HOLD_MS, then the program gets one more try. A program
// that still crashes is back in safe mode at its next restart; a shed that only lost power
// comes back by itself, its paid sessions resumed.
import * as ds from "@devicescript/core"
import { loadJson, saveJson } from "./persist"

const KEY = "crashes"
export const SAFE_MODE_AFTER = 3
/** running this long (ms) proves the program healthy: the counter is cleared */
export const HEALTHY_MS = 180000
/** how long (core ms) safe mode holds before the program's next try */
export const SAFE_HOLD_MS = 1800000

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

/** After `ms`, one more try: the count is set so that the next restart runs, and one more crash stops it. */
export function retryAfter(version: string, ms: number) {
    setTimeout(async () => {
        await saveJson(KEY, { v: version, n: SAFE_MODE_AFTER - 2 })
        ds.restart()
    }, ms)
}
