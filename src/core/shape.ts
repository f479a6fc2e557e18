// Record shapes: what each field of a record from outside (a command's arguments, a session
// record read from flash) must be, written as one line of JSON text, `{"field":"kind",...}`, that
// stays in the program image (no table in the VM's heap). Kinds, "?" after one when the field may
// be left out: o an order id, s a string, n a number, b true or false, O an object, S a socket,
// L a limit, w an update window, I event ids, c a pay code record (src/core/paycode.ts), * checked
// by the caller.
import { payCodeError } from "./paycode"

export interface ShapeError {
    /** the named error a command gets (bad_args, unknown_socket, bad_limit, ...) */
    error: string
    detail: string
}

export function bad(error: string, detail: string): ShapeError {
    return { error: error, detail: detail }
}

export function isObject(v: any): boolean {
    return v !== null && typeof v === "object" && !Array.isArray(v)
}

export function isInt(v: any): boolean {
    return typeof v === "number" && Math.round(v) === v && v === v
}

function checkSocket(v: any, sockets: number): ShapeError {
    if (!isInt(v)) return bad("bad_args", "socket must be a whole number")
    if (v < 1 || v > sockets) return bad("unknown_socket", "socket " + v + " does not exist (1.." + sockets + ")")
    return null
}

function checkLimit(l: any): ShapeError {
    if (!isObject(l)) return bad("bad_limit", "limit must be an object")
    const kind = l.kind
    if (kind !== "full" && kind !== "minutes" && kind !== "wh") return bad("bad_limit", "limit.kind must be full, minutes or wh")
    if (kind !== "full" && !(typeof l.value === "number" && l.value > 0 && l.value <= 100000)) return bad("bad_limit", "limit.value must be a positive number")
    return null
}

/** What a field of `kind` must be, or "" when `v` is one. */
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

/** `a` against `spec` (one shape line): each field of its kind; fields it lacks refused when `strict`. */
export function checkShape(spec: string, a: any, sockets: number, strict: boolean): ShapeError {
    const kinds = JSON.parse(spec)
    const names = Object.keys(kinds)
    const keys = Object.keys(a)
    if (strict) for (let i = 0; i < keys.length; i++) if (names.indexOf(keys[i]) < 0) return bad("bad_args", "unknown argument " + keys[i])
    for (let i = 0; i < names.length; i++) {
        const name = names[i]
        const kind: string = kinds[name]
        const v = a[name]
        if (kind.length > 1 && v === undefined) continue
        let e: ShapeError = null
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
