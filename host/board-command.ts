// Commands to a board as it accepts them, and their replies. A command is signed with
// HMAC-SHA256 under the board's key over the canonical text of {id, ts, cmd, args} and the
// board id (src/core/protocol/canonical.ts); the board answers on shed/<id>/reply under the same
// id. The operator's backend (simulated) and the fleet update server both send this way.
import { createHmac } from "node:crypto"
import type { MqttClient } from "mqtt"
import { signedText } from "../src/core/protocol/canonical"

export function signCommand(boardId: string, keyHex: string, cmd: object): string {
    const sig = createHmac("sha256", Buffer.from(keyHex, "hex")).update(signedText(boardId, cmd as any), "utf8").digest("hex")
    return JSON.stringify({ ...cmd, sig })
}

/** Commands waiting for their reply, by id. */
export class CommandReplies {
    private waiting = new Map<string, (r: any) => void>()

    /**
     * Publishes a signed command and resolves with its reply, or null after `ms`. While the
     * broker is away mqtt.js holds the publish until it reconnects: the reply's own timeout
     * decides, never a publish left pending.
     */
    send(client: MqttClient, boardId: string, keyHex: string, id: string, cmd: string, args: object, ms: number): Promise<any | null> {
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
        client.publishAsync(`shed/${boardId}/cmd`, signCommand(boardId, keyHex, { id, ts: Date.now(), cmd, args })).catch(() => {})
        return reply
    }

    /** A reply as the board published it; false when nobody here waits for its id. */
    deliver(m: any): boolean {
        const w = this.waiting.get(m?.id)
        if (!w) return false
        this.waiting.delete(m.id)
        w(m)
        return true
    }
}
