// The board's screen drawn in node, the way src/shell/display.ts draws it (the same core text,
// layout and advances, DeviceScript's 6x8 font read from its package, the glyph table read from
// src/shell/glyphs.ts): for fast tests of what every board shows in every state and language,
// and a reader that reads a drawn (or captured) line back into text, character by character,
// by matching each character's pixels exactly. A word cut, a glyph missing from the table or
// two texts run together read back wrong.
import { readFileSync } from "node:fs"
import { ROOT } from "../host/root"
import { planLayout, ScreenLayout, Rect, CHAR_H } from "../src/core/screen-layout"
import {
    advance,
    inkLeft,
    faultCard,
    headerLine,
    headerTone,
    isGlyph,
    LANG_ZH,
    pageSockets,
    socketLine,
    socketTone,
    W_BUSY,
    W_NOCODE,
    word,
    TONE_ALERT,
    TONE_TEXT,
    textWidth,
} from "../src/core/screen-text"
import { isDark, unpackPayCode } from "../src/core/paycode"

/** A screen's pixels: 1 bpp as 0/1, 4 bpp as palette indices (TONE colours as the TFT's). */
export interface Pixels {
    width: number
    height: number
    get(x: number, y: number): number
}

export class Bitmap implements Pixels {
    px: Uint8Array
    constructor(
        readonly width: number,
        readonly height: number
    ) {
        this.px = new Uint8Array(width * height)
    }
    get(x: number, y: number) {
        return x >= 0 && y >= 0 && x < this.width && y < this.height ? this.px[y * this.width + x] : 0
    }
    set(x: number, y: number, v: number) {
        if (x >= 0 && y >= 0 && x < this.width && y < this.height) this.px[y * this.width + x] = v
    }
    fill(r: Rect, v: number) {
        for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) this.set(x, y, v)
    }
}

/** DeviceScript's font8: 6 column bytes per ASCII character (low bit the top row). */
let font: Map<number, number[]> | null = null
export function fontCols(c: number): number[] {
    if (!font) {
        const src = readFileSync(require.resolve("@devicescript/graphics/src/text.ts"), "utf8")
        const hex = src
            .slice(src.indexOf("export function font8"))
            .match(/hex`([^`]*)`/)![1]
            .replace(/\s+/g, "")
        font = new Map()
        for (let i = 0; i + 16 <= hex.length; i += 16) {
            const b = Buffer.from(hex.slice(i, i + 16), "hex")
            font.set(b.readUInt16LE(0), [...b.subarray(2)])
        }
    }
    return font.get(c) ?? font.get(32)!
}

/** The glyph table as the firmware carries it (src/shell/glyphs.ts): code point -> 32 column bytes. */
let glyphs: Map<number, Buffer> | null = null
export function glyphTable(): Map<number, Buffer> {
    if (!glyphs) {
        const src = readFileSync(ROOT + "/src/shell/glyphs.ts", "utf8")
        const lit = (name: string) => Buffer.from(src.match(new RegExp(`${name} = hex\`([^\`]*)\``))![1].replace(/\s+/g, ""), "hex")
        const codes = lit("GLYPH_CODES")
        const bits = lit("GLYPH_BITS")
        glyphs = new Map()
        for (let k = 0; k * 2 < codes.length; k++) glyphs.set(codes.readUInt16LE(k * 2), bits.subarray(k * 32, k * 32 + 32))
    }
    return glyphs
}

/** One character's lit pixels (x, y) relative to the pen, as display.ts draws it in a row `h` high. */
function charPixels(c: number, scale: number, h: number): [number, number][] {
    const out: [number, number][] = []
    if (isGlyph(c)) {
        const g = glyphTable().get(c)
        if (!g) return out
        const top = (h - 16) >> 1
        for (let x = 0; x < 16; x++) for (let y = 0; y < 16; y++) if (g[x * 2 + (y >> 3)] & (1 << (y & 7))) out.push([x, top + y])
    } else if (c !== 32) {
        const cols = fontCols(c)
        const top = (h - CHAR_H * scale) >> 1
        const left = inkLeft(c, scale)
        for (let x = 0; x < 6; x++)
            for (let y = 0; y < 8; y++) if (cols[x] & (1 << y)) for (let i = 0; i < scale; i++) for (let j = 0; j < scale; j++) out.push([x * scale + i - left, top + y * scale + j])
    }
    return out
}

