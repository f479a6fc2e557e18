// Text to QR data bits: UTF-8 bytes, and the numeric / alphanumeric modes that pack digits
// and upper-case URLs tighter.

export const MODE_NUMERIC = 1
export const MODE_ALNUM = 2
export const MODE_BYTE = 4

export const ALNUM_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

/** Bits of the character count field for a mode at a version (1-9 and 10-26). */
export function charCountBits(mode: number, ver: number): number {
    const big = ver >= 10
    if (mode === MODE_NUMERIC) return big ? 12 : 10
    if (mode === MODE_ALNUM) return big ? 11 : 9
    return big ? 16 : 8
}

export function utf8Bytes(s: string): number[] {
    const out: number[] = []
    for (let i = 0; i < s.length; i++) {
        let c = s.charCodeAt(i)
        if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
            const d = s.charCodeAt(i + 1)
            if (d >= 0xdc00 && d < 0xe000) {
                c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
                i++
            }
        }
        if (c < 0x80) out.push(c)
        else if (c < 0x800) {
            out.push(0xc0 | (c >> 6))
            out.push(0x80 | (c & 63))
        } else if (c < 0x10000) {
            out.push(0xe0 | (c >> 12))
            out.push(0x80 | ((c >> 6) & 63))
            out.push(0x80 | (c & 63))
        } else {
            out.push(0xf0 | (c >> 18))
            out.push(0x80 | ((c >> 12) & 63))
            out.push(0x80 | ((c >> 6) & 63))
            out.push(0x80 | (c & 63))
        }
    }
    return out
}

function isNumeric(s: string): boolean {
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i)
        if (c < 48 || c > 57) return false
    }
    return true
}

function isAlnum(s: string): boolean {
    for (let i = 0; i < s.length; i++) if (ALNUM_CHARS.indexOf(s.charAt(i)) < 0) return false
    return true
}

/** One segment covering the whole text, in the tightest mode that can carry it. */
export interface Segment {
    mode: number
    /** characters (numeric/alnum) or bytes (byte mode) */
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
    if (text.length > 0 && isNumeric(text)) {
        const seg: Segment = { mode: MODE_NUMERIC, count: text.length, parts: [], bitLength: 0 }
        for (let i = 0; i < text.length; i += 3) {
            const end = Math.min(i + 3, text.length)
            let v = 0
            for (let k = i; k < end; k++) v = v * 10 + (text.charCodeAt(k) - 48)
            field(seg, v, (end - i) * 3 + 1)
        }
        return seg
    }
    if (text.length > 0 && isAlnum(text)) {
        const seg: Segment = { mode: MODE_ALNUM, count: text.length, parts: [], bitLength: 0 }
        let i = 0
        for (; i + 2 <= text.length; i += 2) field(seg, ALNUM_CHARS.indexOf(text.charAt(i)) * 45 + ALNUM_CHARS.indexOf(text.charAt(i + 1)), 11)
        if (i < text.length) field(seg, ALNUM_CHARS.indexOf(text.charAt(i)), 6)
        return seg
    }
    const bytes = utf8Bytes(text)
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
