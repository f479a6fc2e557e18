// A socket's pay code as the board stores it: the QR symbol is encoded off the board (node:
// src/core/paycode-render.ts, with the encoder in src/core/qr) and reaches the board as one
// setting per socket (`qr1`..`qrN`) or the signed command `paycode`. The record, as lower-case
// hex: one byte the symbol's size in modules (21, 25 or 29: versions 1-3), the modules row by
// row, one bit each (most significant bit first, the last byte padded with zero bits), then
// FNV-1a 32 (src/core/mathx.ts) of the hex digits before it, as 8 hex digits. Version 3 is the
// largest whose record fits a setting (key + 1 + JSON <= 232 bytes: "qr10" and 224 bytes).
// The board unpacks a code only to draw it; a code that fails any check is refused whole.
import { fnv1a32 } from "./mathx"

/** a symbol size a record may hold (versions 1-3) */
function sizeOk(size: number): boolean {
    return size === 21 || size === 25 || size === 29
}

const HEX = "0123456789abcdef"

/** The setting a socket's code is stored under ("qr1".."qr10"). */
export function payCodeKey(socket: number): string {
    return "qr" + socket
}

/** hex digits of a record for a symbol of `size` modules */
export function payCodeHexLength(size: number): number {
    return 2 * (1 + ((size * size + 7) >> 3) + 4)
}

function hex8(n: number): string {
    let s = ""
    for (let i = 7; i >= 0; i--) s += HEX.charAt((n >>> (4 * i)) & 15)
    return s
}

/**
 * Packs `size` x `size` modules (row-major, non-zero dark) into a record's hex. Throws on a
 * size other than 21, 25 or 29 or a module count that does not match (node: the renderer).
 */
export function packPayCode(size: number, modules: Buffer): string {
    if (!sizeOk(size)) throw new Error("a pay code is 21, 25 or 29 modules wide (QR versions 1-3), not " + size)
    if (modules.length !== size * size) throw new Error("a " + size + "x" + size + " code has " + size * size + " modules, not " + modules.length)
    const bytes = Buffer.alloc(1 + ((size * size + 7) >> 3))
    bytes[0] = size
    for (let i = 0; i < size * size; i++) if (modules[i]) bytes[1 + (i >> 3)] |= 0x80 >> (i & 7)
    const body = bytes.toString("hex")
    return body + hex8(fnv1a32(body))
}

/**
 * What is wrong with a record ("" when it is whole): text, length, hex digits, size, check.
 * Checked in that order, cheapest first; nothing is decoded before the length is right.
 */
export function payCodeError(code: any): string {
    if (typeof code !== "string") return "not text"
    if (code.length < 2) return "too short"
    const size = HEX.indexOf(code.charAt(0)) * 16 + HEX.indexOf(code.charAt(1))
    if (HEX.indexOf(code.charAt(0)) < 0 || !sizeOk(size)) return "size " + code.slice(0, 2) + " is not 21, 25 or 29 modules"
    const len = payCodeHexLength(size)
    if (code.length !== len) return code.length + " hex digits, a " + size + "x" + size + " code has " + len
    for (let i = 0; i < len; i++) if (HEX.indexOf(code.charAt(i)) < 0) return "not lower-case hex at " + i
    if (hex8(fnv1a32(code.slice(0, len - 8))) !== code.slice(len - 8)) return "check value does not match"
    return ""
}

/** A whole record's modules: size, then one bit a module from byte 1 on (see isDark). */
export function unpackPayCode(code: string): Buffer {
    if (payCodeError(code)) return null
    return Buffer.from(code.slice(0, code.length - 8), "hex")
}

/** Module (x, y) of an unpacked code is dark. */
export function isDark(bits: Buffer, x: number, y: number): boolean {
    const i = y * bits[0] + x
    return (bits[1 + (i >> 3)] & (0x80 >> (i & 7))) !== 0
}
