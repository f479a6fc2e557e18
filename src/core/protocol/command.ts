// Commands from the backend: `{ id, ts, cmd, args, sig }` on shed/<board>/cmd. Every command is
// validated in full before anything happens; a refused command gets a named error and changes
// nothing. Order: size, JSON, envelope, signature, staleness, replay, then the command's args.

import { checkCal } from "../metering"
import { signedText } from "./canonical"
import { ServerClock } from "./clock"
import { ReplayGuard } from "./replay"

export const COMMAND_ERRORS = [
    "malformed",
    "too_large",
    "bad_signature",
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

export const COMMANDS = ["start", "stop", "status", "config", "clear", "update", "ack", "calibrate"]

export interface Command {
    id: string
    ts: number
    cmd: string
    args: any
}

export interface ParseContext {
    boardId: string
    keyHex: string
    /** board milliseconds now */
    nowMs: number
    sockets: number
    maxBytes: number
    /** how far a command's server time may be from ours (ms) */
    staleMs: number
    hmacHex: (keyHex: string, message: string) => string
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

function isObject(v: any): boolean {
    return v !== null && typeof v === "object" && !Array.isArray(v)
}

function isInt(v: any): boolean {
    return typeof v === "number" && Math.round(v) === v && v === v
}

function isHex(s: string, len: number): boolean {
    if (s.length !== len) return false
    for (let i = 0; i < s.length; i++) if ("0123456789abcdef".indexOf(s.charAt(i)) < 0) return false
    return true
}

/** Constant-time string comparison: a signature check must not leak how much matched. */
function sameText(a: string, b: string): boolean {
    if (a.length !== b.length) return false
    let d = 0
    for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i)
    return d === 0
}

/** Bytes of `s` in UTF-8 (the wire size; a string's length counts UTF-16 units). */
export function utf8Length(s: string): number {
    let n = 0
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i)
        if (c < 0x80) n += 1
        else if (c < 0x800) n += 2
        else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
            n += 4
            i++
        } else n += 3
    }
    return n
}

