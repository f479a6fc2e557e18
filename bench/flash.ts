// Flash wear of what a power cut must keep: the core's rules (lockouts, whole session records,
// checkpoints) through the shell's persistence (sim/flash-board.ts) over a simulated day of
// back-to-back lithium charges (the simulator's charger models, one reading a second), counted
// as the runtime's settings log costs them (a write: its value aligned to 8 bytes + 24).
// Also what a power cut at any second of that day would have lost.
import { defaultConfig } from "../src/core/config"
import { CHECKPOINT_MIN_WH, CHECKPOINT_MS, CHECKPOINT_SHARE } from "../src/core/session"
import { FlashBoard } from "../sim/flash-board"
import { makePlug, Plug } from "../sim/bus/plug"
import { lastEnded } from "../test/shared/events"
import { RECORD_SEEN, SETTINGS_REGION, settingCost, settingsFlash } from "./flash-budget"

const DAY_S = 24 * 3600
const CYCLES = 100000

interface DayFigures {
    sessions: number
    writes: number
    bytes: number
    kinds: string
    maxLostS: number
    /** the worst loss over a cut, as a share of the session's final energy */
    maxLostShare: number
    maxLostWh: number
}

/** `startsForS`: riders plug in only during the day's first so many seconds (a night's charging) */
function day(sockets: number, seed: number, startsForS = DAY_S): DayFigures {
    const b = new FlashBoard({ ...defaultConfig(), sockets })
    const plugs: (Plug | null)[] = []
    const powered: number[] = []
    const idleUntil: number[] = []
    let n = 0
    let sessions = 0
    let maxLostS = 0
    let maxLostShare = 0
    let maxLostWh = 0
    /** worst loss of the running session per socket (Wh), judged against its final energy when it ends */
    const worstWh: number[] = []
    for (let i = 0; i < sockets; i++) {
        plugs.push(null)
        powered.push(0)
        idleUntil.push(i * 30)
        worstWh.push(0)
    }
    for (let t = 0; t < DAY_S; t++) {
        const now = t * 1000
        for (let i = 0; i < sockets; i++) {
            const s = b.sup.sockets[i]
            if (!s.isLive() && t >= idleUntil[i]) {
                if (s.state === "ended" && plugs[i]) {
                    // the rider unplugs; the next one plugs in a minute later
                    plugs[i] = null
                    idleUntil[i] = t + 60
                    continue
                }
                if (!plugs[i] && t < startsForS) {
                    plugs[i] = makePlug({ model: "li", soc0: 0.1 + ((seed * 7 + n * 13) % 60) / 100, seed: seed * 1000 + n })
                    powered[i] = 0
                    worstWh[i] = 0
                    n++
                    if (b.sup.start(i + 1, "o" + n, { kind: "full", value: 0 }, {}, now).ok) sessions++
                }
            }
        }
        const watts = b.sup.sockets.map((s, i) => {
            if (!b.relays[i] || !plugs[i]) return 0.2
            const p = plugs[i]!.draw(powered[i], 1, 230)
            powered[i]++
            return p
        })
        b.tick(
            now,
            watts,
            watts.map(() => 230)
        )
        // what a cut now would lose: the session's progress beyond what flash holds
        for (let i = 0; i < sockets; i++) {
            const s = b.sup.sockets[i]
            if (s.isLive()) {
                const ck = b.flash.read("ck" + (i + 1))
                const rec = b.flash.read("sess" + (i + 1))
                const savedS = ck ? ck[0] : rec ? rec.elapsedS : 0
                const savedWh = ck ? ck[1] : rec ? rec.energyWh : 0
                maxLostS = Math.max(maxLostS, s.durationS() - savedS)
                worstWh[i] = Math.max(worstWh[i], s.energy() - savedWh)
            } else if (worstWh[i] > 0) {
                // the session just ended: its record left in its ended event
                const r = lastEnded(null, i + 1, b.events)
                if (r) {
                    maxLostWh = Math.max(maxLostWh, worstWh[i])
                    if (r.energyWh > 0) maxLostShare = Math.max(maxLostShare, worstWh[i] / r.energyWh)
                    worstWh[i] = 0
                }
            }
        }
    }
    const k = (x: string) => b.flash.byKind.get(x) ?? 0
    return { sessions, writes: b.flash.writes, bytes: b.flash.bytes, kinds: `${k("ck")} checkpoints, ${k("sess")} session records, ${k("locks")} lock numbers`, maxLostS, maxLostShare, maxLostWh }
}

export function printFlashBench() {
    console.log(`\n## Flash writes a day (power-cut persistence)\n`)
    console.log(
        `rule: every running session's checkpoint when the mains goes (the meters' mains_lost, on the supply's hold-up); for a cut without that warning, a running session's checkpoint every ${CHECKPOINT_MS / 1000} s, sooner once ${CHECKPOINT_SHARE * 100}% of its energy (and ${CHECKPOINT_MIN_WH} Wh) is unsaved; its whole record on each state change; the board's lock number when a lockout changes`
    )
    console.log(`a day of back-to-back lithium charges ("full" orders, a minute between riders), one reading a second:`)
    for (const [sockets, startsH] of [
        [1, 24],
        [10, 24],
        [10, 8],
    ]) {
        const d = day(sockets, 1, startsH * 3600)
        // the settings region (an A/B pair of 8 KB): a full one is compacted into the other, erased
        // first; what stays live (pay codes, provisioning, the running sessions' records) leaves
        // only the rest of the region to fill between two compactions
        const live = settingsFlash(sockets, x => x.seen) + sockets * settingCost(RECORD_SEEN)
        const fills = d.bytes / (SETTINGS_REGION - live)
        // the two regions take turns: each of a region's pages is erased at every second fill
        const years = CYCLES / (fills / 2) / 365
        console.log(
            `- ${sockets === 1 ? "one charging socket" : startsH < 24 ? `10-socket board, riders plugging in for ${startsH} h of the day` : "10-socket board, every socket charging"}: ${d.sessions} sessions, ${d.writes} flash writes a day (${d.kinds}; deletions included), ${(d.bytes / 1024).toFixed(0)} KB a day of the settings log: it fills ${fills.toFixed(1)} times a day, each page erased ${(fills / 2).toFixed(1)} times a day, ${years.toFixed(1)} years to ${CYCLES / 1000}k erase cycles (${SETTINGS_REGION - live} B of the ${SETTINGS_REGION / 1024} KB region free beside ~${live} B live)`
        )
        console.log(
            `  a power cut with its warning loses a control tick at most (powercut.test, powercut-e2e); one without (a crash, a failed hold-up) at any second of that day would lose at most ${d.maxLostS.toFixed(0)} s of paid time and ${d.maxLostWh.toFixed(2)} Wh (at most ${(d.maxLostShare * 100).toFixed(2)}% of that session's energy)`
        )
    }
}
