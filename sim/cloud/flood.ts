// A flood of junk on a board's command topic, from a client of its own (anyone who got hold
// of broker credentials): `rate` messages a second for `ms`, QoS 0, seeded. The mix: 70% of
// ~1 KB (random bytes or JSON-looking text, 900-1100 bytes, so some just over the board's
// 1 KB command limit), 15% oversized (1.2-4 KB: over what the board takes in, under what the
// broker forwards), 15% tiny (1-64 bytes).
import { randomUUID } from "node:crypto"
import mqtt from "mqtt"
import { Rng } from "../chargers/rng"

export interface FloodSent {
    messages: number
    bytes: number
    kb1: number
    oversized: number
    tiny: number
}

function junk(rand: () => number, n: number): Buffer {
    const b = Buffer.alloc(n)
    if (rand() < 0.5) {
        for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256)
        return b
    }
    // JSON-looking: a parser has to look at it before refusing it
    const text = `{"id":"j${Math.floor(rand() * 1e9)}","ts":${Date.now()},"cmd":"stop","args":{"socket":1},"sig":"`
    b.write(text.slice(0, n))
    for (let i = text.length; i < n; i++) b[i] = 97 + Math.floor(rand() * 26)
    return b
}

/** Floods `shed/<boardId>/cmd` on the broker at `url`; resolves when the last one is written. */
export async function flood(url: string, boardId: string, rate: number, ms: number, seed = 1): Promise<FloodSent> {
    const r = new Rng(seed)
    const rand = () => r.next()
    const client = await mqtt.connectAsync(url, { clientId: "flood-" + randomUUID().slice(0, 8), reconnectPeriod: 0 })
    const topic = `shed/${boardId}/cmd`
    const sent: FloodSent = { messages: 0, bytes: 0, kb1: 0, oversized: 0, tiny: 0 }
    const t0 = Date.now()
    try {
        for (;;) {
            const el = Date.now() - t0
            if (el >= ms) break
            const due = Math.floor((rate * el) / 1000)
            while (sent.messages < due) {
                const r = rand()
                let n: number
                if (r < 0.7) {
                    n = 900 + Math.floor(rand() * 200)
                    sent.kb1++
                } else if (r < 0.85) {
                    n = 1200 + Math.floor(rand() * 2800)
                    sent.oversized++
                } else {
                    n = 1 + Math.floor(rand() * 64)
                    sent.tiny++
                }
                client.publish(topic, junk(rand, n), { qos: 0 })
                sent.messages++
                sent.bytes += n
            }
            await new Promise(r => setTimeout(r, 10))
        }
        await new Promise<void>(res => client.publish(topic, Buffer.from("x"), { qos: 0 }, () => res()))
    } finally {
        await client.endAsync()
    }
    return sent
}
