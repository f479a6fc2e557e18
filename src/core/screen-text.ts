// What the shed's display says, in the rider's words and language, fitted to the pixels a
// cell has (never cut). Pure: the shell draws the strings, a character at a time, with the
// advances below (the 6x8 font for ASCII, 16x16 glyphs from src/shell/glyphs.ts for Chinese).

/** Languages of the rider's text (board setting `lang`: "zh", the default, or "en"). */
export const LANG_EN = 0
export const LANG_ZH = 1

/** `lang` as stored: "en" or "zh"; a missing one is the default (Chinese); anything else -1 (refused). */
export function parseLang(v: any): number {
    if (v === null || v === undefined) return LANG_ZH
    if (v === "en") return LANG_EN
    if (v === "zh") return LANG_ZH
    return -1
}

/** The words a rider reads; W_* ids. Every Chinese character here has a glyph in src/shell/glyphs.ts (tools/glyphs.ts). */
export const W_SCAN = 0
export const W_OFFLINE = 1
export const W_FREE = 2
export const W_PLUG = 3
export const W_FULL = 4
export const W_DONE = 5
export const W_FAULT = 6
export const W_CALL = 7
export const W_NOCODE = 8
export const W_BUSY = 9
export const WORDS = 10

/** The words by id, "|" between them: text in the program image, a table neither in code nor in the heap. */
const WORDS_ZH = "扫码支付|暂停支付|空闲|请插电|已充满|已结束|故障|请报修|暂停|无空位"
const WORDS_EN = "scan to pay|offline|free|plug in|full|done|fault|call service|no code|all busy"

export function word(id: number, lang: number): string {
    const all = lang === LANG_ZH ? WORDS_ZH : WORDS_EN
    let from = 0
    for (let k = 0; k < id; k++) from = all.indexOf("|", from) + 1
    const to = all.indexOf("|", from)
    return all.slice(from, to < 0 ? all.length : to)
}

/** A Chinese glyph (16x16, never scaled) rather than the 6x8 font. */
export function isGlyph(c: number): boolean {
    return c >= 0x2e80
}

/**
 * The 6x8 font's ink per ASCII character 32..126, as a character code: 48 + first inked column
 * * 8 + inked width (DeviceScript's font8; test/node/screen-text.test.ts checks it against the
 * font). Text is drawn proportionally: one blank column between characters, not the font's 1-2.
 */
const FONT_INK = "0A;5565ABB55B5B<<;<<5<<<<<BB555<555<<<<<<;5<<5<5<<<<5<<555<;<;55B<<<<<<<<;;<;5<<<<<<<<<5<<<;A;<"

function ink(c: number): number {
    return c >= 32 && c < 127 ? FONT_INK.charCodeAt(c - 32) - 48 : 5
}

/** Where ASCII character `c` is drawn from the pen: its blank first columns to the left of it. */
export function inkLeft(c: number, scale: number): number {
    return isGlyph(c) ? 0 : (ink(c) >> 3) * scale
}

/**
 * Pixels the pen moves after character `c` at text scale `scale`: its ink and one blank column
 * (a digit 5, most letters 6), a space 4, a Chinese glyph 16 at any scale (its own blank column).
 */
export function advance(c: number, scale: number): number {
    if (isGlyph(c)) return 16
    return (c === 32 ? 4 : (ink(c) & 7) + 1) * scale
}

/** Width of `s` in pixels (the last character's blank column included). */
export function textWidth(s: string, scale: number): number {
    let w = 0
    for (let i = 0; i < s.length; i++) w += advance(s.charCodeAt(i), scale)
    return w
}

/** `s` without its last words until it fits `maxW` px (the service button's messages): words are dropped, never cut. */
export function fitWords(s: string, maxW: number, scale: number): string {
    while (textWidth(s, scale) > maxW) {
        let k = s.length - 1
        while (k > 0 && s.charCodeAt(k) !== 32) k--
        if (k <= 0) return s
        s = s.slice(0, k)
    }
    return s
}

/** Fault codes for the service person, "E1".."E7" (docs/display.md lists them); E0 anything else. */
export function faultCode(note: string): string {
    const codes = ["short", "overload", "welded_relay", "meter_silent", "suspect", "mains_voltage", "over_temperature"]
    return "E" + (codes.indexOf(note) + 1)
}

