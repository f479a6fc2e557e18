// What a board keeps in flash against what the runtime can hold. The runtime keeps every small
// setting in its settings header region (jacdac-c jd_fstor.c, JD_SETTINGS_LARGE): its 128 KB
// store / 16 = two 4 KB pages, and an A/B pair of them (compaction copies the live settings into
// the other and erases it first). Each setting costs a 24-byte entry and its value aligned to 8
// bytes; the last copy of a key stays, a deleted key's too (empty); a write that does not fit
// after compaction is dropped (src/shell/persist.ts reads every write back). The program's image
// lies outside, in whole pages.

/** the settings header region (B) */
export const SETTINGS_REGION = 8192
/** the region's own header and the two spare entries compaction keeps free */
const REGION_OVERHEAD = 24 + 2 * 24

/** flash a setting costs: its entry and its value, aligned */
export function settingCost(valueBytes: number): number {
    return 24 + ((valueBytes + 7) & ~7)
}

export interface SettingSize {
    key: string
    /** how many of it a board of `sockets` has */
    count: (sockets: number) => number
    /** the largest value (B) it can have: test/node/flash-budget.test.ts checks each against what makes it */
    max: number
    /** its value (B) on the simulated 10-socket board this round (bench/flash-budget.ts's VM run) */
    seen: number
}

const one = () => 1
const each = (n: number) => n
/** what the firmware and provisioning write (the program's image entry included: 0 B here) */
export const SETTINGS: SettingSize[] = [
    { key: "*prog", count: one, max: 0, seen: 0 },
    { key: "boardId", count: one, max: 34, seen: 9 },
    { key: "boardKey", count: one, max: 66, seen: 66 },
    { key: "mqttHost", count: one, max: 66, seen: 11 },
    { key: "mqttPort", count: one, max: 5, seen: 5 },
    { key: "mqttProto", count: one, max: 5, seen: 5 },
    { key: "mqttUser", count: one, max: 34, seen: 0 },
    { key: "mqttPass", count: one, max: 34, seen: 0 },
    { key: "lang", count: one, max: 4, seen: 0 },
    { key: "simSpeed", count: one, max: 8, seen: 2 },
    { key: "config", count: one, max: 225, seen: 0 },
    { key: "locks", count: one, max: 22, seen: 0 },
    { key: "crashes", count: one, max: 64, seen: 45 },
    { key: "srvHw", count: one, max: 16, seen: 13 },
    { key: "qrN", count: each, max: 111, seen: 111 },
    { key: "calN", count: each, max: 72, seen: 0 },
    { key: "ckN", count: each, max: 32, seen: 16 },
]
/** the largest session record (sessN) or outbox record (obN): at most a whole setting */
export const RECORD_MAX = 228
/** a session record, an ended or fault record, as seen this round */
export const RECORD_SEEN = 188
export const OUTBOX_KEYS = 16

/** flash (B) of the board's settings other than session and outbox records */
export function settingsFlash(sockets: number, size: (s: SettingSize) => number): number {
    let b = REGION_OVERHEAD
    for (const s of SETTINGS) b += s.count(sockets) * settingCost(size(s))
    return b
}

/**
 * The worst case: every other setting at its largest, `records` records at their largest, the
 * other session and outbox keys left as empty entries, and room to rewrite the largest value
 * before compaction frees its old copy.
 */
export function worstFlash(sockets: number, records: number): number {
    const keys = sockets + OUTBOX_KEYS
    return settingsFlash(sockets, s => s.max) + records * settingCost(RECORD_MAX) + (keys - records) * settingCost(0) + settingCost(RECORD_MAX)
}

/** records that fit beside every other setting at its largest */
export function recordsThatFit(sockets: number): number {
    let r = 0
    while (r < sockets + OUTBOX_KEYS && worstFlash(sockets, r + 1) <= SETTINGS_REGION) r++
    return r
}

/** the model's flash with every socket charging: settings as seen, a session record a socket, the outbox's keys empty */
export function seenFlash(sockets: number): number {
    return settingsFlash(sockets, s => s.seen) + sockets * settingCost(RECORD_SEEN) + OUTBOX_KEYS * settingCost(0)
}

export function printFlashBudget() {
    console.log(`\n## Settings in flash, per board (the runtime's ${SETTINGS_REGION / 1024} KB settings region)\n`)
    for (const [name, sockets] of [
        ["shed2 / shed2tft", 2],
        ["shed10", 10],
    ] as [string, number][]) {
        const typical = seenFlash(sockets)
        const most = sockets + OUTBOX_KEYS
        console.log(
            `- ${name}: every socket charging, as seen: ~${typical} B; at the worst (every setting at its largest, ${sockets} session records and the outbox's ${OUTBOX_KEYS} records): ${worstFlash(sockets, most)} B; ${recordsThatFit(sockets)} records of the largest size fit (a session running or ended holds one): ${recordsThatFit(sockets) >= most ? "all of them" : `not all ${most}: a record past that is kept in RAM (read back, not kept) and lost if the power is cut before the broker acks it`}`
        )
    }
}
