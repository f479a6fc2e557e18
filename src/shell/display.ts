// The shed's display: the pay QR code as large and sharp as the screen allows, and one line per
// socket. Drawn into the display driver's framebuffer and shown only when something changed.
// On a board the SSD1306 shows it; in the simulator the same framebuffer goes out on the bus
// to an indexed screen (the simulator captures it as PNG).
import * as ds from "@devicescript/core"
import { Image } from "@devicescript/graphics"
import { SSD1306Driver } from "@devicescript/drivers/src/ssd1306"
import { QrEncoder } from "../core/qr/encoder"
import { planLayout, payUrl, ScreenLayout } from "../core/screen-layout"
import { headerLine, socketLine } from "../core/screen-text"
import { Supervisor } from "../core/supervisor"

const CHAR_W = 6
const CHAR_H = 8
/** a socket code (template with {socket}) cycles through the sockets this often (ms) */
const CYCLE_MS = 8000

export interface ScreenOut {
    /** show columns `fromX`.. of the framebuffer (the rest is unchanged) */
    show(img: Image, fromX: number): Promise<void>
}

/** Pushes a 1-bpp framebuffer to an indexed screen on the bus, a slice of columns per packet. */
export class BusScreenOut implements ScreenOut {
    private screen = new ds.IndexedScreen("screen")
    async show(img: Image, fromX: number) {
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

export class ShedScreen {
    private shownKey = ""
    private shownQr = ""
    private qrText = ""
    private qr: Buffer = null
    private qrSize = 0
    private layout: ScreenLayout = null
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
        const enc = new QrEncoder(text, "M")
        while (!enc.step()) await ds.sleep(0)
        this.qr = enc.result.modules
        this.qrSize = enc.result.size
        this.qrText = text
        // one header line above the sockets
        this.layout = planLayout(this.img.width, this.img.height, this.qrSize, this.sup.sockets.length + 1)
    }

    async refresh(nowMs: number) {
        const n = this.sup.sockets.length
        if (this.perSocket() && nowMs - this.lastCycle >= CYCLE_MS) {
            this.lastCycle = nowMs
            this.focus = (this.focus % n) + 1
        }
        await this.encode(payUrl(this.template, this.board, this.perSocket() ? this.focus : 0))
        const L = this.layout
        const lines: string[] = []
        const maxChars = Math.floor((L.cells.length > 0 ? L.cells[0].w : this.img.width) / CHAR_W)
        lines.push(headerLine(this.board, this.online(), maxChars))
        const page = Math.floor((this.focus > 0 ? this.focus - 1 : 0) / Math.max(1, L.perPage - 1))
        const first = page * (L.perPage - 1)
        for (let i = first; i < n && lines.length < L.perPage; i++) {
            const s = this.sup.sockets[i]
            const note = s.state === "faulted" ? s.fault : s.lastRecord ? s.lastRecord.reason : ""
            const mins = s.state === "charging" ? s.durationS() / 60 : 0
            lines.push(socketLine(i + 1, s.state, s.levelW(), mins, note, maxChars))
        }
        const key = lines.join("|")
        const qrChanged = this.qrText !== this.shownQr
        if (key === this.shownKey && !qrChanged) return
        this.shownKey = key
        // the code is drawn (and sent) only when it changes; text changes redraw the cells
        if (qrChanged) {
            this.shownQr = this.qrText
            this.img.fill(0)
            this.drawQr()
        }
        const fromX = qrChanged || L.cells.length === 0 ? 0 : L.cells[0].x
        this.drawLines(lines)
        await this.out.show(this.img, fromX)
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

    private drawLines(lines: string[]) {
        const img = this.img
        const L = this.layout
        for (let i = 0; i < L.cells.length; i++) img.fillRect(L.cells[i].x, L.cells[i].y, L.cells[i].w, L.cells[i].h, 0)
        for (let i = 0; i < lines.length && i < L.cells.length; i++) {
            const c = L.cells[i]
            const focused = this.perSocket() && i > 0 && lines[i].indexOf(this.focus + " ") === 0
            if (focused) img.fillRect(c.x, c.y, c.w, Math.min(c.h, CHAR_H + 1), 1)
            img.print(lines[i], c.x + 1, c.y + 1, focused ? 0 : 1)
        }
    }
}

/** The SSD1306 on the board's I2C bus (its own show()); the framebuffer is ours to draw. */
class OledOut implements ScreenOut {
    constructor(private d: SSD1306Driver) {}
    async show(img: Image, fromX: number) {
        await this.d.show()
    }
}

/** Brings up the 128x64 OLED (and, in the simulator, the bus screen) with its framebuffer. */
export async function startOled(): Promise<{ img: Image; out: ScreenOut }> {
    const d = new SSD1306Driver({ width: 128, height: 64 })
    try {
        await d.init()
    } catch (e) {
        // a board without a working display still charges and takes payments from the cloud
        console.log("display: " + e)
    }
    return { img: d.image, out: ds.isSimulator() ? new BusScreenOut() : new OledOut(d) }
}

/** Safe mode and other board-wide messages: centred lines, nothing else. */
export async function showMessage(img: Image, out: ScreenOut, lines: string[]) {
    img.fill(0)
    const top = Math.floor((img.height - lines.length * (CHAR_H + 2)) / 2)
    for (let i = 0; i < lines.length; i++) img.printCenter(lines[i], top + i * (CHAR_H + 2), 1)
    await out.show(img, 0)
}
