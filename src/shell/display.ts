// The shed's display: the pay QR code as large and sharp as the screen allows, and a header
// plus one line per socket. Drawn into a 1-bpp framebuffer and shown only where something
// changed. Two screens:
// - the 128x64 SSD1306 OLED (I2C): the driver's own framebuffer, sent whole;
// - the 240x240 ST7789 colour TFT (SPI): the same 1-bpp framebuffer (7.2 KB), coloured per
//   region and converted into small 4-bpp bands on the way out (a 240x240 4-bpp framebuffer
//   would take 28.8 KB of the VM's ~60 KB heap).
// In the simulator the same pixels go out on the bus to an indexed screen ("screen" role, 1 bpp
// for the OLED, the TFT's 4-bpp bands for the TFT), which the simulator captures as PNG.
import * as ds from "@devicescript/core"
import { Font, font8, Image, Palette, spiSendImage, SpiImageFlags } from "@devicescript/graphics"
import { spi } from "@devicescript/spi"
import { SSD1306Driver } from "@devicescript/drivers/src/ssd1306"
import { FourWireDriver, STLikeDisplayOptions } from "@devicescript/drivers/src/stlikedisplay"
import { QrEncoder } from "../core/qr/encoder"
import { CHAR_H, CHAR_W, pickEcc, planLayout, payUrl, Rect, ScreenLayout } from "../core/screen-layout"
import { headerLine, headerTone, socketLine, socketTone, TONE_ALERT, TONE_TEXT } from "../core/screen-text"
import { Supervisor } from "../core/supervisor"

/** a socket code (template with {socket}) cycles through the sockets this often (ms, real time) */
const CYCLE_MS = 8000

/** A part of the framebuffer to put on the screen, and what it means (its colour on a TFT). */
export interface Region {
    x: number
    y: number
    w: number
    h: number
    /** TONE_* (src/core/screen-text.ts) */
    tone: number
}

export interface ScreenOut {
    /** puts these regions of the 1-bpp framebuffer on the screen; the rest stays as it is */
    show(img: Image, regions: Region[]): Promise<void>
}

