// Text to QR data bits: UTF-8 bytes, or the alphanumeric mode that packs upper-case URLs
// tighter. No numeric mode: it only takes text made of digits alone, which a pay URL never is.

export const MODE_ALNUM = 2
export const MODE_BYTE = 4

export const ALNUM_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

/** Bits of the character count field for a mode at a version (1-9 and 10-26). */
export function charCountBits(mode: number, ver: number): number {
    if (mode === MODE_ALNUM) return ver >= 10 ? 11 : 9
    return ver >= 10 ? 16 : 8
}

/** One segment covering the whole text, in the tightest mode that can carry it. */
export interface Segment {
    mode: number
    /** characters (alphanumeric) or bytes (byte mode) */
    count: number
    /** byte mode: the text's UTF-8 bytes; alphanumeric: each character's index in ALNUM_CHARS */
    data: Buffer
    /** bits of data (the mode and count fields apart) */
    bitLength: number
}

/** Appends bit fields to a byte buffer of the symbol's data capacity. */
export class BitWriter {
    /** bits written */
    length = 0
    private acc = 0

    constructor(readonly bytes: Buffer) {}

    put(value: number, len: number) {
        for (let i = len - 1; i >= 0; i--) {
            this.acc = (this.acc << 1) | ((value >>> i) & 1)
            this.length++
            if ((this.length & 7) === 0) {
                this.bytes[(this.length >> 3) - 1] = this.acc
                this.acc = 0
            }
        }
    }
}

export function makeSegment(text: string): Segment {
    const n = text.length
    const idx = Buffer.alloc(n)
    let alnum = n > 0
    for (let i = 0; alnum && i < n; i++) {
        const k = ALNUM_CHARS.indexOf(text.charAt(i))
        alnum = k >= 0
        idx[i] = k
    }
    if (alnum) return { mode: MODE_ALNUM, count: n, data: idx, bitLength: 11 * (n >> 1) + 6 * (n & 1) }
    // UTF-8, in the VM as in node
    const bytes = Buffer.from(text)
    return { mode: MODE_BYTE, count: bytes.length, data: bytes, bitLength: 8 * bytes.length }
}

/** Data fields of the segment: a byte each, or a pair of characters (the last may be alone). */
export function fieldCount(seg: Segment): number {
    return seg.mode === MODE_ALNUM ? (seg.count + 1) >> 1 : seg.count
}

/** Writes data fields from..to-1. */
export function writeFields(seg: Segment, w: BitWriter, from: number, to: number) {
    const d = seg.data
    for (let f = from; f < to; f++) {
        if (seg.mode !== MODE_ALNUM) w.put(d[f], 8)
        else if (2 * f + 1 < seg.count) w.put(d[2 * f] * 45 + d[2 * f + 1], 11)
        else w.put(d[2 * f], 6)
    }
}

/** Total bits of the segment at a version, or -1 when its count does not fit the field. */
export function segmentBits(seg: Segment, ver: number): number {
    const cc = charCountBits(seg.mode, ver)
    if (seg.count >= 1 << cc) return -1
    return 4 + cc + seg.bitLength
}
