// The service button, for a technician at the shed: a short press steps the display through
// the sockets and says what each is doing; a long press clears the selected socket's locked
// fault (or suspect mark), only when it draws nothing (the core's own clear rule).
import { Supervisor } from "./supervisor"

/** a press shorter than this is "next socket" (ms) */
export const PRESS_NEXT_MAX_MS = 1000
/** a press at least this long is "clear" (ms); in between does nothing (a hesitant press) */
export const PRESS_CLEAR_MIN_MS = 2000

export interface PressResult {
    /** the socket selected (1..N), 0 for none */
    focus: number
    /** what to show (the display's header, the log); empty when the press did nothing */
    message: string
}

function summary(sup: Supervisor, n: number): string {
    const s = sup.socket(n)
    let t = "S" + n + " " + s.state
    if (s.state === "faulted") t += " " + s.fault
    if (s.suspect()) t += " suspect"
    return t
}

export function servicePress(sup: Supervisor, focus: number, pressMs: number): PressResult {
    const n = sup.sockets.length
    if (pressMs < PRESS_NEXT_MAX_MS) {
        const next = (focus % n) + 1
        return { focus: next, message: summary(sup, next) }
    }
    if (pressMs < PRESS_CLEAR_MIN_MS) return { focus: focus, message: "" }
    if (focus < 1) return { focus: 0, message: "press briefly to pick a socket" }
    const s = sup.socket(focus)
    const r = s.clear(s.drawW())
    return { focus: focus, message: r.ok ? "S" + focus + " cleared" : "S" + focus + " not cleared: " + r.error }
}
