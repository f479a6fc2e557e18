// The clock a board judges its meters' silence on: wall time while the program runs, never its
// own stall. A program starved of its CPU (a flood of commands, a loaded host) finds its meters'
// readings still queued when it runs again, and must not take its stall for their silence. But
// a tick waiting on the flash is no stall: the other meters' readings go on arriving, and each
// one moves the clock, so a meter that does go silent is still cut on time.
// Three numbers, not an object (heap on the 10-socket board): [clock, last run, paused until], ms.

/** Longest step (ms) the clock takes between two runs of the program (two control periods). */
export const RUN_STEP_MS = 200
/** A gap between two runs longer than this (ms) is a stall (a meter's silence limit). */
export const STALL_MS = 1000
/**
 * After a stall, how long (ms) the clock stands still: a stall over a second can outlast the
 * runtime's patience with the bus's devices; it drops them and binds them again (~1 s).
 */
export const REBIND_MS = 1500

/** A clock started at wall time `real` (ms). */
export function newRunClock(real: number): number[] {
    return [0, real, 0]
}

/**
 * The program runs (a tick, or any meter's reading) at wall time `real`: the clock (ms) moved
 * on. It stands still for REBIND_MS after a stall (never back: a silent meter stays silent),
 * and runs REBIND_MS between two pauses: a board starved again and again still cuts a meter
 * that is silent.
 */
export function runClock(c: number[], real: number): number {
    const gap = real - c[1]
    c[1] = real
    if (gap > STALL_MS && real - c[2] > REBIND_MS) c[2] = real + REBIND_MS
    // (a time before the last: no step; the board's millis never goes back, but a clock that
    // could would unsilence a meter)
    if (real > c[2] && gap > 0) c[0] += Math.min(gap, RUN_STEP_MS)
    return c[0]
}
