// Signed messages both ways, node side (docs/protocol.md "Signatures"). Every message but the
// presence text on `online` is a JSON object whose last member is `"sig":"<64 hex>"`: HMAC-SHA256
// under the board's key over the topic, "\n", and the message's bytes before `,"sig":"` closed by
// "}". Commands go to shed/<id>/cmd carrying the board's boot nonce (`boot`); the board answers on
// shed/<id>/reply under the same id. The operator's backend (simulated) and the fleet update
// server both send this way, and verify what the board sends before acting on it.
import { createHmac, timingSafeEqual } from "node:crypto"
import type { MqttClient } from "mqtt"

/** `,"sig":"` + 64 hex digits + `"}` */
export const SIG_TAIL = 74

export function macHex(keyHex: string, topic: string, head: Buffer | string): string {
    return createHmac("sha256", Buffer.from(keyHex, "hex"))
        .update(topic + "\n")
        .update(head)
        .update("}")
        .digest("hex")
}

/** A message as the board or the backend publishes it: `body`'s JSON with `sig` its last member. */
export function signMessage(topic: string, keyHex: string, body: object | string): string {
    const text = typeof body === "string" ? body : JSON.stringify(body)
    if (!text.endsWith("}") || text.length < 3) throw new Error("only a JSON object with members is signed")
    const head = text.slice(0, -1)
    return head + ',"sig":"' + macHex(keyHex, topic, head) + '"}'
}

/**
 * The message if `payload` is signed with `keyHex` for `topic`: verified on its bytes before
 * anything parses them; its `sig` left out. Null when the signature is absent or wrong.
 */
export function openMessage(topic: string, keyHex: string, payload: Buffer | string): any | null {
    const raw = Buffer.isBuffer(payload) ? payload : Buffer.from(payload)
    const h = raw.length - SIG_TAIL
    if (h < 1 || raw.subarray(h, h + 8).toString("latin1") !== ',"sig":"' || raw[h + 72] !== 0x22 || raw[h + 73] !== 0x7d) return null
    const want = Buffer.from(macHex(keyHex, topic, raw.subarray(0, h)))
    if (!timingSafeEqual(want, raw.subarray(h + 8, h + 72))) return null
    try {
        const m = JSON.parse(raw.toString())
        if (m === null || typeof m !== "object" || Array.isArray(m)) return null
        delete m.sig
        return m
    } catch {
        return null
    }
}

export function signCommand(boardId: string, keyHex: string, cmd: object): string {
    return signMessage(`shed/${boardId}/cmd`, keyHex, cmd)
}

/** Commands waiting for their reply, by id; the boards' boot nonces as last learned. */
export class CommandReplies {
    private waiting = new Map<string, (r: any) => void>()
    private boots = new Map<string, string>()

    /** The board's boot nonce, from its verified `boot` event or any verified reply. */
    noteBoot(boardId: string, boot: unknown) {
        if (typeof boot === "string") this.boots.set(boardId, boot)
    }

    boot(boardId: string): string | undefined {
        return this.boots.get(boardId)
    }

    /**
     * Publishes a signed command (with the board's boot nonce as known) and resolves with its
     * reply, or null after `ms`. A `wrong_boot` refusal carries the board's nonce: the command is
     * sent once more with it. While the broker is away mqtt.js holds the publish until it
     * reconnects: the reply's own timeout decides, never a publish left pending.
     */
    async send(client: MqttClient, boardId: string, keyHex: string, id: string, cmd: string, args: object, ms: number): Promise<any | null> {
        const r = await this.sendOnce(client, boardId, keyHex, id, cmd, args, ms)
        if (r?.error !== "wrong_boot" || typeof r.boot !== "string") return r
        return this.sendOnce(client, boardId, keyHex, id, cmd, args, ms)
    }

    private sendOnce(client: MqttClient, boardId: string, keyHex: string, id: string, cmd: string, args: object, ms: number): Promise<any | null> {
        const reply = new Promise<any | null>(res => {
            const t = setTimeout(() => {
                this.waiting.delete(id)
                res(null)
            }, ms)
            this.waiting.set(id, r => {
                clearTimeout(t)
                res(r)
            })
        })
        const body = { id, ts: Date.now(), boot: this.boots.get(boardId) ?? "", cmd, args }
        client.publishAsync(`shed/${boardId}/cmd`, signCommand(boardId, keyHex, body)).catch(() => {})
        return reply
    }

    /** A verified reply of board `boardId`; false when nobody here waits for its id. */
    deliver(boardId: string, m: any): boolean {
        this.noteBoot(boardId, m?.boot)
        const w = this.waiting.get(m?.id)
        if (!w) return false
        this.waiting.delete(m.id)
        w(m)
        return true
    }
}
