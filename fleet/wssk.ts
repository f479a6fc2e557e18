// The server end of the DeviceScript runtime's update channel (WSSK): an encrypted websocket
// the runtime's firmware opens to its connection string whenever the program's own socket is
// closed. The protocol (jacdac services/wssk.md; the runtime's network/wssk.c):
// - the board opens the websocket with sub-protocol "devs-key-<32 hex client random>";
// - we send, in clear, {u32 magic, u32 version 2, 16-byte server random};
// - session key = HKDF-SHA256(board key, no salt, client random ‖ server random);
// - every later frame is AES-256-CCM with a 4-byte tag; 13-byte nonces counting up from
//   01 00.. (board) and 02 00.. (server); both sides first send 32 zero bytes as proof;
// - a frame is {u8 command, payload} both ways in runtime 2.16.4 (observed: the older gateway's
//   4-byte header makes the board read deploy_start's size from the wrong bytes); the board
//   echoes each deploy step's command, or answers 0xff on error.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto"
import { EventEmitter } from "node:events"
import type { WebSocket } from "ws"

export const WSSK_MAGIC = 0xcee428ca
const TAG = 4
const NONCE = 13
const AUTH = 32

export const Cmd = {
    SetStreaming: 0x90,
    PingDevice: 0x91,
    PingCloud: 0x92,
    GetHash: 0x93,
    DeployStart: 0x94,
    DeployWrite: 0x95,
    DeployFinish: 0x96,
    C2d: 0x97,
    D2c: 0x98,
    JacdacPacket: 0x99,
    Dmesg: 0x9a,
    ExceptionReport: 0x9b,
    Error: 0xff,
} as const

/** The board's sub-protocol header carries its random half of the session key. */
export function clientRandom(protocol: string): Buffer | null {
    const m = /^devs-key-([0-9a-f]{32})$/i.exec(protocol)
    return m ? Buffer.from(m[1], "hex") : null
}

export function sessionKey(boardKey: Buffer, client: Buffer, server: Buffer): Buffer {
    return Buffer.from(hkdfSync("sha256", boardKey, Buffer.alloc(0), Buffer.concat([client, server]), 32))
}

function nextNonce(n: Buffer) {
    for (let i = NONCE - 1; i >= 0; i--) {
        if (n[i] < 0xff) {
            n[i]++
            return
        }
        n[i] = 0
    }
}

export function seal(key: Buffer, nonce: Buffer, plain: Buffer): Buffer {
    const c = createCipheriv("aes-256-ccm", key, nonce, { authTagLength: TAG })
    const body = Buffer.concat([c.update(plain), c.final()])
    return Buffer.concat([body, c.getAuthTag()])
}

/** null when the frame was not sealed with this key and nonce */
export function open(key: Buffer, nonce: Buffer, frame: Buffer): Buffer | null {
    if (frame.length < TAG) return null
    const d = createDecipheriv("aes-256-ccm", key, nonce, { authTagLength: TAG })
    d.setAuthTag(frame.subarray(frame.length - TAG))
    const plain = d.update(frame.subarray(0, frame.length - TAG))
    try {
        d.final()
        return plain
    } catch {
        return null
    }
}

export function frame(cmd: number, payload: Buffer = Buffer.alloc(0)): Buffer {
    return Buffer.concat([Buffer.from([cmd]), payload])
}

/**
 * One board's authenticated WSSK connection. Emits "ready" once the board proved it holds the
 * key, "message" (cmd, payload) for each frame, "close" (reason) once.
 */
export class WsskSession extends EventEmitter {
    private key: Buffer
    private rxNonce = Buffer.alloc(NONCE)
    private txNonce = Buffer.alloc(NONCE)
    private authed = false
    closed = false

    constructor(
        private ws: WebSocket,
        boardKey: Buffer,
        client: Buffer
    ) {
        super()
        const server = randomBytes(16)
        this.key = sessionKey(boardKey, client, server)
        this.rxNonce[0] = 1
        this.txNonce[0] = 2
        const hello = Buffer.alloc(8 + server.length)
        hello.writeUInt32LE(WSSK_MAGIC, 0)
        hello.writeUInt32LE(2, 4)
        server.copy(hello, 8)
        ws.on("message", (data, isBinary) => this.receive(data as Buffer, isBinary))
        ws.on("close", () => this.end("closed by the board"))
        ws.on("error", e => this.end("socket error: " + e.message))
        ws.send(hello)
        this.sendPlain(Buffer.alloc(AUTH))
    }

