// A session's compact power trace: per row the mean, min and max power, one byte each on a
// logarithmic scale (3.6 % steps from 0 to ~4 kW), so support staff can see why a session
// ended. A row is one minute until the trace holds TRACE_ROWS rows; then pairs of rows merge
// and a row covers twice as long (2, 4, 8, 16 minutes). Only the open chunk of
// TRACE_CHUNK_ROWS rows is in the heap (90 bytes a session); finished chunks go to a
// TraceStore, the board's flash: ten sessions' 120-row traces held in RAM took 3.6 KB of the
// 64 KB heap. Sent as hex chunks, one MQTT message each.

const SCALE = 19.6
const BASE_W = 0.5
/** rows a trace holds before it halves its resolution (even: rows merge in pairs) */
export const TRACE_ROWS = 120
export const TRACE_CHUNK_ROWS = 30
const CHUNK_BYTES = TRACE_CHUNK_ROWS * 3
/** chunks a trace holds; the last one is the open chunk in RAM */
const CHUNKS = TRACE_ROWS / TRACE_CHUNK_ROWS

/** Where a trace's finished chunks wait (flash on the board). load: null when missing or unreadable. */
export interface TraceStore {
    load(socket: number, k: number): Promise<Buffer>
    save(socket: number, k: number, chunk: Buffer): Promise<void>
}

/** W -> one byte, logarithmic. */
export function traceCode(w: number): number {
    if (!(w > 0)) return 0
    const c = Math.round(SCALE * (Math.log(1 + w / BASE_W) / Math.LN2))
    return c > 255 ? 255 : c
}

/** One byte -> W (the middle of its step). */
export function traceValue(code: number): number {
    return BASE_W * (Math.pow(2, code / SCALE) - 1)
}

const HEX = "0123456789abcdef"

// A trace's state besides its codes, one number[] (8 B of heap a number, 16 as an object's field).
/** bytes of the open chunk used (3 a finished row) */
const USED = 0
/** minutes a row covers: 1, doubled each time the rows merge */
const STEP_MIN = 1
/** the open row: start (ms, -1 before the first reading), integral (W ms) and span (ms), extremes (W) */
const ROW_START = 2
const SUM_WS = 3
const SPAN_MS = 4
const MIN_W = 5
const MAX_W = 6
/** the last reading (ms, W) */
const LAST_T = 7
const LAST_P = 8
/** finished chunks in the store */
const STORED = 9

/**
 * Feed it with add(); after each add, `await spill()` moves a full open chunk to the store
 * (until then the open row just grows longer). Without a store the chunks stay in the heap.
 */
export class PowerTrace {
    /** mean, min, max codes per row of the open chunk, allocated once at the first row */
    private codes: Buffer = null
    /** indexed by the constants above */
    private s: number[] = [0, 1, -1, 0, 0, 0, 0, -1, 0, 0]
    /** finished chunks when there is no store */
    private mem: Buffer[] = null

    constructor(
        private store: TraceStore = null,
        private socket = 0
    ) {}

    /** Feed a reading (ms, W). Gaps longer than a row repeat the last value. */
    add(t: number, p: number) {
        const s = this.s
        if (s[ROW_START] < 0) {
            s[ROW_START] = t
            s[LAST_T] = t
            s[LAST_P] = p
            s[MIN_W] = p
            s[MAX_W] = p
            return
        }
        while (t - s[ROW_START] >= s[STEP_MIN] * 60000 && s[USED] < CHUNK_BYTES) {
            const end = s[ROW_START] + s[STEP_MIN] * 60000
            this.accumulate(end, s[LAST_P])
            this.closeRow()
            s[ROW_START] = end
            s[LAST_T] = end
            s[MIN_W] = s[LAST_P]
            s[MAX_W] = s[LAST_P]
        }
        this.accumulate(t, s[LAST_P])
        if (p < s[MIN_W]) s[MIN_W] = p
        if (p > s[MAX_W]) s[MAX_W] = p
        s[LAST_P] = p
    }

    private accumulate(t: number, p: number) {
        const s = this.s
        const dt = t - s[LAST_T]
        if (dt > 0) {
            s[SUM_WS] += p * dt
            s[SPAN_MS] += dt
        }
        s[LAST_T] = t
    }

