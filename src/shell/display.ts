// The shed's display: the pay QR code as large and sharp as the screen allows, and a header
// plus one line per socket, redrawn only where something changed. The screen is split into
// regions (the code's area and one cell per line, tiling the screen: core/screen-layout.ts);
// ShedScreen paints a region into any image at any offset, and each screen takes it from there:
// - the 128x64 SSD1306 OLED (I2C): painted into the driver's 1-bpp framebuffer (1 KB), sent whole;
// - the 240x240 ST7789 colour TFT (SPI): no framebuffer at all. A 240x240 4-bpp one, as
//   DeviceScript's ST7789Driver needs, is 28.8 KB: measured, the 2-socket firmware then runs out
//   of the VM's heap at boot. Each region is painted into a 4-bpp band of at most 1.9 KB (its
//   lines in the region's colour), sent to the panel's window, and the next band painted.
// In the simulator the same pixels go out on the bus to an indexed screen ("screen" role): the
// OLED's framebuffer at 1 bpp, the TFT's 4-bpp bands as they are; the simulator captures PNG.
import * as ds from "@devicescript/core"
import { font8, Image, Palette, spiSendImage, SpiImageFlags } from "@devicescript/graphics"
import { spi } from "@devicescript/spi"
import { i2c } from "@devicescript/i2c"
import { FourWireDriver, STLikeDisplayOptions } from "@devicescript/drivers/src/stlikedisplay"
import { isDark, payCodeError, payCodeKey, unpackPayCode } from "../core/paycode"
import { CHAR_H, CHAR_W, planLandscape, Planner, planSquare, ScreenLayout } from "../core/screen-layout"
import {
    advance,
    inkLeft,
    fitWords,
    faultCard,
    headerLine,
    headerTone,
    isGlyph,
    LANG_ZH,
    pageSockets,
    socketLine,
    socketTone,
    textWidth,
    TONE_ALERT,
    TONE_TEXT,
    W_BUSY,
    W_NOCODE,
    word,
} from "../core/screen-text"
import { GLYPH_BITS, GLYPH_CODES } from "./glyphs"
import { Supervisor } from "../core/supervisor"
import { loadPayCode } from "./persist"

/** the code shown moves to the next socket that can take a payment this often (ms, real time) */
const CYCLE_MS = 8000
/** how long a service-button selection and its message stay on screen (ms) */
const HOLD_MS = 30000

/** A part of the screen to put up, what it shows and what it means (its colour on a TFT). */
export interface Region {
    x: number
    y: number
    w: number
    h: number
    /** TONE_* (src/core/screen-text.ts) */
    tone: number
    /** what the painter draws there: -1 the code, else the line (cell) index */
    part: number
}

export interface Painter {
    /** Paints region `r` into `img` shifted by (dx, dy), lit pixels in colour `on`, the rest 0. */
    paint(img: Image, r: Region, dx: number, dy: number, on: number): void
}

export interface ScreenOut {
    readonly width: number
    readonly height: number
    /** where the code and the lines go on this screen (a board carries only its screen's planner) */
    readonly plan: Planner
    /** puts these regions on the screen, painted by `p`; the rest of the screen stays as it is */
    show(regions: Region[], p: Painter): Promise<void>
}

/** one character at a time: a Chinese glyph (16x16) from the flash table (src/shell/glyphs.ts), or a 6x8 font character */
const glyphBuf = Buffer.alloc(32)
let glyphImg: Image = null
const charBuf = Buffer.alloc(CHAR_W)
let charImg: Image = null
/** the 6x8 font's table (in the program image) */
let fontData: Buffer = null

/**
 * `s` from x in a row `h` px high from `top`: ASCII in the 6x8 font at `scale`, a Chinese
 * character from the glyph table (16x16), each centred in the row; advances from the core.
 */
function drawText(img: Image, s: string, x: number, top: number, h: number, on: number, scale: number) {
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i)
        if (isGlyph(c)) {
            if (!glyphImg) glyphImg = Image.alloc(16, 16, 1, glyphBuf)
            for (let k = 0; k * 2 < GLYPH_CODES.length; k++)
                if (GLYPH_CODES.getAt(k * 2, "u16") === c) {
                    glyphBuf.blitAt(0, GLYPH_BITS, k * 32, 32)
                    img.drawTransparentImage(glyphImg, x, top + ((h - 16) >> 1), on)
                }
        } else if (c > 32 && c < 127) drawChar(img, c, x - inkLeft(c, scale), top + ((h - CHAR_H * scale) >> 1), on, scale)
        x += advance(c, scale)
    }
}

