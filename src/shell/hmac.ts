// HMAC-SHA256 for the protocol core, on the board's native crypto.
import { hmac } from "@devicescript/crypto"

const HEX = "0123456789abcdef"

export function hexToBuffer(hex: string): Buffer {
    const b = Buffer.alloc(hex.length >> 1)
    for (let i = 0; i < b.length; i++) b[i] = HEX.indexOf(hex.charAt(2 * i)) * 16 + HEX.indexOf(hex.charAt(2 * i + 1))
    return b
}

export function bufferToHex(b: Buffer): string {
    let s = ""
    for (let i = 0; i < b.length; i++) s += HEX.charAt(b[i] >> 4) + HEX.charAt(b[i] & 15)
    return s
}

export function hmacHex(keyHex: string, message: string): string {
    return bufferToHex(hmac(hexToBuffer(keyHex), "sha256", message))
}
