// Reads a sensor role's reports straight from its packets. `register.subscribe` costs about
// 1 KB a role (an emitter, a handler wrapper and a second fiber for every report): on the
// 10-socket board, ten meters streaming at 10 Hz held ~9.5 KB of the 64 KB heap that way.
import * as ds from "@devicescript/core"

/** Jacdac: set streaming_samples; the get-report of a sensor's reading */
const SET_STREAMING_SAMPLES = 0x2003
export const REPORT_READING = 0x1101
/** samples asked for at each refresh: the role is woken on every announce (~0.5 s) */
const STREAM_SAMPLES = 199

/** Called with every report (service command, payload); must not wait long. */
export type ReportHandler = (command: number, payload: Buffer) => Promise<void>

/**
 * Keeps `role` streaming its reading and re-reads the `polled` registers (get commands,
 * 0x1000 | register) on every announce of its server; every report goes to `onReport`.
 */
export function watchSensor(role: ds.Role, polled: number[], onReport: ReportHandler) {
    const samples = Buffer.alloc(1)
    samples[0] = STREAM_SAMPLES
    // the runtime calls a role's _onPacket for each of its packets, and with none when its
    // binding changes or its server announces: the default one is what subscribe builds on
    const r = role as any
    r._onPacket = async (pkt: ds.Packet) => {
        if (!pkt || pkt.serviceCommand === 0) {
            if (!role.isBound) return
            await role.sendCommand(SET_STREAMING_SAMPLES, samples)
            for (let k = 0; k < polled.length; k++) await role.sendCommand(polled[k])
            return
        }
        if (pkt.isReport) await onReport(pkt.serviceCommand, pkt.payload)
    }
}
