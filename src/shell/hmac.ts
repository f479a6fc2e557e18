// HMAC-SHA256 for the protocol core, on the board's native crypto. Hex both ways with the
// runtime's own Buffer conversions: no per-character strings on the VM's small heap.
import { hmac } from "@devicescript/crypto"

export function hmacHex(keyHex: string, message: string): string {
    return hmac(Buffer.from(keyHex, "hex"), "sha256", message).toString("hex")
}
