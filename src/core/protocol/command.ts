// Commands from the backend on shed/<board>/cmd: `{ id, ts, boot, cmd, args, ..., "sig": "<64 hex>" }`
// with `sig` the last member. The signature covers the payload's bytes (and the topic), so it is
// checked before anything reads them: only a length check and the HMAC run on unauthenticated
// input; then a flat scan bounds the nesting, then JSON.parse. Order: size, signature, depth,
// JSON, envelope, boot nonce, staleness, replay, then the command's args. A refused command gets
// a named error and changes nothing.

import { checkCal } from "../metering"
import { bad, checkShape, isInt, isObject, ShapeError } from "../shape"
import { ServerClock } from "./server-clock"
import { ReplayGuard } from "./replay-guard"

/**
 * Every error a command can get back, for node (tests, schemas): a function, so the board's
 * program builds no table of them in its heap.
 */
export function commandErrors(): string[] {
    return [
        "malformed",
        "too_large",
        "bad_signature",
        "wrong_boot",
        "stale",
        "replayed",
        "unknown_command",
        "unknown_socket",
        "bad_limit",
        "bad_args",
        // decided later by the sessions and the board
        "socket_busy",
        "socket_faulted",
        "socket_suspect",
        "duplicate_order",
        "mains_out_of_range",
        "over_temperature",
        "board_busy",
        "outbox_full",
        "bad_power_cap",
        "bad_top_off",
        "bad_profile",
        "not_running",
        "not_faulted",
        "socket_drawing",
        "bad_config",
        "bad_calibration",
        "busy",
        "not_supported",
    ]
}

export const COMMANDS = ["start", "stop", "status", "config", "clear", "update", "ack", "calibrate", "paycode"]

export interface Command {
    id: string
    ts: number
    cmd: string
    args: any
}

export interface ParseContext {
    /** the command topic, shed/<board>/cmd: signed with the payload */
    topic: string
    keyHex: string
    /** this boot's nonce: a command must carry it as `boot` */
    boot: string
    /** board milliseconds now */
    nowMs: number
    sockets: number
    maxBytes: number
    /** how far a command's server time may be from ours (ms) */
    staleMs: number
    /** HMAC-SHA256 (hex) over `topic` "\n" `head` "}" */
    mac: (keyHex: string, topic: string, head: Buffer) => string
    clock: ServerClock
    replay: ReplayGuard
}

export interface ParseResult {
    ok: boolean
    command?: Command
    error?: string
    /** the command id when it could be read, for the reply */
    id?: string
    detail?: string
}

function refuse(error: string, id: string, detail: string): ParseResult {
    return { ok: false, error: error, id: id, detail: detail }
}

/** the signature's suffix: `,"sig":"` 64 hex digits `"}` */
const SIG_TAIL = 74
/** objects and arrays nest at most this deep (a config patch: 3) */
const MAX_DEPTH = 4

/**
 * Only the last 74 bytes are read before the MAC: `,"sig":"<64 hex>"}`; the MAC covers the
 * topic and the bytes before them, closed by "}". Constant-time compare.
 */
function signedRight(raw: Buffer, ctx: ParseContext): boolean {
    const h = raw.length - SIG_TAIL
    if (h < 1 || raw.slice(h, h + 8).toString() !== ',"sig":"' || raw[h + 72] !== 34 || raw[h + 73] !== 125) return false
    const mac = ctx.mac(ctx.keyHex, ctx.topic, raw.slice(0, h))
    let d = 0
    for (let i = 0; i < 64; i++) d |= raw[h + 8 + i] ^ mac.charCodeAt(i)
    return d === 0
}

/** Objects and arrays nested deeper than MAX_DEPTH, by a flat scan of the bytes (strings skipped). */
function tooDeep(raw: Buffer): boolean {
    let depth = 0
    let inString = false
    for (let i = 0; i < raw.length; i++) {
        const c = raw[i]
        if (inString) {
            if (c === 92) i++
            else if (c === 34) inString = false
        } else if (c === 34) inString = true
        else if (c === 123 || c === 91) {
            if (++depth > MAX_DEPTH) return true
        } else if (c === 125 || c === 93) depth--
    }
    return false
}