/**
 * A socket's line, fitted to `maxW` px: "3 free", "3 plug in", "3 0:45 120Wh" (charging: time
 * as h:mm, energy), "3 full", "3 done" (ended any other way: no code names), "3 fault E1"
 * ("3 故障 请报修 E1" where it fits). `note` is the last session's stop reason (ended) or the
 * fault (faulted). Never cut: a tighter form is taken when a line would not fit.
 */
export function socketLine(n: number, state: string, minutes: number, wh: number, note: string, lang: number, maxW: number, scale: number): string {
    const head = n + " "
    let line = head
    if (state === "charging") {
        const m = Math.floor(minutes)
        const mm = m % 60
        const e = " " + Math.min(9999, Math.floor(wh)) + "Wh"
        line = head + Math.floor(m / 60) + ":" + (mm < 10 ? "0" : "") + mm + e
        // 10 h and more, or a narrow cell: whole hours
        if (textWidth(line, scale) > maxW) line = head + Math.floor(m / 60) + "h" + e
        if (textWidth(line, scale) > maxW) line = head + Math.floor(m / 60) + "h"
    } else if (state === "faulted") {
        line = head + word(W_FAULT, lang) + " " + word(W_CALL, lang) + " " + faultCode(note)
        if (textWidth(line, scale) > maxW) line = head + word(W_FAULT, lang) + " " + faultCode(note)
    } else line = head + word(state === "idle" ? W_FREE : state === "reserved" ? W_PLUG : note === "full" ? W_FULL : W_DONE, lang)
    return line
}

/** The header beside the code: "scan to pay", or "offline" when the cloud is not reachable (paying needs it). */
export function headerLine(online: boolean, lang: number): string {
    return word(online ? W_SCAN : W_OFFLINE, lang)
}

/** What the code's area says for a faulted socket (its turn in the cycle): number and fault, "call service", the code. */
export function faultCard(n: number, note: string, lang: number): string[] {
    if (lang === LANG_ZH) return [n + " " + word(W_FAULT, lang), word(W_CALL, lang), faultCode(note)]
    return [n + " fault", "call", "service", faultCode(note)]
}

/**
 * Which sockets a page shows, `slots` of them, in socket order: the shown socket's (`focus`,
 * 0: none), then the busy ones (charging, waiting, ended or faulted: `busy` has "1" for each),
 * taking turns by `turn` when there are more than fit, then the rest of the shown socket's
 * page, then the others. So a capture never lands on a page of free sockets while others charge.
 */
export function pageSockets(busy: string, focus: number, slots: number, turn: number): number[] {
    const n = busy.length
    const out: number[] = []
    if (focus > 0) out.push(focus)
    let nb = 0
    for (let i = 0; i < n; i++) if (busy.charCodeAt(i) === 49 && i + 1 !== focus) nb++
    const room = slots - out.length
    const from = nb > room ? (turn * room) % nb : 0
    // the busy ones from `from` on, round
    let k = 0
    for (let j = 0; j < 2 * n && out.length < slots && k < from + nb; j++) {
        const s = (j % n) + 1
        if (busy.charCodeAt(s - 1) !== 49 || s === focus) continue
        if (k >= from && out.indexOf(s) < 0) out.push(s)
        k++
    }
    // then the shown socket's own page (its neighbours), then any
    const page = focus > 0 ? Math.floor((focus - 1) / slots) * slots : 0
    for (let j = 0; j < n && out.length < slots; j++) {
        const s = ((page + j) % n) + 1
        if (out.indexOf(s) < 0) out.push(s)
    }
    // socket order
    return out.sort((a, b) => a - b)
}

/**
 * What a line means, for a colour screen (the shell maps each tone to a colour; a monochrome
 * screen ignores it): plain text, a free socket, one waiting for its charger, one charging, a
 * full battery, a fault or the board offline.
 */
export const TONE_TEXT = 0
export const TONE_FREE = 1
export const TONE_WAITING = 2
export const TONE_CHARGING = 3
export const TONE_FULL = 4
export const TONE_ALERT = 5

/** The tone of a socket's line; `note` as for socketLine. */
export function socketTone(state: string, note: string): number {
    if (state === "idle") return TONE_FREE
    if (state === "reserved") return TONE_WAITING
    if (state === "charging") return TONE_CHARGING
    if (state === "faulted") return TONE_ALERT
    if (state === "ended" && note === "full") return TONE_FULL
    return TONE_TEXT
}

/** The header's tone: plain when the cloud is reachable, an alert when not (paying needs it). */
export function headerTone(online: boolean): number {
    return online ? TONE_TEXT : TONE_ALERT
}
