// A session's compact power trace: per row the mean, min and max power, one byte each on a
// logarithmic scale (3.6 % steps from 0 to ~4 kW), so support staff can see why a session
// ended. A row is one minute until the trace holds TRACE_ROWS rows; then pairs of rows merge
// and a row covers twice as long (2, 4, 8, 16 minutes): the trace's heap is fixed (360 bytes a
// session, whatever its length: ten 12 h sessions at a minute a row would hold 21 KB of the
// board's 64 KB heap). Sent as hex chunks of TRACE_CHUNK_ROWS rows, one MQTT message each.

const SCALE = 19.6
const BASE_W = 0.5
/** rows a trace holds before it halves its resolution (even: rows merge in pairs) */
export const TRACE_ROWS = 120
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

export class PowerTrace {
    /** mean, min, max codes per finished row, allocated once at the first row */
    private codes: Buffer = null
    private used = 0
    /** minutes a row covers: 1, doubled each time the rows merge */
    private stepMin = 1
    private rowStart = -1
    private sumWs = 0
    private spanMs = 0
    private minW = 0
    private maxW = 0
    private lastT = -1
    private lastP = 0

    /** Feed a reading (ms, W). Gaps longer than a row repeat the last value. */
    add(t: number, p: number) {
        if (this.rowStart < 0) {
            this.rowStart = t
            this.lastT = t
            this.lastP = p
            this.minW = p
            this.maxW = p
            return
        }
        while (t - this.rowStart >= this.stepMin * 60000) {
            const end = this.rowStart + this.stepMin * 60000
            this.accumulate(end, this.lastP)
            this.closeRow()
            this.rowStart = end
            this.lastT = end
            this.minW = this.lastP
            this.maxW = this.lastP
        }
        this.accumulate(t, this.lastP)
        if (p < this.minW) this.minW = p
        if (p > this.maxW) this.maxW = p
        this.lastP = p
    }

    private accumulate(t: number, p: number) {
        const dt = t - this.lastT
        if (dt > 0) {
            this.sumWs += p * dt
            this.spanMs += dt
        }
        this.lastT = t
    }

    private closeRow() {
        if (!this.codes) this.codes = Buffer.alloc(TRACE_ROWS * 3)
        const mean = this.spanMs > 0 ? this.sumWs / this.spanMs : this.lastP
        this.codes[this.used] = traceCode(mean)
        this.codes[this.used + 1] = traceCode(this.minW)
        this.codes[this.used + 2] = traceCode(this.maxW)
        this.used += 3
        this.sumWs = 0
        this.spanMs = 0
        // full: the rows so far merge in pairs and the next row covers the new, longer step
        if (this.used >= TRACE_ROWS * 3) this.mergePairs()
    }

    /** Halves the resolution: rows 2k and 2k+1 become row k (mean of means, min, max). */
    private mergePairs() {
        const c = this.codes
        const rows = this.used / 3
        for (let k = 0; k < rows / 2; k++) {
            const a = 6 * k
            const b = a + 3
            c[3 * k] = traceCode((traceValue(c[a]) + traceValue(c[b])) / 2)
            c[3 * k + 1] = Math.min(c[a + 1], c[b + 1])
            c[3 * k + 2] = Math.max(c[a + 2], c[b + 2])
        }
        this.used = this.used / 2
        this.stepMin *= 2
    }

    /** Finished rows. */
    rows(): number {
        return this.used / 3
    }

    /** Minutes each row covers. */
    minutesPerRow(): number {
        return this.stepMin
    }

    /** Hex chunks of TRACE_CHUNK_ROWS rows each (the last one partial). */
    chunks(): string[] {
        const out: string[] = []
        const per = TRACE_CHUNK_ROWS * 3
        for (let i = 0; i < this.used; i += per) {
            // one hex conversion per chunk: building it a byte at a time (s += ...) leaves
            // ~30 KB of string garbage per hour of trace, enough to fragment the VM's heap
            const end = Math.min(i + per, this.used)
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