/** `s` drawn from pen x in the row (top, h), as display.ts's drawText. */
export function drawText(bm: Bitmap, s: string, x: number, top: number, h: number, on: number, scale: number) {
    for (const ch of s) {
        const c = ch.codePointAt(0)!
        for (const [px, py] of charPixels(c, scale, h)) bm.set(x + px, top + py, on)
        x += advance(c, scale)
    }
}

/** Text inset, as display.ts's pad. */
export const pad = (scale: number) => (scale > 1 ? 2 * scale : 1)
/** The height of a text bar in a cell `h` high, as display.ts's paintCell. */
export const barH = (cellH: number, scale: number, lang: number) => Math.min(cellH, Math.max((CHAR_H + 2) * scale, lang === LANG_ZH ? 16 : 0))

/**
 * Reads the text in a row of the screen: from pen x0, at each step the character (ASCII
 * 32..126 or a glyph of the table) whose pixels over its whole advance are exactly the
 * screen's; stops where the rest of the row is blank. `lit` says which pixels are ink (an
 * inverted bar: the dark ones). Returns what it read and "?" where nothing matched.
 */
export function readText(scr: Pixels, x0: number, top: number, h: number, scale: number, right: number, lit: (v: number) => boolean): string {
    const ink = (x: number, y: number) => x < scr.width && y >= 0 && y < scr.height && lit(scr.get(x, y))
    const blankFrom = (x: number) => {
        for (let xx = x; xx < right; xx++) for (let y = top; y < top + h; y++) if (ink(xx, y)) return false
        return true
    }
    const cands = [...glyphTable().keys(), ...Array.from({ length: 95 }, (_, i) => 32 + i)].sort((a, b) => advance(b, scale) - advance(a, scale))
    const pix = new Map(cands.map(c => [c, new Set(charPixels(c, scale, h).map(([px, py]) => px + "," + py))]))
    const fits = (c: number, x: number) => {
        const want = pix.get(c)!
        for (let dx = 0; dx < advance(c, scale); dx++) for (let dy = 0; dy < h; dy++) if (ink(x + dx, top + dy) !== want.has(dx + "," + dy)) return false
        return true
    }
    // every way to read the row to its blank end (a "0" and an "O" may both fit: what follows decides)
    const failed = new Set<number>()
    const parse = (x: number): string | null => {
        if (x >= right || blankFrom(x)) return ""
        if (failed.has(x)) return null
        for (const c of cands)
            if (fits(c, x)) {
                const rest = parse(x + advance(c, scale))
                if (rest !== null) return String.fromCodePoint(c) + rest
            }
        failed.add(x)
        return null
    }
    return parse(x0) ?? "?"
}

/** What a board shows of one socket: its state as the core has it, minutes and Wh charging, the stop reason or fault. */
export interface SocketView {
    state: "idle" | "reserved" | "charging" | "ended" | "faulted"
    minutes?: number
    wh?: number
    note?: string
}

export interface ScreenModel {
    layout: ScreenLayout
    lang: number
    lines: string[]
    tones: number[]
    focusLine: number
    /** the shown code (a pay code record), or null: the fallback lines instead */
    code: string | null
    fallback: string[]
}

/** The screen a board shows: its sockets, the socket whose code (or fault card) is shown, online or not; as display.ts's refresh. */
export function screenModel(width: number, height: number, sockets: SocketView[], focus: number, online: boolean, lang: number, code: string | null, turn = 0): ScreenModel {
    const size = code ? parseInt(code.slice(0, 2), 16) : 21
    const layout = planLayout(width, height, size, sockets.length + 1, lang === LANG_ZH ? 16 : 0)
    const maxW = (i: number) => (i < layout.cells.length ? layout.cells[i].w : width) - pad(layout.text)
    const lines = [headerLine(online, lang)]
    const tones = [headerTone(online)]
    const busy = sockets.map(s => (s.state === "idle" ? "0" : "1")).join("")
    let focusLine = -1
    for (const n of pageSockets(busy, focus, Math.max(1, layout.perPage - 1), turn)) {
        const s = sockets[n - 1]
        if (n === focus) focusLine = lines.length
        lines.push(socketLine(n, s.state, s.minutes ?? 0, s.wh ?? 0, s.note ?? "", lang, maxW(lines.length), layout.text))
        tones.push(socketTone(s.state, s.note ?? ""))
    }
    let fallback: string[] = []
    if (focus === 0) fallback = [word(W_BUSY, lang)]
    else if (sockets[focus - 1].state === "faulted") fallback = faultCard(focus, sockets[focus - 1].note ?? "", lang)
    else if (!code) fallback = ["" + focus, word(W_NOCODE, lang)]
    return { layout, lang, lines, tones, focusLine, code: focus > 0 && sockets[focus - 1].state !== "faulted" ? code : null, fallback }
}

