// Why a session ended. One list for the whole product: the detector, the session, the
// protocol and the docs (docs/stop-reasons.md maps each to OCPP 1.6) use these strings.

/**
 * The list, for node (tests, schemas): a function, so a board's program, which writes the
 * strings where it decides, builds no table of them in its heap.
 */
export function stopReasons(): string[] {
    return [
        "full",
        "unplugged",
        "no_load",
        "overload",
        "short",
        "limit_time",
        "limit_energy",
        "max_duration",
        "remote_stop",
        "power_loss",
        "welded_relay",
        "mains_voltage",
        "over_temperature",
        "board_cap",
        "update",
        "fault",
    ]
}

/** A decision to open a relay, with the figures that triggered it. */
export interface Verdict {
    reason: string
    /** human-readable: "power under 3.1 W for 150 s after a plateau of 240 W" */
    detail: string
    /** the measured level that decided (W) */
    levelW: number
    /** the session's own plateau at that moment (W) */
    refW: number
}