/** Pushes a 1-bpp framebuffer to an indexed screen on the bus, a slice of columns per packet. */
export class BusScreenOut implements ScreenOut {
    private screen = new ds.IndexedScreen("screen")
    async show(img: Image, regions: Region[]) {
        // whole columns from the leftmost region to the right edge (the simulator counts a
        // frame when a slice reaches the right edge)
        let fromX = img.width
        for (let i = 0; i < regions.length; i++) fromX = Math.min(fromX, regions[i].x)
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

/** The 6x8 font at `scale` (the graphics library draws a scaled font with filled rects). */
function fontAt(scale: number): Font {
    if (scale <= 1) return undefined
    const f = font8()
    return { charWidth: CHAR_W * scale, charHeight: CHAR_H * scale, data: f.data, multiplier: scale }
}

export class ShedScreen {
    private shownQr = ""
    private shownLayout = ""
    private shownLines: string[] = []
    private shownTones: number[] = []
    private qrText = ""
    private qr: Buffer = null
    private qrSize = 0
    private layout: ScreenLayout = null
    private font: Font = undefined
    private focus = 0
    private lastCycle = 0
    online: () => boolean = () => false

    constructor(
        private img: Image,
        private out: ScreenOut,
        private sup: Supervisor,
        private board: string,
        private template: string
    ) {}

    private perSocket(): boolean {
        return this.template.indexOf("{socket}") >= 0
    }

    /** Encodes the code for `text`, yielding between steps (the VM's slice limit). */
    private async encode(text: string) {
        if (text === this.qrText) return
        const lines = this.sup.sockets.length + 1
        const enc = new QrEncoder(text, pickEcc(text, this.img.width, this.img.height, lines))
        while (!enc.step()) await ds.sleep(0)
        this.qr = enc.result.modules
        this.qrSize = enc.result.size
        this.qrText = text
        // one header line above the sockets
        this.layout = planLayout(this.img.width, this.img.height, this.qrSize, lines)
        this.font = fontAt(this.layout.text)
    }

    private maxChars(i: number): number {
        const L = this.layout
        const w = i < L.cells.length ? L.cells[i].w : this.img.width
        // the font's glyphs have a blank first and last column: text starts at the cell's edge
        return Math.max(1, Math.floor(w / (CHAR_W * L.text)))
    }

    async refresh(nowMs: number) {
        const n = this.sup.sockets.length
        // the first refresh shows socket 1's code at once (the cycle does not wait CYCLE_MS)
        if (this.perSocket() && (this.focus === 0 || nowMs - this.lastCycle >= CYCLE_MS)) {
            this.lastCycle = nowMs
            this.focus = (this.focus % n) + 1
        }
        await this.encode(payUrl(this.template, this.board, this.perSocket() ? this.focus : 0))
        const L = this.layout
        const online = this.online()
        const lines: string[] = [headerLine(this.board, online, this.maxChars(0))]
        const tones: number[] = [headerTone(online)]
        let focusLine = -1
        const page = Math.floor((this.focus > 0 ? this.focus - 1 : 0) / Math.max(1, L.perPage - 1))
        const first = page * (L.perPage - 1)
        for (let i = first; i < n && lines.length < L.perPage; i++) {
            const s = this.sup.sockets[i]
            const note = s.state === "faulted" ? s.fault : s.lastRecord ? s.lastRecord.reason : ""
            const mins = s.state === "charging" ? s.durationS() / 60 : 0
            if (this.perSocket() && i + 1 === this.focus) focusLine = lines.length
            lines.push(socketLine(i + 1, s.state, s.levelW(), mins, note, this.maxChars(lines.length)))
            tones.push(socketTone(s.state, note))
        }
        const regions: Region[] = []
        // the code is drawn (and sent) only when it changes, the cells only when theirs did;
        // everything when the layout moved (another QR version)
        const layoutKey = L.code.w + "x" + L.code.h + "/" + L.cells.length
        const all = layoutKey !== this.shownLayout
        if (all) {
            this.shownLayout = layoutKey
            this.img.fill(0)
        }
        if (all || this.qrText !== this.shownQr) {
            this.shownQr = this.qrText
            this.img.fillRect(L.code.x, L.code.y, L.code.w, L.code.h, 0)
            this.drawQr()
            regions.push({ x: L.code.x, y: L.code.y, w: L.code.w, h: L.code.h, tone: TONE_TEXT })
        }
        for (let i = 0; i < L.cells.length; i++) {
            const line = i < lines.length ? lines[i] : ""
            const tone = i < tones.length ? tones[i] : TONE_TEXT
            const key = (i === focusLine ? "*" : " ") + line
            if (!all && key === this.shownLines[i] && tone === this.shownTones[i]) continue
            this.shownLines[i] = key
            this.shownTones[i] = tone
            const c = L.cells[i]
            this.drawCell(c, line, i === focusLine)
            regions.push({ x: c.x, y: c.y, w: c.w, h: c.h, tone: tone })
        }
        if (regions.length > 0) await this.out.show(this.img, regions)
    }

    private drawQr() {
        const img = this.img
        const L = this.layout
        // dark modules are "on" pixels on an OLED: draw the code inverted (light modules lit)
        // so phones read it as dark-on-light, quiet zone included
        const q = L.quiet * L.module
        img.fillRect(L.qrX - q, L.qrY - q, (this.qrSize + 2 * L.quiet) * L.module, (this.qrSize + 2 * L.quiet) * L.module, 1)
        for (let y = 0; y < this.qrSize; y++)
            for (let x = 0; x < this.qrSize; x++)
                if (this.qr[y * this.qrSize + x]) img.fillRect(L.qrX + x * L.module, L.qrY + y * L.module, L.module, L.module, 0)
    }

    /** One line in its cell, centred vertically; the focused socket's line inverted. */
    private drawCell(c: Rect, line: string, focused: boolean) {
        const img = this.img
        const s = this.layout.text
        img.fillRect(c.x, c.y, c.w, c.h, 0)
        const barH = Math.min(c.h, (CHAR_H + 2) * s)
        const top = c.y + Math.floor((c.h - barH) / 2)
        if (focused && s > 1) {
            // a scaled font is drawn with fillRect: dark text on a lit bar
            img.fillRect(c.x, top, c.w, barH, 1)
            img.print(line, c.x, top + s, 0, this.font)
            return
        }
        img.print(line, c.x, top + s, 1, this.font)
        // the 1x font is drawn as a transparent 1-bpp glyph, which on a 1-bpp image can only
        // light pixels: the bar is inverted pixel by pixel (95x10 px on the OLED)
        if (focused) for (let y = top; y < top + barH; y++) for (let x = c.x; x < c.x + c.w; x++) img.set(x, y, img.get(x, y) ? 0 : 1)
    }
}

/** The SSD1306 on the board's I2C bus (its own show()); the framebuffer is ours to draw. */
class OledOut implements ScreenOut {
    constructor(private d: SSD1306Driver) {}
    async show(img: Image, regions: Region[]) {
        await this.d.show()
    }
}

export interface ShedDisplay {
    img: Image
    out: ScreenOut
}

/** Brings up the 128x64 OLED (and, in the simulator, the bus screen) with its framebuffer. */
export async function startOled(): Promise<ShedDisplay> {
    const d = new SSD1306Driver({ width: 128, height: 64 })
    try {
        await d.init()
    } catch (e) {
        // a board without a working display still charges and takes payments from the cloud
        console.log("display: " + e)
    }
    return { img: d.image, out: ds.isSimulator() ? new BusScreenOut() : new OledOut(d) }
}

// ---- the 240x240 ST7789 colour TFT ----

const ST_CASET = 0x2a
const ST_RASET = 0x2b
const ST_RAMWR = 0x2c
const ST_MADCTL = 0x36

/**
 * An ST7789 written a window at a time (DeviceScript's ST7789Driver only sends a whole 4-bpp
 * framebuffer: 28.8 KB at 240x240). Same init sequence as DeviceScript's driver.
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
        // row-major, top-left origin; flipped 180 degrees if asked
        await this.sendCmd(ST_MADCTL, this.options.flip ? 0xc0 : 0x00)
    }

    /** Sends a 4-bpp image (even height) to the window at (x, y) through the palette. */
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
 * full green, fault or offline red. Black background.
 */
const TONE_COLOURS = hex`01 01 05 09 07 02`

/**
 * The TFT: each region of the 1-bpp framebuffer becomes 4-bpp bands (lit pixels in the region's
 * colour, the rest black) sent to the panel's window. In the simulator the same bands go to a
 * 4-bpp indexed screen on the bus.
 */
class TftOut implements ScreenOut {
    private band = Buffer.alloc(BAND_BYTES)
    private palette = Palette.arcade()
    constructor(
        private panel: St7789Panel,
        private screen: ds.IndexedScreen
    ) {}

    async show(img: Image, regions: Region[]) {
        for (let i = 0; i < regions.length; i++) {
            const r = regions[i]
            if (r.w <= 0 || r.h <= 0) continue
            const colour = r.tone >= 0 && r.tone < TONE_COLOURS.length ? TONE_COLOURS[r.tone] : 1
            let rows = 2
            while (stride4(rows + 2) * r.w <= BAND_BYTES && rows + 2 <= r.h + (r.h & 1)) rows += 2
            let y = r.y
            const bottom = r.y + r.h
            while (y < bottom) {
                let h = Math.min(rows, bottom - y)
                // the panel takes bands of even height: an odd remainder takes one row more
                // (below, or above at the screen's bottom edge); the layout avoids it
                if (h & 1) {
                    h++
                    if (y + h > img.height) y--
                }
                const band = Image.alloc(r.w, h, 4, this.band)
                band.fill(0)
                band.drawTransparentImage(img, -r.x, -y, colour)
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

/** Brings up the 240x240 ST7789 on SPI (and, in the simulator, the bus screen). */
export async function startTft(p: TftPins): Promise<ShedDisplay> {
    const panel = new St7789Panel({ cs: p.cs, dc: p.dc, reset: p.reset, spi: spi, flip: p.flip, offX: p.offX, offY: p.offY })
    if (!ds.isSimulator()) {
        try {
            spi.configure({ sck: p.sck, mosi: p.mosi, miso: p.miso, mode: 0, hz: p.hz || 20000000 })
            await panel.init()
        } catch (e) {
            console.log("display: " + e)
        }
    }
    const img = Image.alloc(240, 240, 1)
    return { img: img, out: new TftOut(panel, ds.isSimulator() ? new ds.IndexedScreen("screen") : null) }
}

/** Safe mode and other board-wide messages: centred lines, nothing else. */
export async function showMessage(img: Image, out: ScreenOut, lines: string[]) {
    const s = Math.min(img.width, img.height) >= 160 ? 2 : 1
    const font = fontAt(s)
    img.fill(0)
    const top = Math.floor((img.height - lines.length * (CHAR_H + 2) * s) / 2)
    for (let i = 0; i < lines.length; i++) img.printCenter(lines[i], top + i * (CHAR_H + 2) * s, 1, font)
    await out.show(img, [{ x: 0, y: 0, w: img.width, h: img.height, tone: TONE_ALERT }])
}