/**
 * ASCII character `c` of the 6x8 font (the graphics library's font8: per character a u16
 * code, then a byte per column, bit 0 at the top; ASCII in order from 32) at (x, y), `scale` px
 * a font pixel. The screen's texts are ASCII and Chinese: the font's other characters are not drawn.
 */
function drawChar(img: Image, c: number, x: number, y: number, on: number, scale: number) {
    if (!fontData) fontData = font8().data
    const off = (c - 32) * (2 + CHAR_W) + 2
    if (scale <= 1) {
        if (!charImg) charImg = Image.alloc(CHAR_W, CHAR_H, 1, charBuf)
        charBuf.blitAt(0, fontData, off, CHAR_W)
        img.drawTransparentImage(charImg, x, y, on)
        return
    }
    for (let i = 0; i < CHAR_W; i++) {
        const col = fontData[off + i]
        for (let j = 0; j < CHAR_H; j++) if ((col >> j) & 1) img.fillRect(x + i * scale, y + j * scale, scale, scale, on)
    }
}

export class ShedScreen implements Painter {
    /** what the code's area shows: socket and check value or error; "" before the first */
    private shownCode = ""
    private codeKey = ""
    private shownLayout = ""
    private shownLines: string[] = []
    private shownTones: number[] = []
    private lines: string[] = []
    private focusLine = -1
    /** the shown socket's code, unpacked (src/core/paycode.ts), until it is on the screen */
    private bits: Buffer = null
    /** without a code: what the code's area says instead */
    private fallback: string[] = []
    private layout: ScreenLayout = null
    /** the socket whose code is shown (0: none can take a payment) */
    private focus = 0
    /** the socket whose code was read from flash last (-1: none yet) */
    private loaded = -1
    private lastCycle = 0
    /** the service button's selection and message hold the screen until then (ms) */
    private heldUntil = 0
    private message = ""
    online: () => boolean = () => false

    constructor(
        private out: ScreenOut,
        private sup: Supervisor,
        /** LANG_EN or LANG_ZH (board setting `lang`) */
        private lang: number
    ) {}

    /** What socket `n`'s line and the code's area show it as: its state, "faulted" also for a suspect socket at rest. */
    private stateOf(n: number): string {
        const s = this.sup.sockets[n - 1]
        return s.suspect() && s.state !== "charging" && s.state !== "reserved" ? "faulted" : s.state
    }

    /** The next socket after the shown one that can take a payment (free or its last session over), or is faulted (its card), or 0. */
    private next(): number {
        const n = this.sup.sockets.length
        for (let k = 1; k <= n; k++) {
            const s = ((this.focus + k - 1) % n) + 1
            const st = this.stateOf(s)
            if (st === "idle" || st === "ended" || st === "faulted") return s
        }
        return 0
    }

    private note(n: number): string {
        const s = this.sup.sockets[n - 1]
        return s.state === "faulted" ? s.fault : s.suspect() ? "suspect" : s.lastReason
    }

    /**
     * Reads the shown socket's code from flash (one code in the heap at a time); a code that
     * is missing or fails its checks is not drawn: the socket's number and a short text are.
     */
    private async load() {
        const f = this.focus
        this.loaded = f
        let size = 21
        this.bits = null
        if (f === 0) {
            this.fallback = [word(W_BUSY, this.lang)]
            this.codeKey = "-"
        } else if (this.stateOf(f) === "faulted") {
            // a faulted socket's turn: what it is, in the rider's words, and the code for service
            this.fallback = faultCard(f, this.note(f), this.lang)
            this.codeKey = f + "!" + this.note(f)
        } else {
            const code = await loadPayCode(payCodeKey(f))
            const err = code === null ? "missing" : payCodeError(code)
            if (err) {
                this.fallback = ["" + f, word(W_NOCODE, this.lang)]
                if (this.codeKey !== f + err) console.log("display: socket " + f + " pay code " + err)
                this.codeKey = f + err
            } else {
                this.bits = unpackPayCode(code)
                size = this.bits[0]
                this.codeKey = f + ":" + code.slice(code.length - 8)
            }
        }
        // one header line above the sockets
        this.layout = this.out.plan(this.out.width, this.out.height, size, this.sup.sockets.length + 1, this.lang === LANG_ZH ? 16 : 0)
    }