    private receive(data: Buffer | Buffer[], isBinary: boolean) {
        if (this.closed) return
        if (!isBinary) return this.close("text frame")
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
        const plain = open(this.key, this.rxNonce, buf)
        nextNonce(this.rxNonce)
        // a board without the key cannot produce a frame that opens: the session ends there
        if (!plain) return this.close("bad authentication tag")
        if (!this.authed) {
            if (plain.length < AUTH || plain.subarray(0, 16).some(b => b !== 0)) return this.close("bad auth frame")
            this.authed = true
            this.emit("ready")
            return
        }
        if (plain.length < 1) return this.close("empty frame")
        const cmd = plain[0]
        const payload = plain.subarray(1)
        // the runtime pings every ~16 s and reconnects when no answer comes
        if (cmd === Cmd.PingCloud) this.send(Cmd.PingCloud, payload)
        this.emit("message", cmd, payload)
    }

    private sendPlain(plain: Buffer) {
        if (this.closed) return
        const sealed = seal(this.key, this.txNonce, plain)
        nextNonce(this.txNonce)
        this.ws.send(sealed)
    }

    send(cmd: number, payload?: Buffer) {
        this.sendPlain(frame(cmd, payload))
    }

    /** Sends `cmd` and resolves with the board's answer to it (its echo, or 0xff: an error). */
    request(cmd: number, payload: Buffer | undefined, ms: number): Promise<Buffer> {
        if (this.closed) return Promise.reject(new Error("connection closed"))
        return new Promise((resolve, reject) => {
            const done = (err: Error | null, p?: Buffer) => {
                clearTimeout(timer)
                this.off("message", onMsg)
                this.off("close", onClose)
                if (err) reject(err)
                else resolve(p!)
            }
            const onMsg = (c: number, p: Buffer) => {
                if (c === cmd) done(null, p)
                else if (c === Cmd.Error) done(new Error(`board refused 0x${cmd.toString(16)}: ${p.toString("utf8").replace(/\0.*$/, "")}`))
            }
            const onClose = (why: string) => done(new Error("connection closed: " + why))
            const timer = setTimeout(() => done(new Error(`no answer to 0x${cmd.toString(16)} within ${ms} ms`)), ms)
            this.on("message", onMsg)
            this.on("close", onClose)
            this.send(cmd, payload)
        })
    }

    close(reason: string) {
        if (this.closed) return
        try {
            this.ws.close(1000, reason.slice(0, 120))
        } catch {
            // already gone
        }
        this.end(reason)
    }

    private end(reason: string) {
        if (this.closed) return
        this.closed = true
        this.emit("close", reason)
    }
}

/** bytes per deploy_write: a multiple of 32 that fits the runtime's websocket frame */
export const CHUNK = 192

export interface DeployProgress {
    (sent: number, total: number): void
}

/**
 * Makes the board run `image` (padded to 32 bytes): reads its hash, and only if it differs
 * writes the image and reads the hash again. "same" means nothing was written.
 */
export async function deploy(s: WsskSession, image: Buffer, sha256: string, stepMs = 10000, progress?: DeployProgress, onStart?: () => void): Promise<"same" | "deployed"> {
    if (image.length % 32 !== 0) throw new Error("image not padded to 32 bytes")
    const before = (await s.request(Cmd.GetHash, undefined, stepMs)).subarray(0, 32).toString("hex")
    if (before === sha256) return "same"
    const size = Buffer.alloc(4)
    size.writeUInt32LE(image.length, 0)
    // from deploy_start on the board's program is gone until the new one is written whole
    onStart?.()
    await s.request(Cmd.DeployStart, size, stepMs)
    for (let at = 0; at < image.length; at += CHUNK) {
        await s.request(Cmd.DeployWrite, image.subarray(at, at + CHUNK), stepMs)
        progress?.(Math.min(at + CHUNK, image.length), image.length)
    }
    await s.request(Cmd.DeployFinish, undefined, stepMs)
    const after = (await s.request(Cmd.GetHash, undefined, stepMs)).subarray(0, 32).toString("hex")
    if (after !== sha256) throw new Error(`hash after deploy ${after.slice(0, 16)}.. is not the release's ${sha256.slice(0, 16)}..`)
    return "deployed"
}