/** TONE_* to the TFT's arcade palette index (display.ts's TONE_COLOURS); 1 on a 1-bpp screen. */
const TONE_COLOURS = [1, 1, 5, 9, 7, 2]

/** The screen as display.ts paints it (`bpp` 4: palette indices, the TFT's colours). */
export function renderScreen(m: ScreenModel, width: number, height: number, bpp: 1 | 4): Bitmap {
    const bm = new Bitmap(width, height)
    const L = m.layout
    const colour = (tone: number) => (bpp === 1 ? 1 : TONE_COLOURS[tone])
    if (m.code) {
        const bits = unpackPayCode(m.code)
        const n = bits[0]
        const q = L.quiet * L.module
        bm.fill({ x: L.qrX - q, y: L.qrY - q, w: (n + 2 * L.quiet) * L.module, h: (n + 2 * L.quiet) * L.module }, colour(TONE_TEXT))
        for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if (isDark(bits, x, y)) bm.fill({ x: L.qrX + x * L.module, y: L.qrY + y * L.module, w: L.module, h: L.module }, 0)
    } else {
        const h = Math.max((CHAR_H + 2) * L.text, m.lang === LANG_ZH ? 16 : 0)
        const top = L.code.y + Math.floor((L.code.h - m.fallback.length * h) / 2)
        m.fallback.forEach((s, i) => drawText(bm, s, L.code.x + ((L.code.w - textWidth(s, L.text)) >> 1), top + i * h, h, colour(TONE_ALERT), L.text))
    }
    L.cells.forEach((c, i) => {
        const line = m.lines[i] ?? ""
        const on = colour(m.tones[i] ?? TONE_TEXT)
        const bh = barH(c.h, L.text, m.lang)
        const top = c.y + Math.floor((c.h - bh) / 2)
        if (i !== m.focusLine) drawText(bm, line, c.x + pad(L.text), top, bh, on, L.text)
        else {
            bm.fill({ x: c.x, y: top, w: c.w, h: bh }, on)
            drawText(bm, line, c.x + pad(L.text), top, bh, 0, L.text)
        }
    })
    return bm
}

/** Reads every cell's line back (the focused one inverted: marked with a leading "*" when `mark`), as a capture is read. */
export function readCells(scr: Pixels, L: ScreenLayout, lang: number, mark = false): string[] {
    return L.cells.map(c => {
        const bh = barH(c.h, L.text, lang)
        const top = c.y + Math.floor((c.h - bh) / 2)
        // an inverted bar: its first column is lit (text never starts in the first column)
        const inverted = scr.get(c.x, top) !== 0 && scr.get(c.x, top + bh - 1) !== 0
        const t = readText(scr, c.x + pad(L.text), top, bh, L.text, c.x + c.w, inverted ? v => v === 0 : v => v !== 0)
        return mark && inverted ? "*" + t : t
    })
}

/** Reads the fallback lines in the code's area (no code shown), centred as display.ts draws them. */
export function readFallback(scr: Pixels, L: ScreenLayout, lang: number, count: number): string[] {
    const h = Math.max((CHAR_H + 2) * L.text, lang === LANG_ZH ? 16 : 0)
    const top = L.code.y + Math.floor((L.code.h - count * h) / 2)
    const out: string[] = []
    for (let i = 0; i < count; i++) {
        // the line's first ink column, back to the pen: each character's first columns may be blank
        let x0 = -1
        for (let x = L.code.x; x < L.code.x + L.code.w && x0 < 0; x++) for (let y = top + i * h; y < top + (i + 1) * h; y++) if (scr.get(x, y)) x0 = x
        if (x0 < 0) {
            out.push("")
            continue
        }
        let best = ""
        for (let back = 0; back <= 3 * L.text; back++) {
            const t = readText(scr, x0 - back, top + i * h, h, L.text, L.code.x + L.code.w, v => v !== 0)
            if (!t.includes("?") && t.length > best.length) best = t
        }
        out.push(best)
    }
    return out
}