    /** Pixels a line has in cell `i` (its text starts pad() in). */
    private maxW(i: number): number {
        const L = this.layout
        return (i < L.cells.length ? L.cells[i].w : this.out.width) - pad(L.text)
    }

    /** The service button picked socket `focus` (its code and page shown, its line highlighted) and says `message`. */
    select(focus: number, message: string, nowMs: number) {
        if (focus > 0) this.focus = focus
        this.message = message
        this.heldUntil = nowMs + HOLD_MS
        this.lastCycle = nowMs
    }

    async refresh(nowMs: number) {
        const sockets = this.sup.sockets
        const n = sockets.length
        const held = nowMs < this.heldUntil
        // the first refresh shows a code at once; then the next socket that can take a
        // payment every CYCLE_MS, its code read again from flash (a new one may have come)
        if (!held && (this.loaded < 0 || nowMs - this.lastCycle >= CYCLE_MS)) {
            this.lastCycle = nowMs
            this.focus = this.next()
            await this.load()
        } else if (this.loaded !== this.focus) await this.load()
        const L = this.layout
        const online = this.online()
        // the service button's message is the service person's (English, as the log)
        const header = held && this.message ? fitWords(this.message, this.maxW(0), L.text) : headerLine(online, this.lang)
        const lines: string[] = [header]
        const tones: number[] = [headerTone(online)]
        let focusLine = -1
        // the shown socket's line, then the busy ones (taking turns), then its page's
        let busy = ""
        for (let i = 0; i < n; i++) busy += sockets[i].state === "idle" && !sockets[i].suspect() ? "0" : "1"
        const shown = pageSockets(busy, this.focus, Math.max(1, L.perPage - 1), Math.floor(nowMs / CYCLE_MS))
        for (let k = 0; k < shown.length; k++) {
            const i = shown[k] - 1
            const s = sockets[i]
            // a suspect socket (its last starts drew nothing) shows as a fault until it is cleared
            const state = this.stateOf(i + 1)
            const note = this.note(i + 1)
            if (i + 1 === this.focus) focusLine = lines.length
            lines.push(socketLine(i + 1, state, s.durationS() / 60, s.energy(), note, this.lang, this.maxW(lines.length), L.text))
            tones.push(socketTone(state, note))
        }
        this.lines = lines
        this.focusLine = focusLine
        const regions: Region[] = []
        // the code is painted (and sent) only when it changes, the cells only when theirs did;
        // everything when the layout moved (another QR version): code and cells tile the screen
        const code = L.code
        const cells = L.cells
        const layoutKey = code.w + "x" + code.h + "/" + cells.length
        const all = layoutKey !== this.shownLayout
        this.shownLayout = layoutKey
        if (all || this.codeKey !== this.shownCode) {
            this.shownCode = this.codeKey
            regions.push({ x: code.x, y: code.y, w: code.w, h: code.h, tone: this.bits ? TONE_TEXT : TONE_ALERT, part: -1 })
        }
        for (let i = 0; i < cells.length; i++) {
            const tone = i < tones.length ? tones[i] : TONE_TEXT
            const key = (i === focusLine ? "*" : " ") + (i < lines.length ? lines[i] : "")
            if (!all && key === this.shownLines[i] && tone === this.shownTones[i]) continue
            this.shownLines[i] = key
            this.shownTones[i] = tone
            const c = cells[i]
            regions.push({ x: c.x, y: c.y, w: c.w, h: c.h, tone: tone, part: i })
        }
        if (regions.length === 0) return
        await this.out.show(regions, this)
        // the code is on the screen (the OLED's framebuffer, the TFT's memory) and is read
        // again only for the next cycle: its modules need not stay in the VM's heap
        if (regions[0].part < 0) this.bits = null
    }

    paint(img: Image, r: Region, dx: number, dy: number, on: number) {
        img.fillRect(r.x + dx, r.y + dy, r.w, r.h, 0)
        if (r.part < 0) {
            if (this.bits) this.paintQr(img, dx, dy, on)
            else paintLines(img, r, dx, dy, on, this.fallback, this.layout.text, this.lang === LANG_ZH ? 16 : 0)
        } else if (r.part < this.layout.cells.length) this.paintCell(img, r.part, dx, dy, on)
    }

