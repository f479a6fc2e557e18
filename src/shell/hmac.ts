// HMAC-SHA256 for the cloud protocol, on the board's native crypto: the MAC of a message is
// HMAC(key, topic "\n" head "}") where the message is head + ',"sig":"<64 hex>"}' (docs/protocol.md).
import { hmac } from "@devicescript/crypto"

export function macHex(keyHex: string, topic: string, head: Buffer | string): string {
    return hmac(Buffer.from(keyHex, "hex"), "sha256", topic, "\n", head, "}").toString("hex")
}

/** A JSON object's text with `sig` added as its last member. */
export function signed(keyHex: string, topic: string, body: string): string {
    const head = body.slice(0, body.length - 1)
    return head + ',"sig":"' + macHex(keyHex, topic, head) + '"}'
}