export function parseCommand(raw: Buffer, ctx: ParseContext): ParseResult {
    const bytes = raw.length
    if (bytes > ctx.maxBytes) return refuse("too_large", null, "payload of " + bytes + " bytes over the limit of " + ctx.maxBytes)
    if (!signedRight(raw, ctx)) return refuse("bad_signature", null, "no signature of this board's key over these bytes")
    if (tooDeep(raw)) return refuse("malformed", null, "nested deeper than " + MAX_DEPTH)
    let msg: any = null
    try {
        msg = JSON.parse(raw.toString())
    } catch (e) {
        return refuse("malformed", null, "payload is not JSON")
    }
    if (!isObject(msg)) return refuse("malformed", null, "payload is not a JSON object")
    const id = typeof msg.id === "string" ? msg.id : null
    if (!id || id.length < 1 || id.length > 32) return refuse("malformed", null, "id must be a string of 1..32 characters")
    if (!isInt(msg.ts) || msg.ts <= 0) return refuse("malformed", id, "ts must be the server time in ms")
    if (typeof msg.cmd !== "string") return refuse("malformed", id, "cmd must be a string")
    if (!isObject(msg.args)) return refuse("malformed", id, "args must be an object")
    if (msg.boot !== ctx.boot) return refuse("wrong_boot", id, "boot must be this boot's nonce (in this reply)")
    const now = ctx.clock.now(ctx.nowMs)
    if (now >= 0 && Math.abs(msg.ts - now) > ctx.staleMs) return refuse("stale", id, "server time " + msg.ts + " is " + Math.round((msg.ts - now) / 1000) + " s from ours")
    if (now < 0 && msg.ts < ctx.clock.highWater - ctx.staleMs) return refuse("stale", id, "server time older than the last one seen")
    if (ctx.replay.seen(id, msg.ts)) return refuse("replayed", id, "command " + id + " was already received")
    const argErr = checkArgs(msg.cmd, msg.args, ctx.sockets)
    // signed, fresh and new: learn the time and the id even when the args are refused, so the
    // same signed message cannot be replayed
    ctx.clock.learn(msg.ts, ctx.nowMs)
    ctx.replay.remember(id, msg.ts, msg.ts - 2 * ctx.staleMs)
    if (argErr) return refuse(argErr.error, id, argErr.detail)
    return { ok: true, id: id, command: { id: id, ts: msg.ts, cmd: msg.cmd, args: msg.args } }
}

/**
 * Each command's arguments, in the order they are checked, and their kind (src/core/shape.ts;
 * "*": checked with the others, calibrate's constants). One line a command; text that stays in
 * the program image (no table in the VM's heap).
 */
const ARG_SPECS = `
start:{"order":"o","socket":"S","limit":"L","powerCapW":"n?","topOffMin":"n?","profile":"s?"}
stop:{"socket":"S","order":"s?"}
clear:{"socket":"S"}
status:{}
calibrate:{"socket":"S","gain":"*","offsetW":"*"}
config:{"patch":"O"}
update:{"force":"b?","windowS":"w?"}
ack:{"ids":"I"}
paycode:{"socket":"S","code":"c"}
`

function checkArgs(cmd: string, a: any, sockets: number): ShapeError {
    // a known command only: any other text could match across two lines of the table
    if (COMMANDS.indexOf(cmd) < 0) return bad("unknown_command", "unknown command " + cmd)
    const from = ARG_SPECS.indexOf("\n" + cmd + ":") + cmd.length + 2
    const e = checkShape(ARG_SPECS.slice(from, ARG_SPECS.indexOf("\n", from)), a, sockets, true)
    if (e) return e
    if (cmd === "calibrate") {
        const e = checkCal({ gain: a.gain, offsetW: a.offsetW })
        if (e) return bad("bad_calibration", e)
    }
    return null
}

/** The reply to a command: ok with a result, or a named error; `boot` this boot's nonce. Always small. */
export function replyJson(id: string, ok: boolean, errorOrNull: string, detail: string, result: any, boot: string): string {
    const r: any = { id: id, ok: ok, boot: boot }
    if (!ok) {
        r.error = errorOrNull
        r.detail = detail && detail.length > 160 ? detail.slice(0, 160) : detail
    } else if (result) {
        const keys = Object.keys(result)
        for (let i = 0; i < keys.length; i++) r[keys[i]] = result[keys[i]]
    }
    return JSON.stringify(r)
}
