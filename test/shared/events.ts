// A session keeps only its last stop reason (for the screen): its record leaves in its "ended"
// event. Written in the portable subset, like scenarios.ts, which uses it in the VM too.

import { SessionRecord, SocketEvent } from "../../src/core/session"
import { Supervisor } from "../../src/core/supervisor"

/**
 * The record of socket `socket`'s last "ended" event among `kept`, null if none. The supervisor's
 * events (`sup`, when given) are drained onto `kept` first, every one in order: a caller that also
 * needs the other events reads them there, and one that drains the supervisor elsewhere pushes
 * what it took onto `kept` and passes no `sup`.
 */
export function lastEnded(sup: Supervisor, socket: number, kept: SocketEvent[]): SessionRecord {
    if (sup) {
        const e = sup.takeEvents()
        for (let i = 0; i < e.length; i++) kept.push(e[i])
    }
    for (let i = kept.length - 1; i >= 0; i--) if (kept[i].kind === "ended" && kept[i].socket === socket) return kept[i].record
    return null
}
