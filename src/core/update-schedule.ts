// When the board opens an update window on its own: every `everyH` hours of its own uptime,
// and only with no socket charging (an update command can force one; a schedule never does).
// A window that could not open because sockets were busy opens as soon as they are free.
// Without it a board whose cloud link works but whose backend never asks would never update.

/** board ms of the last window (or of boot) and now; everyH 0: no schedule */
export function scheduledWindowDue(nowMs: number, lastWindowMs: number, everyH: number, live: number): boolean {
    if (everyH <= 0 || live > 0) return false
    return nowMs - lastWindowMs >= everyH * 3600000
}