    private closeRow() {
        const s = this.s
        if (!this.codes) this.codes = Buffer.alloc(CHUNK_BYTES)
        const mean = s[SPAN_MS] > 0 ? s[SUM_WS] / s[SPAN_MS] : s[LAST_P]
        const u = s[USED]
        this.codes[u] = traceCode(mean)
        this.codes[u + 1] = traceCode(s[MIN_W])
        this.codes[u + 2] = traceCode(s[MAX_W])
        s[USED] = u + 3
        s[SUM_WS] = 0
        s[SPAN_MS] = 0
    }

    /** The open chunk is full: spill() must run before more rows close. */
    spillDue(): boolean {
        return this.s[USED] >= CHUNK_BYTES
    }

    /**
     * Moves a full open chunk to the store. When the store already holds CHUNKS - 1 chunks,
     * they and the open one merge in pairs into two chunks of rows twice as long.
     */
    async spill() {
        const s = this.s
        if (s[USED] < CHUNK_BYTES) return
        if (s[STORED] < CHUNKS - 1) {
            await this.save(s[STORED], this.codes)
            s[STORED]++
        } else {
            await this.save(0, mergeRows(await this.load(0), await this.load(1)))
            await this.save(1, mergeRows(await this.load(2), this.codes))
            s[STORED] = 2
            s[STEP_MIN] *= 2
        }
        s[USED] = 0
    }

    private async load(k: number): Promise<Buffer> {
        return this.store ? await this.store.load(this.socket, k) : this.mem[k]
    }

    private async save(k: number, chunk: Buffer) {
        if (this.store) await this.store.save(this.socket, k, chunk)
        else {
            if (!this.mem) this.mem = []
            this.mem[k] = Buffer.from(chunk)
        }
    }

    /** Finished rows. */
    rows(): number {
        return this.s[STORED] * TRACE_CHUNK_ROWS + this.s[USED] / 3
    }

    /** Minutes each row covers. */
    minutesPerRow(): number {
        return this.s[STEP_MIN]
    }

    /** Hex chunks of TRACE_CHUNK_ROWS rows each (the last one partial); a chunk the store lost is left out. */
    async chunks(): Promise<string[]> {
        const s = this.s
        const out: string[] = []
        for (let k = 0; k < s[STORED]; k++) {
            const c = await this.load(k)
            if (c && c.length === CHUNK_BYTES) out.push(c.toString("hex"))
        }
        // one hex conversion per chunk: building it a byte at a time (s += ...) leaves
        // ~30 KB of string garbage per hour of trace, enough to fragment the VM's heap
        if (s[USED] > 0) out.push(this.codes.slice(0, s[USED]).toString("hex"))
        return out
    }
}

/** Two chunks of rows -> one: rows 2k and 2k+1 become row k (mean of means, min, max). */
function mergeRows(a: Buffer, b: Buffer): Buffer {
    const out = Buffer.alloc(CHUNK_BYTES)
    // a chunk the store lost merges as rows of nothing drawn
    const both = [a, b]
    for (let h = 0; h < 2; h++) {
        const c = both[h]
        for (let k = 0; k < TRACE_CHUNK_ROWS / 2; k++) {
            const i = 3 * (k + h * (TRACE_CHUNK_ROWS / 2))
            if (!c || c.length !== CHUNK_BYTES) continue
            const r = 6 * k
            out[i] = traceCode((traceValue(c[r]) + traceValue(c[r + 3])) / 2)
            out[i + 1] = Math.min(c[r + 1], c[r + 4])
            out[i + 2] = Math.max(c[r + 2], c[r + 5])
        }
    }
    return out
}

/** Decode hex chunks back into rows of {mean, min, max} (W). */
export function decodeTrace(chunks: string[]): number[][] {
    const out: number[][] = []
    let row: number[] = []
    for (let c = 0; c < chunks.length; c++) {
        const s = chunks[c]
        for (let i = 0; i + 1 < s.length; i += 2) {
            const b = HEX.indexOf(s.charAt(i)) * 16 + HEX.indexOf(s.charAt(i + 1))
            row.push(traceValue(b))
            if (row.length === 3) {
                out.push(row)
                row = []
            }
        }
    }
    return out
}
