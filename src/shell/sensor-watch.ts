// Reads a sensor role's reports straight from its packets. `register.subscribe` costs about
// 1 KB a role (an emitter, a handler wrapper and a second fiber for every report): on the
// 10-socket board, ten meters streaming at 10 Hz held ~9.5 KB of the 64 KB heap that way.
// A watched role costs one closure; the streaming request lives in flash.
import * as ds from "@devicescript/core"

/** Jacdac: set streaming_samples; the get-report of a sensor's reading */
const SET_STREAMING_SAMPLES = 0x2003
export const REPORT_READING = 0x1101
/** samples asked for at each refresh (199): the role is woken on every announce (~0.5 s) */
const STREAM_SAMPLES = hex`c7`

/** Called with every report (service command, payload); must not wait long. */
export type ReportHandler = (command: number, payload: Buffer) => Promise<void>

/** Keeps `role` streaming its reading and re-reads register `polled` (a get command; 0: none). */
export async function refresh(role: ds.Role, polled: number) {
    if (!role.isBound) return
    await role.sendCommand(SET_STREAMING_SAMPLES, STREAM_SAMPLES)
    if (polled) await role.sendCommand(polled)
}

/**
 * The runtime calls a role's _onPacket for each of its packets, and with none when its binding
 * changes or its server announces (the default one is what subscribe builds on): on those,
 * refresh; every report goes to `onReport`.
 */
export function watchSensor(role: ds.Role, polled: number, onReport: ReportHandler) {
    ;(role as any)._onPacket = async (pkt: ds.Packet) => {
        if (!pkt || pkt.serviceCommand === 0) await refresh(role, polled)
        else if (pkt.isReport) await onReport(pkt.serviceCommand, pkt.payload)
    }
}
