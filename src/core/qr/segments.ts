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

function isAlnum(s: string): boolean {
    for (let i = 0; i < s.length; i++) if (ALNUM_CHARS.indexOf(s.charAt(i)) < 0) return false
    return true
}

/** One segment covering the whole text, in the tightest mode that can carry it. */
export interface Segment {
    mode: number
    /** characters (alphanumeric) or bytes (byte mode) */
    count: number
    /** data as (value, bit length) pairs, MSB first: compact, so the VM does little work */
    parts: number[]
    bitLength: number
}

/** Appends bit fields to a byte array. */
export class BitWriter {
    bytes: number[] = []
    length = 0
    private acc = 0

    put(value: number, len: number) {
        for (let i = len - 1; i >= 0; i--) {
            this.acc = (this.acc << 1) | ((value >>> i) & 1)
            this.length++
            if ((this.length & 7) === 0) {
                this.bytes.push(this.acc)
                this.acc = 0
            }
        }
    }
}

function field(seg: Segment, value: number, len: number) {
    seg.parts.push(value)
    seg.parts.push(len)
    seg.bitLength += len
}

export function makeSegment(text: string): Segment {
    if (text.length > 0 && isAlnum(text)) {
        const seg: Segment = { mode: MODE_ALNUM, count: text.length, parts: [], bitLength: 0 }
        let i = 0
        for (; i + 2 <= text.length; i += 2) field(seg, ALNUM_CHARS.indexOf(text.charAt(i)) * 45 + ALNUM_CHARS.indexOf(text.charAt(i + 1)), 11)
        if (i < text.length) field(seg, ALNUM_CHARS.indexOf(text.charAt(i)), 6)
        return seg
    }
    // UTF-8, in the VM as in node
    const bytes = Buffer.from(text)
    const seg: Segment = { mode: MODE_BYTE, count: bytes.length, parts: [], bitLength: 0 }
    for (let i = 0; i < bytes.length; i++) field(seg, bytes[i], 8)
    return seg
}

/** Total bits of the segment at a version, or -1 when its count does not fit the field. */
export function segmentBits(seg: Segment, ver: number): number {
    const cc = charCountBits(seg.mode, ver)
    if (seg.count >= 1 << cc) return -1
    return 4 + cc + seg.bitLength
}
