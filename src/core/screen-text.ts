// What each socket's cell on the shed's display says, in as few characters as the cell has.
// Pure: the shell draws the strings.

/**
 * "3 free", "3 plug in", "3 120W 45m", "3 full", "3 FAULT short", cut to `maxChars`; `note` is
 * the last session's stop reason (ended) or the fault (faulted).
 */
export function socketLine(n: number, state: string, watts: number, minutes: number, note: string, maxChars: number): string {
    let t = ""
    if (state === "idle") t = "free"
    else if (state === "reserved") t = "plug in"
    // to 5 W: the line (and the screen) changes when the draw does, not with meter noise
    else if (state === "charging") t = Math.round(watts / 5) * 5 + "W " + Math.floor(minutes) + "m"
    else if (state === "ended") t = note
    else if (state === "faulted") t = "FAULT " + note
    else t = state
    const line = n + " " + t
    return line.length > maxChars ? line.slice(0, maxChars) : line
}

/** The header: board id and whether the cloud is reachable (paying needs it). */
export function headerLine(board: string, online: boolean, maxChars: number): string {
    const line = board + (online ? " online" : " OFFLINE")
    return line.length > maxChars ? line.slice(0, maxChars) : line
}
