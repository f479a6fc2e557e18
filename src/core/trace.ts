// A session's compact power trace: per row the mean, min and max power, one byte each on a
// logarithmic scale (3.6 % steps from 0 to ~4 kW), so support staff can see why a session
// ended. A row is one minute until the trace holds TRACE_ROWS rows; then pairs of rows merge
// and a row covers twice as long (2, 4, 8, 16, 32 minutes): the trace's heap is fixed (180 bytes
// a session, whatever its length: ten 12 h sessions at a minute a row would hold 21 KB of the
// board's 64 KB heap; 120 rows, 3.6 KB for ten, were more than the
// 10-socket board could spare). Sent as hex chunks of TRACE_CHUNK_ROWS rows, one MQTT message each.

const SCALE = 19.6
const BASE_W = 0.5
/** rows a trace holds before it halves its resolution (even: rows merge in pairs) */
export const TRACE_ROWS = 60
export const TRACE_CHUNK_ROWS = 60

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
/** bytes of codes used (3 a finished row) */
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

export class PowerTrace {
    /** mean, min, max codes per finished row, allocated once at the first row */
    private codes: Buffer = null
    /** indexed by the constants above */
    private s: number[] = [0, 1, -1, 0, 0, 0, 0, -1, 0]

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
        while (t - s[ROW_START] >= s[STEP_MIN] * 60000) {
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
        if (!this.codes) this.codes = Buffer.alloc(TRACE_ROWS * 3)
        const mean = s[SPAN_MS] > 0 ? s[SUM_WS] / s[SPAN_MS] : s[LAST_P]
        const u = s[USED]
        this.codes[u] = traceCode(mean)
        this.codes[u + 1] = traceCode(s[MIN_W])
        this.codes[u + 2] = traceCode(s[MAX_W])
        s[USED] = u + 3
        s[SUM_WS] = 0
        s[SPAN_MS] = 0
        // full: the rows so far merge in pairs and the next row covers the new, longer step
        if (s[USED] >= TRACE_ROWS * 3) this.mergePairs()
    }

    /** Halves the resolution: rows 2k and 2k+1 become row k (mean of means, min, max). */
    private mergePairs() {
        const s = this.s
        const c = this.codes
        const rows = s[USED] / 3
        for (let k = 0; k < rows / 2; k++) {
            const a = 6 * k
            const b = a + 3
            c[3 * k] = traceCode((traceValue(c[a]) + traceValue(c[b])) / 2)
            c[3 * k + 1] = Math.min(c[a + 1], c[b + 1])
            c[3 * k + 2] = Math.max(c[a + 2], c[b + 2])
        }
        s[USED] = s[USED] / 2
        s[STEP_MIN] *= 2
    }

    /** Finished rows. */
    rows(): number {
        return this.s[USED] / 3
    }

    /** Minutes each row covers. */
    minutesPerRow(): number {
        return this.s[STEP_MIN]
    }

    /** Hex chunks of TRACE_CHUNK_ROWS rows each (the last one partial). */
    chunks(): string[] {
        const s = this.s
        const out: string[] = []
        const per = TRACE_CHUNK_ROWS * 3
        for (let i = 0; i < s[USED]; i += per) {
            // one hex conversion per chunk: building it a byte at a time (s += ...) leaves
            // ~30 KB of string garbage per hour of trace, enough to fragment the VM's heap
            const end = Math.min(i + per, s[USED])
            out.push(this.codes.slice(i, end).toString("hex"))
        }
        return out
    }
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