    /** The code, light modules and quiet zone lit (phones read dark-on-light); only its rows inside `img`. */
    private paintQr(img: Image, dx: number, dy: number, on: number) {
        const L = this.layout
        const m = L.module
        const bits = this.bits
        const n = bits[0]
        const q = L.quiet * m
        const side = n * m + 2 * q
        const qx = L.qrX + dx
        const qy = L.qrY + dy
        img.fillRect(qx - q, qy - q, side, side, on)
        const y0 = Math.max(0, Math.floor(-qy / m))
        const y1 = Math.min(n, Math.ceil((img.height - qy) / m))
        for (let y = y0; y < y1; y++) for (let x = 0; x < n; x++) if (isDark(bits, x, y)) img.fillRect(qx + x * m, qy + y * m, m, m, 0)
    }

    /** One line in its cell, centred vertically; the focused socket's line inverted. */
    private paintCell(img: Image, i: number, dx: number, dy: number, on: number) {
        const c = this.layout.cells[i]
        const line = i < this.lines.length ? this.lines[i] : ""
        const s = this.layout.text
        const barH = Math.min(c.h, Math.max((CHAR_H + 2) * s, this.lang === LANG_ZH ? 16 : 0))
        const x = c.x + dx
        const tx = x + pad(s)
        const top = c.y + dy + Math.floor((c.h - barH) / 2)
        if (i !== this.focusLine) {
            drawText(img, line, tx, top, barH, on, s)
        } else if (s > 1) {
            // a scaled font is drawn with fillRect: dark text on a lit bar
            img.fillRect(x, top, c.w, barH, on)
            drawText(img, line, tx, top, barH, 0, s)
        } else {
            // the 1x font is drawn as a transparent 1-bpp glyph, which on a 1-bpp image can
            // only light pixels: the bar is inverted pixel by pixel (66x10 px on the OLED)
            drawText(img, line, tx, top, barH, on, s)
            const y1 = Math.min(top + barH, img.height)
            for (let y = Math.max(top, 0); y < y1; y++) for (let px = x; px < x + c.w; px++) img.set(px, y, img.get(px, y) ? 0 : on)
        }
    }
}

/** Text inset from a cell's left edge: 1 px at 1x (a gap after the code's lit quiet zone on the OLED), 2 px a scale else. */
function pad(scale: number): number {
    return scale > 1 ? 2 * scale : 1
}

/** Centred lines in region `r` at text scale `scale`, rows at least `rowH` px (the code's area without a code, safe mode). */
function paintLines(img: Image, r: Region, dx: number, dy: number, on: number, lines: string[], scale: number, rowH: number) {
    const h = Math.max((CHAR_H + 2) * scale, rowH)
    const top = r.y + Math.floor((r.h - lines.length * h) / 2)
    for (let i = 0; i < lines.length; i++) drawText(img, lines[i], r.x + dx + ((r.w - textWidth(lines[i], scale)) >> 1), top + i * h + dy, h, on, scale)
}

/** Board-wide messages (safe mode): centred lines in the alert colour. */
class MessagePainter implements Painter {
    constructor(
        private lines: string[],
        private scale: number
    ) {}
    paint(img: Image, r: Region, dx: number, dy: number, on: number) {
        img.fillRect(r.x + dx, r.y + dy, r.w, r.h, 0)
        paintLines(img, r, dx, dy, on, this.lines, this.scale, 0)
    }
}

export async function showMessage(out: ScreenOut, lines: string[]) {
    const s = Math.min(out.width, out.height) >= 160 ? 2 : 1
    await out.show([{ x: 0, y: 0, w: out.width, h: out.height, tone: TONE_ALERT, part: 0 }], new MessagePainter(lines, s))
}

// ---- the 128x64 SSD1306 OLED ----

/**
 * the OLED's I2C address: docs/hardware.md's 0x3C, the usual 128x64 module's (0x3D, the address
 * DeviceScript's SSD1306Driver defaults to, was used before and never matched the board)
 */
const OLED_ADDR = 0x3c
/** SSD1306 commands, a command byte a write (the bytes in the program image, not the heap) */
async function oledCommands(cmds: Buffer) {
    for (let i = 0; i < cmds.length; i++) await i2c.writeReg(OLED_ADDR, 0x80, cmds[i])
}

