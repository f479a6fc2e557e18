// Events from the board (shed/<board>/event, shed/<board>/telemetry): small JSON with compact
// keys, server time where the board has it. A billing record must fit one settings record
// (232 bytes with its outbox wrapping), so `session_ended` carries the reason and the figures
// that decided it as numbers; the human-readable detail goes in a separate best-effort event.

import { roundTo } from "../mathx"
import { SessionRecord } from "../session"

/** Largest body of a persisted event: the setting key ("ob15") and its separator take 5 of 232. */
export const BILLING_BODY_MAX = 227

/** `boot`: this boot's nonce, which every command must carry from now on (docs/protocol.md). */
export function bootEvent(version: string, board: string, sockets: number, configHash: string, resumed: number, boot: string): string {
    return JSON.stringify({ t: "boot", boot: boot, ver: version, board: board, sockets: sockets, cfg: configHash, resumed: resumed })
}

export function startedEvent(order: string, socket: number, ts: number): string {
    return JSON.stringify({ t: "started", order: order, socket: socket, ts: ts })
}

/**
 * The billing record; its start is `end - s` (server ms), left out to fit one setting. `toServer` maps board ms to server ms (-1 when the clock is not
 * anchored: the backend then uses its receive time).
 */
export function endedEvent(eid: string, r: SessionRecord, toServer: (ms: number) => number): string {
    const body = {
        t: "ended",
        eid: eid,
        order: r.order,
        socket: r.socket,
        reason: r.reason,
        wh: roundTo(r.energyWh, 1),
        s: r.durationS,
        peak: roundTo(r.peakW, 0),
        end: toServer(r.endT),
        full: r.fullAtS,
        top: r.topOffS,
        lvl: roundTo(r.levelW, 1),
        ref: roundTo(r.refW, 0),
    }
    return JSON.stringify(body)
}

export function explainEvent(eid: string, detail: string): string {
    return JSON.stringify({ t: "why", eid: eid, detail: detail.length > 200 ? detail.slice(0, 200) : detail })
}

export function faultEvent(eid: string, socket: number, kind: string, detail: string, ts: number): string {
    return JSON.stringify({ t: "fault", eid: eid, socket: socket, kind: kind, detail: detail.length > 100 ? detail.slice(0, 100) : detail, ts: ts })
}

export function stateEvent(socket: number, state: string, ts: number): string {
    return JSON.stringify({ t: "state", socket: socket, state: state, ts: ts })
}

export function telemetryEvent(socket: number, w: number, wh: number, v: number, ts: number): string {
    return JSON.stringify({ t: "tm", socket: socket, w: roundTo(w, 1), wh: roundTo(wh, 1), v: roundTo(v, 0), ts: ts })
}

/** One chunk of an ended session's power trace (best effort, after its billing record). */
export function traceEvent(eid: string, index: number, count: number, minutesPerRow: number, hex: string): string {
    return JSON.stringify({ t: "trace", eid: eid, i: index, n: count, min: minutesPerRow, hex: hex })
}

/** A fault record the outbox gave up to keep a billing record: it will not be resent. */
/** A protection about to act (best effort; the fault follows if the condition lasts). */
export function warningEvent(socket: number, kind: string, detail: string, ts: number): string {
    return JSON.stringify({ t: "warning", socket: socket, kind: kind, detail: detail.length > 100 ? detail.slice(0, 100) : detail, ts: ts })
}

/** The board goes quiet for an update window of `windowS` seconds (MQTT closed meanwhile). */
export function quietEvent(windowS: number, ts: number): string {
    return JSON.stringify({ t: "quiet", s: windowS, ts: ts })
}

export function lostEvent(eid: string, ts: number): string {
    return JSON.stringify({ t: "lost", eid: eid, ts: ts })
}
