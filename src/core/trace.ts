// A session's compact power trace: per minute the mean, min and max power, one byte each
// on a logarithmic scale (3.6 % steps from 0 to ~4 kW), so support staff can see why a
// session ended. 3 bytes a minute: a 12 h session is 2160 bytes, sent as hex chunks of
// 60 minutes (360 characters) that fit one MQTT message each.

const SCALE = 19.6
const BASE_W = 0.5
export const TRACE_CHUNK_MIN = 60

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
    /**
     * codes: mean, min, max per finished minute, in a byte buffer grown an hour at a time (a
     * number array costs 8 bytes a code in the VM: 17 KB for a 12 h session)
     */
    private codes: Buffer = Buffer.alloc(0)
    private used = 0
    private minuteStart = -1
    private sumWs = 0
    private spanMs = 0
    private minW = 0
    private maxW = 0
    private lastT = -1
    private lastP = 0

    constructor(readonly maxMinutes: number) {}

    /** Feed a reading (ms, W). Gaps longer than a minute repeat the last value. */
    add(t: number, p: number) {
        if (this.minuteStart < 0) {
            this.minuteStart = t
            this.lastT = t
            this.lastP = p
            this.minW = p
            this.maxW = p
            return
        }
        while (t - this.minuteStart >= 60000) {
            const end = this.minuteStart + 60000
            this.accumulate(end, this.lastP)
            this.closeMinute()
            this.minuteStart = end
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

    private closeMinute() {
        if (this.used >= this.maxMinutes * 3) return
        const mean = this.spanMs > 0 ? this.sumWs / this.spanMs : this.lastP
        if (this.used + 3 > this.codes.length) {
            const grown = Buffer.alloc(this.codes.length + TRACE_CHUNK_MIN * 3)
            for (let i = 0; i < this.used; i++) grown[i] = this.codes[i]
            this.codes = grown
        }
        this.codes[this.used] = traceCode(mean)
        this.codes[this.used + 1] = traceCode(this.minW)
        this.codes[this.used + 2] = traceCode(this.maxW)
        this.used += 3
        this.sumWs = 0
        this.spanMs = 0
    }

    minutes(): number {
        return this.used / 3
    }

    /** Hex chunks of TRACE_CHUNK_MIN minutes each (the last one partial). */
    chunks(): string[] {
        const out: string[] = []
        const per = TRACE_CHUNK_MIN * 3
        for (let i = 0; i < this.used; i += per) {
            // one hex conversion per chunk: building it a byte at a time (s += ...) leaves
            // ~30 KB of string garbage per hour of trace, enough to fragment the VM's heap
            const end = Math.min(i + per, this.used)
            out.push(this.codes.slice(i, end).toString("hex"))
        }
        return out
    }
}

/** Decode hex chunks back into per-minute {mean, min, max} (W). */
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