/** The whole 1-bpp framebuffer (column-major, as the panel's vertical addressing takes it) to the panel. */
async function oledFrame(fb: Image) {
    // the window: columns 0..127, pages 0..7
    await oledCommands(hex`21 00 7f 22 00 07`)
    await i2c.writeRegBuf(OLED_ADDR, 0x40, fb.buffer)
}

/**
 * A 1-bpp framebuffer with the regions painted in; then the SSD1306 shows it, or in the
 * simulator it goes to an indexed screen on the bus, a slice of columns per packet.
 */
class FramebufferOut implements ScreenOut {
    readonly width: number
    readonly height: number
    readonly plan: Planner = planLandscape
    private screen: ds.IndexedScreen = null
    constructor(
        private fb: Image,
        /** the SSD1306 is there (not in the simulator) */
        private panel: boolean
    ) {
        this.width = fb.width
        this.height = fb.height
        if (!panel) this.screen = new ds.IndexedScreen("screen")
    }

    async show(regions: Region[], p: Painter) {
        // whole columns from the leftmost region to the right edge (the simulator counts a
        // frame when a window reaches the bottom-right corner)
        let fromX = this.width
        for (let i = 0; i < regions.length; i++) {
            p.paint(this.fb, regions[i], 0, 0, 1)
            fromX = Math.min(fromX, regions[i].x)
            // the code and every line painted at once (a new layout) run past the VM's 128K
            // steps without a yield: an InfiniteLoop panic and a restart (seen in the soak)
            await ds.sleep(0)
        }
        if (this.panel) {
            await oledFrame(this.fb)
            return
        }
        const img = this.fb
        const colBytes = (img.height + 7) >> 3
        const cols = Math.floor(224 / colBytes)
        const buf = img.buffer
        for (let x = fromX; x < img.width; x += cols) {
            const w = Math.min(cols, img.width - x)
            await this.screen.startUpdate(x, 0, w, img.height)
            await this.screen.setPixels(buf.slice(x * colBytes, (x + w) * colBytes))
        }
    }
}

/** Brings up the 128x64 OLED on the board's I2C bus (in the simulator: the bus screen). */
export async function startOled(): Promise<ScreenOut> {
    const fb = Image.alloc(128, 64, 1, Buffer.alloc(1024))
    const panel = !ds.isSimulator()
    if (panel) {
        // what DeviceScript's SSD1306Driver sends to bring up a 128x64 panel on its own charge
        // pump: display off, vertical addressing, turned 180 degrees, start line 0, 64 rows,
        // offset 0, COM pins, clock, precharge, charge pump on, VCOM level, contrast 255, not
        // inverted; the first frame; then follow RAM, current reference, display on
        try {
            await oledCommands(hex`ae 20 01 c8 a1 40 a8 3f d3 00 da 12 d5 80 d9 f1 8d 14 db 30 81 ff a6`)
            await oledFrame(fb)
            await oledCommands(hex`a4 ad 30 af`)
        } catch (e) {
            // a board without a working display still charges and takes payments from the cloud
            console.log("display: I2C device not found or malfunctioning: " + e)
        }
    }
    return new FramebufferOut(fb, panel)
}

// ---- the 240x240 ST7789 colour TFT ----

const ST_CASET = 0x2a
const ST_RASET = 0x2b
const ST_RAMWR = 0x2c
const ST_MADCTL = 0x36

/**
 * An ST7789 written a window at a time (DeviceScript's ST7789Driver only sends a whole 4-bpp
 * framebuffer). The same init sequence as DeviceScript's driver.
 */
class St7789Panel extends FourWireDriver<STLikeDisplayOptions> {
    async init() {
        await this.initPins()
        await this.sendSeq(hex`
01 80 78 // SWRESET + 120ms
11 80 78 // SLPOUT + 120ms
21 00    // INVON (IPS panels)
3A 01 55 // COLMOD 16 bit
13 80 0A // NORON + 10ms
29 80 0A // DISPON + 10ms
`)
        // row-major from the top-left corner; turned 180 degrees if asked
        await this.sendCmd(ST_MADCTL, this.options.flip ? 0xc0 : 0x00)
    }

