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
    let line = n + " " + t
    // a narrow cell (the TFT's, 10 characters): "1 120W 720m" becomes "1 120W720m"
    if (line.length > maxChars && state === "charging") line = n + " " + Math.round(watts / 5) * 5 + "W" + Math.floor(minutes) + "m"
    return line.length > maxChars ? line.slice(0, maxChars) : line
}

/** The header: board id and whether the cloud is reachable (paying needs it). */
export function headerLine(board: string, online: boolean, maxChars: number): string {
    const line = board + (online ? " online" : " OFFLINE")
    return line.length > maxChars ? line.slice(0, maxChars) : line
}

/**
 * What a line means, for a colour screen (the shell maps each tone to a colour; a monochrome
 * screen ignores it): plain text, a free socket, one waiting for its charger, one charging, a
 * full battery, a fault or the board offline.
 */
export const TONE_TEXT = 0
export const TONE_FREE = 1
export const TONE_WAITING = 2
export const TONE_CHARGING = 3
export const TONE_FULL = 4
export const TONE_ALERT = 5

/** The tone of a socket's line; `note` as for socketLine. */
export function socketTone(state: string, note: string): number {
    if (state === "idle") return TONE_FREE
    if (state === "reserved") return TONE_WAITING
    if (state === "charging") return TONE_CHARGING
    if (state === "faulted") return TONE_ALERT
    if (state === "ended" && note === "full") return TONE_FULL
    return TONE_TEXT
}

/** The header's tone: plain when the cloud is reachable, an alert when not (paying needs it). */
export function headerTone(online: boolean): number {
    return online ? TONE_TEXT : TONE_ALERT
}