export function parseCommand(raw: string, ctx: ParseContext): ParseResult {
    if (typeof raw !== "string") return refuse("malformed", null, "payload is not text")
    const bytes = utf8Length(raw)
    if (bytes > ctx.maxBytes) return refuse("too_large", null, "payload of " + bytes + " bytes over the limit of " + ctx.maxBytes)
    let msg: any = null
    try {
        msg = JSON.parse(raw)
    } catch (e) {
        return refuse("malformed", null, "payload is not JSON")
    }
    if (!isObject(msg)) return refuse("malformed", null, "payload is not a JSON object")
    const id = typeof msg.id === "string" ? msg.id : null
    if (!id || id.length < 1 || id.length > 32) return refuse("malformed", null, "id must be a string of 1..32 characters")
    if (!isInt(msg.ts) || msg.ts <= 0) return refuse("malformed", id, "ts must be the server time in ms")
    if (typeof msg.cmd !== "string") return refuse("malformed", id, "cmd must be a string")
    if (!isObject(msg.args)) return refuse("malformed", id, "args must be an object")
    if (typeof msg.sig !== "string" || !isHex(msg.sig, 64)) return refuse("bad_signature", id, "sig must be 64 lower-case hex characters")
    const expected = ctx.hmacHex(ctx.keyHex, signedText(ctx.boardId, msg))
    if (!sameText(expected, msg.sig)) return refuse("bad_signature", id, "signature does not match")
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

interface ArgError {
    error: string
    detail: string
}

function bad(error: string, detail: string): ArgError {
    return { error: error, detail: detail }
}

function onlyKeys(args: any, allowed: string[]): ArgError {
    const keys = Object.keys(args)
    for (let i = 0; i < keys.length; i++) if (allowed.indexOf(keys[i]) < 0) return bad("bad_args", "unknown argument " + keys[i])
    return null
}

function checkSocket(v: any, sockets: number): ArgError {
    if (!isInt(v)) return bad("bad_args", "socket must be a whole number")
    if (v < 1 || v > sockets) return bad("unknown_socket", "socket " + v + " does not exist (1.." + sockets + ")")
    return null
}

function checkArgs(cmd: string, a: any, sockets: number): ArgError {
    if (COMMANDS.indexOf(cmd) < 0) return bad("unknown_command", "unknown command " + cmd)
    if (cmd === "start") {
        const k = onlyKeys(a, ["order", "socket", "limit", "powerCapW", "profile", "topOffMin"])
        if (k) return k
        if (typeof a.order !== "string" || a.order.length < 1 || a.order.length > 32) return bad("bad_args", "order must be a string of 1..32 characters")
        const s = checkSocket(a.socket, sockets)
        if (s) return s
        if (!isObject(a.limit)) return bad("bad_limit", "limit must be an object")
        const kind = a.limit.kind
        if (kind !== "full" && kind !== "minutes" && kind !== "wh") return bad("bad_limit", "limit.kind must be full, minutes or wh")
        if (kind !== "full" && !(typeof a.limit.value === "number" && a.limit.value > 0 && a.limit.value <= 100000)) return bad("bad_limit", "limit.value must be a positive number")
        if (a.powerCapW !== undefined && typeof a.powerCapW !== "number") return bad("bad_args", "powerCapW must be a number")
        if (a.topOffMin !== undefined && typeof a.topOffMin !== "number") return bad("bad_args", "topOffMin must be a number")
        if (a.profile !== undefined && typeof a.profile !== "string") return bad("bad_args", "profile must be a string")
        return null
    }
    if (cmd === "stop" || cmd === "clear") {
        const k = onlyKeys(a, cmd === "stop" ? ["socket", "order"] : ["socket"])
        if (k) return k
        if (a.order !== undefined && typeof a.order !== "string") return bad("bad_args", "order must be a string")
        return checkSocket(a.socket, sockets)
    }
    if (cmd === "status") return onlyKeys(a, [])
    if (cmd === "calibrate") {
        const k = onlyKeys(a, ["socket", "gain", "offsetW"])
        if (k) return k
        const s = checkSocket(a.socket, sockets)
        if (s) return s
        const e = checkCal({ gain: a.gain, offsetW: a.offsetW })
        return e ? bad("bad_calibration", e) : null
    }
    if (cmd === "config") {
        const k = onlyKeys(a, ["patch"])
        if (k) return k
        if (!isObject(a.patch)) return bad("bad_args", "patch must be an object")
        return null
    }
    if (cmd === "update") {
        const k = onlyKeys(a, ["force", "windowS"])
        if (k) return k
        if (a.force !== undefined && typeof a.force !== "boolean") return bad("bad_args", "force must be true or false")
        if (a.windowS !== undefined && !(isInt(a.windowS) && a.windowS >= 30 && a.windowS <= 3600)) return bad("bad_args", "windowS must be 30..3600")
        return null
    }
    // ack
    const k = onlyKeys(a, ["ids"])
    if (k) return k
    if (!Array.isArray(a.ids) || a.ids.length < 1 || a.ids.length > 16) return bad("bad_args", "ids must be a list of 1..16 event ids")
    for (let i = 0; i < a.ids.length; i++) if (typeof a.ids[i] !== "string" || a.ids[i].length > 32) return bad("bad_args", "ids must be strings")
    return null
}

/** The reply to a command: ok with a result, or a named error. Always small. */
export function replyJson(id: string, ok: boolean, errorOrNull: string, detail: string, result: any): string {
    const r: any = { id: id, ok: ok }
    if (!ok) {
        r.error = errorOrNull
        r.detail = detail && detail.length > 160 ? detail.slice(0, 160) : detail
    } else if (result) {
        const keys = Object.keys(result)
        for (let i = 0; i < keys.length; i++) r[keys[i]] = result[keys[i]]
    }
    return JSON.stringify(r)
}