    /** Sends a 4-bpp image (even height) to the window at (x, y), through the palette as RGB565. */
    async send(band: Image, x: number, y: number, palette: Palette) {
        if (ds.isSimulator()) return
        const x0 = x + (this.options.offX || 0)
        const y0 = y + (this.options.offY || 0)
        const x1 = x0 + band.width - 1
        const y1 = y0 + band.height - 1
        await this.sendCmd(ST_CASET, x0 >> 8, x0 & 0xff, x1 >> 8, x1 & 0xff)
        await this.sendCmd(ST_RASET, y0 >> 8, y0 & 0xff, y1 >> 8, y1 & 0xff)
        await this.cmdPrep(ST_RAMWR)
        await spiSendImage({ spi: this.options.spi, image: band, palette: palette, flags: SpiImageFlags.MODE_565 | SpiImageFlags.BY_ROW })
        await this.cmdFinish()
    }
}

/** bytes per column of a 4-bpp DeviceScript image `h` px high (4-byte aligned) */
function stride4(h: number): number {
    return ((h * 4 + 31) >> 5) << 2
}

/** bytes for one 4-bpp band: 240 px wide x 16 rows */
const BAND_BYTES = 1920

/**
 * Colour per tone in DeviceScript's arcade palette (0 black, 1 white, 2 red, 5 yellow,
 * 7 green, 9 light blue): text white, free white, waiting yellow, charging light blue,
 * full green, fault or offline red; on black.
 */
const TONE_COLOURS = hex`01 01 05 09 07 02`

/**
 * The TFT: each region is painted into 4-bpp bands (lit pixels in the region's colour) that go
 * to the panel's window one after the other. In the simulator the bands go to a 4-bpp indexed
 * screen on the bus instead.
 */
class TftOut implements ScreenOut {
    readonly width = 240
    readonly height = 240
    readonly plan: Planner = planSquare
    private band = Buffer.alloc(BAND_BYTES)
    private palette = Palette.arcade()
    private screen: ds.IndexedScreen = null
    constructor(private panel: St7789Panel) {
        if (ds.isSimulator()) this.screen = new ds.IndexedScreen("screen")
    }

    async show(regions: Region[], p: Painter) {
        for (let i = 0; i < regions.length; i++) {
            const r = regions[i]
            if (r.w <= 0 || r.h <= 0) continue
            const colour = r.tone >= 0 && r.tone < TONE_COLOURS.length ? TONE_COLOURS[r.tone] : 1
            let rows = 2
            while (rows + 2 <= r.h + (r.h & 1) && stride4(rows + 2) * r.w <= BAND_BYTES) rows += 2
            let y = r.y
            const bottom = r.y + r.h
            while (y < bottom) {
                let h = Math.min(rows, bottom - y)
                // the panel takes bands of even height: an odd remainder takes one row more, black
                // (below, or above at the bottom edge); the layout gives even rows, so it never does
                if (h & 1) {
                    h++
                    if (y + h > this.height) y--
                }
                const band = Image.alloc(r.w, h, 4, this.band)
                band.fill(0)
                p.paint(band, r, -r.x, -y, colour)
                await this.panel.send(band, r.x, y, this.palette)
                if (this.screen) await this.sendBus(band, r.x, y)
                y += h
            }
        }
    }

    private async sendBus(band: Image, x: number, y: number) {
        const colBytes = stride4(band.height)
        const cols = Math.floor(224 / colBytes)
        for (let c = 0; c < band.width; c += cols) {
            const w = Math.min(cols, band.width - c)
            await this.screen.startUpdate(x + c, y, w, band.height)
            await this.screen.setPixels(this.band.slice(c * colBytes, (c + w) * colBytes))
        }
    }
}

export interface TftPins extends STLikeDisplayOptions {
    sck: ds.OutputPin
    mosi: ds.OutputPin
    miso?: ds.InputPin
    /** SPI clock (Hz); the bus is shared with the metering chip */
    hz?: number
}

/** Brings up the 240x240 ST7789 on SPI (in the simulator: the bus screen). */
export async function startTft(p: TftPins): Promise<ScreenOut> {
    const panel = new St7789Panel({ cs: p.cs, dc: p.dc, reset: p.reset, spi: spi, flip: p.flip, offX: p.offX, offY: p.offY })
    if (!ds.isSimulator()) {
        try {
            spi.configure({ sck: p.sck, mosi: p.mosi, miso: p.miso, mode: 0, hz: p.hz || 20000000 })
            await panel.init()
        } catch (e) {
            console.log("display: " + e)
        }
    }
    return new TftOut(panel)
}
