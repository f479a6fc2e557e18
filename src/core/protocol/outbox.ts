// At-least-once outbox for what the backend must receive: billing records (session ended)
// and faults are persisted, one settings record each, and resent with back-off until the
// backend acks their event id. Telemetry is not queued here: it is live state, read from the
// sessions when it is sent (ten sockets' messages queued at once held ~2 KB of heap).
// Pure: it says which settings to write or delete; the shell does the flash I/O. Once the
// shell says a record is in flash (inFlash), its text leaves RAM and the shell reads it back
// from its slot to send it: sixteen records waiting through a network outage would otherwise
// hold ~4 KB of the board's 64 KB heap.

export type OutboxKind = "billing" | "fault"

export interface OutboxItem {
    eid: string
    kind: OutboxKind
    /** the JSON payload to publish; null once it is in flash under slotKey(slot) */
    body: string
    /** its settings slot */
    slot: number
    tries: number
    nextT: number
}

/** A settings operation for the shell: write `value` under `key`, or delete it (value null). */
export interface FlashOp {
    key: string
    value: string
}

/** Persisted records live in settings keys ob0..ob(SLOTS-1). */
export const OUTBOX_SLOTS = 16
/** key + 1 + value must stay within the runtime's 232-byte setting limit */
export const SETTING_LIMIT = 232

const BACKOFF_MIN_MS = 5000
const BACKOFF_MAX_MS = 300000

export function slotKey(i: number): string {
    return "ob" + i
}

export interface EnqueueResult {
    ok: boolean
    ops: FlashOp[]
    error?: string
    /** a fault record given up to keep a billing record (report it: it will not be resent) */
    displaced?: string
}

export class Outbox {
    /** persisted items by slot (null: free) */
    private slots: OutboxItem[] = []

    constructor() {
        for (let i = 0; i < OUTBOX_SLOTS; i++) this.slots.push(null)
    }

    /**
     * A new session may start: its billing record and those of the `running` sessions will all
     * find a slot (free, or a fault's).
     * The board refuses new sessions when false, so no billing record is ever made that could
     * not be kept.
     */
    canAcceptBilling(running: number): boolean {
        // every running session will need a slot for its record when it ends
        let room = 0
        for (let i = 0; i < this.slots.length; i++) if (!this.slots[i] || this.slots[i].kind === "fault") room++
        return room > running
    }

    /** `body`: the event JSON; persisted kinds must carry their `eid` and type `t` in it. */
    enqueue(eid: string, kind: OutboxKind, body: string, now: number): EnqueueResult {
        const item: OutboxItem = { eid: eid, kind: kind, body: body, slot: -1, tries: 0, nextT: now }
        // the record is the body itself (it carries its eid and its type "t"): no wrapping, so
        // a billing record can use the whole setting
        const record = body
        if (slotKey(OUTBOX_SLOTS - 1).length + 1 + record.length > SETTING_LIMIT)
            return { ok: false, ops: [], error: "record of " + record.length + " bytes over the " + SETTING_LIMIT + "-byte setting limit" }
        for (let i = 0; i < this.slots.length; i++) if (this.slots[i] && this.slots[i].eid === eid) return { ok: true, ops: [] }
        let slot = this.freeSlot()
        let displaced: string = null
        if (slot < 0 && kind === "billing") {
            slot = this.oldestFaultSlot()
            if (slot >= 0) displaced = this.slots[slot].eid
        }
        if (slot < 0) return { ok: false, ops: [], error: "outbox full: " + OUTBOX_SLOTS + " records waiting for their ack" }
        item.slot = slot
        this.slots[slot] = item
        return { ok: true, ops: [{ key: slotKey(slot), value: record }], displaced: displaced }
    }

    private freeSlot(): number {
        for (let i = 0; i < this.slots.length; i++) if (!this.slots[i]) return i
        return -1
    }

    private oldestFaultSlot(): number {
        for (let i = 0; i < this.slots.length; i++) if (this.slots[i] && this.slots[i].kind === "fault") return i
        return -1
    }

    /** The next item due for (re)sending, or null. Marks it sent and schedules its retry. */
    nextToSend(now: number): OutboxItem {
        let best: OutboxItem = null
        for (let i = 0; i < this.slots.length; i++) {
            const it = this.slots[i]
            if (it && it.nextT <= now && (!best || it.nextT < best.nextT)) best = it
        }
        if (!best) return null
        best.tries++
        let delay = BACKOFF_MIN_MS
        for (let k = 1; k < best.tries && delay < BACKOFF_MAX_MS; k++) delay *= 2
        best.nextT = now + Math.min(delay, BACKOFF_MAX_MS)
        return best
    }

    /** The record `eid` was written to flash: its text may leave RAM (read back from its slot). */
    inFlash(eid: string) {
        for (let i = 0; i < this.slots.length; i++) if (this.slots[i] && this.slots[i].eid === eid) this.slots[i].body = null
    }

    /** The link came back: resend everything now. */
    retryAll(now: number) {
        for (let i = 0; i < this.slots.length; i++) if (this.slots[i]) this.slots[i].nextT = now
    }

    /** The backend acked these event ids: forget them and delete their records. */
    ack(eids: string[]): FlashOp[] {
        const ops: FlashOp[] = []
        for (let i = 0; i < this.slots.length; i++) {
            const it = this.slots[i]
            if (it && eids.indexOf(it.eid) >= 0) {
                this.slots[i] = null
                ops.push({ key: slotKey(i), value: null })
            }
        }
        return ops
    }

    /** Event ids waiting for an ack. */
    pending(): string[] {
        const out: string[] = []
        for (let i = 0; i < this.slots.length; i++) if (this.slots[i]) out.push(this.slots[i].eid)
        return out
    }

    /**
     * Rebuild from flash at boot. A corrupt record is reported and its slot freed (delete op);
     * it never stops the boot.
     */
    restore(read: (key: string) => string, now: number): { ops: FlashOp[]; corrupt: string[] } {
        const ops: FlashOp[] = []
        const corrupt: string[] = []
        for (let i = 0; i < OUTBOX_SLOTS; i++) {
            const raw = read(slotKey(i))
            if (raw === null || raw === undefined) continue
            let rec: any = null
            try {
                rec = typeof raw === "string" ? JSON.parse(raw) : raw
            } catch (e) {
                rec = null
            }
            const ok = rec !== null && typeof rec === "object" && typeof rec.eid === "string" && typeof rec.t === "string"
            if (!ok) {
                corrupt.push(slotKey(i))
                ops.push({ key: slotKey(i), value: null })
                continue
            }
            // the record is in flash already: its text stays there
            this.slots[i] = { eid: rec.eid, kind: rec.t === "fault" ? "fault" : "billing", body: null, slot: i, tries: 0, nextT: now }
        }
        return { ops: ops, corrupt: corrupt }
    }
}
