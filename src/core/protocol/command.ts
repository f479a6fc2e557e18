// Commands from the backend: `{ id, ts, cmd, args, sig }` on shed/<board>/cmd. Every command is
// validated in full before anything happens; a refused command gets a named error and changes
// nothing. Order: size, JSON, envelope, signature, staleness, replay, then the command's args.

import { checkCal } from "../metering"
import { payCodeError } from "../paycode"
import { signedText } from "./canonical"
import { ServerClock } from "./clock"
import { ReplayGuard } from "./replay"

/**
 * Every error a command can get back, for node (tests, schemas): a function, so the board's
 * program builds no table of them in its heap.
 */
export function commandErrors(): string[] {
    return [
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
}

export const COMMANDS = ["start", "stop", "status", "config", "clear", "update", "ack", "calibrate", "paycode"]

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

export function parseCommand(raw: string, ctx: ParseContext): ParseResult {
    if (typeof raw !== "string") return refuse("malformed", null, "payload is not text")
    // bytes on the wire (UTF-8, in the VM as in node), not the string's UTF-16 units
    const bytes = Buffer.from(raw).length
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

function checkSocket(v: any, sockets: number): ArgError {
    if (!isInt(v)) return bad("bad_args", "socket must be a whole number")
    if (v < 1 || v > sockets) return bad("unknown_socket", "socket " + v + " does not exist (1.." + sockets + ")")
    return null
}

/**
 * Each command's arguments, in the order they are checked, and their kind ("?" after it: may
 * be left out): o an order id, s a string, n a number, b true or false, O an object, S a socket,
 * L a limit, w an update window, I event ids, c a pay code record (src/core/paycode.ts), * checked
 * with the others (calibrate's constants).
 * One line a command; text that stays in the program image (no table in the VM's heap).
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
sess:{"order":"o","limit":"L","elapsedS":"n","energyWh":"n","peakW":"n","refW":"n","drew":"b","powerCapW":"n","topOffMin":"n","profile":"s?","fullAtS":"n"}
`

/** What an argument of `kind` must be, or "" when `v` is one. */
function kindError(kind: string, v: any): string {
    if (kind === "o") return typeof v === "string" && v.length >= 1 && v.length <= 32 ? "" : "a string of 1..32 characters"
    if (kind === "s") return typeof v === "string" ? "" : "a string"
    if (kind === "n") return typeof v === "number" ? "" : "a number"
    if (kind === "b") return typeof v === "boolean" ? "" : "true or false"
    if (kind === "O") return isObject(v) ? "" : "an object"
    if (kind === "c") {
        const e = payCodeError(v)
        return e ? "a pay code record (" + e + ")" : ""
    }
    if (kind === "w") return isInt(v) && v >= 30 && v <= 3600 ? "" : "30..3600"
    if (kind === "I") {
        if (!Array.isArray(v) || v.length < 1 || v.length > 16) return "a list of 1..16 event ids"
        for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string" || v[i].length > 32) return "strings"
    }
    return ""
}

function checkLimit(l: any): ArgError {
    if (!isObject(l)) return bad("bad_limit", "limit must be an object")
    const kind = l.kind
    if (kind !== "full" && kind !== "minutes" && kind !== "wh") return bad("bad_limit", "limit.kind must be full, minutes or wh")
    if (kind !== "full" && !(typeof l.value === "number" && l.value > 0 && l.value <= 100000)) return bad("bad_limit", "limit.value must be a positive number")
    return null
}

/** `a` against the table's line `name`: each field of its kind; fields it lacks refused when `strict`. */
function checkShape(name: string, a: any, sockets: number, strict: boolean): ArgError {
    const from = ARG_SPECS.indexOf("\n" + name + ":") + name.length + 2
    const spec = JSON.parse(ARG_SPECS.slice(from, ARG_SPECS.indexOf("\n", from)))
    const names = Object.keys(spec)
    const keys = Object.keys(a)
    if (strict) for (let i = 0; i < keys.length; i++) if (names.indexOf(keys[i]) < 0) return bad("bad_args", "unknown argument " + keys[i])
    for (let i = 0; i < names.length; i++) {
        const name = names[i]
        const kind: string = spec[name]
        const v = a[name]
        if (kind.length > 1 && v === undefined) continue
        let e: ArgError = null
        if (kind === "S") e = checkSocket(v, sockets)
        else if (kind === "L") e = checkLimit(v)
        else {
            const need = kindError(kind.charAt(0), v)
            if (need) e = bad("bad_args", name + " must be " + need)
        }
        if (e) return e
    }
    return null
}

function checkArgs(cmd: string, a: any, sockets: number): ArgError {
    // a known command only: any other text could match across two lines of the table
    if (COMMANDS.indexOf(cmd) < 0) return bad("unknown_command", "unknown command " + cmd)
    const e = checkShape(cmd, a, sockets, true)
    if (e) return e
    if (cmd === "calibrate") {
        const e = checkCal({ gain: a.gain, offsetW: a.offsetW })
        if (e) return bad("bad_calibration", e)
    }
    return null
}

/**
 * What is wrong with a session record read from flash ("" when it is whole). Fields the table
 * does not name are left alone: a later release may add some.
 */
export function persistedError(p: any): string {
    if (!isObject(p)) return "not an object"
    const e = checkShape("sess", p, 0, false)
    return e ? e.detail : ""
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
