// The shed's display, simulated: an indexed screen on the bus that the firmware draws to, sent
// a window at a time (start_update, then set_pixels). Two kinds, as the boards have:
// - 1 bpp (the 128x64 OLED): the firmware's 1-bpp framebuffer, column-major like DeviceScript's
//   Image (each column ceil(h/8) bytes, LSB = top row of each group of 8), 1 = lit (white);
// - 4 bpp (the 240x240 TFT): the very 4-bpp bands the firmware sends the ST7789, column-major
//   with DeviceScript's 4-bpp layout (each column padded to 4 bytes, low nibble = even row),
//   shown through DeviceScript's arcade palette (Palette.arcade(), what the firmware sends the
//   panel through; the real panel gets it as RGB565).
// Every complete frame (a window reaching the bottom-right corner) is counted; the screen can be
// written as PNG.
import { PNG } from "pngjs"
import { JDServiceServer, SRV_INDEXED_SCREEN } from "jacdac-ts"

/** DeviceScript's Palette.arcade() (packages/graphics/src/palette.ts), RGB. */
export const ARCADE = [0x000000, 0xffffff, 0xff2121, 0xff93c4, 0xff8135, 0xfff609, 0x249ca3, 0x78dc52, 0x003fad, 0x87f2ff, 0x8e2ec4, 0xa4839f, 0x5c406c, 0xe5cdc4, 0x91463d, 0x000000]

export class SimScreen extends JDServiceServer {
    /** one byte per pixel, row-major: 0/1 at 1 bpp (1 = lit), the palette index at 4 bpp */
    fb: Uint8Array
    private clip = { x: 0, y: 0, w: 0, h: 0 }
    /** width, height, bits per pixel */
    private regs: ReturnType<JDServiceServer["addRegister"]>[]
    /** complete frames: windows that reached the bottom-right corner */
    frames = 0
    /** every set_pixels */
    updates = 0
    /** when the last frame ended (ms since epoch) */
    lastFrameAt = 0
    /** when the last set_pixels came (ms since epoch): a screen quiet for a while is whole, not half sent */
    lastUpdateAt = 0

    constructor(
        public width = 128,
        public height = 64,
        public bpp: 1 | 4 = 1
    ) {
        super(SRV_INDEXED_SCREEN, { instanceName: "screen" })
        this.regs = [this.addRegister(0x181, [width]), this.addRegister(0x182, [height]), this.addRegister(0x180, [bpp])]
        this.addCommand(0x81, pkt => {
            const [x, y, w, h] = pkt.jdunpack<[number, number, number, number]>("u16 u16 u16 u16")
            this.clip = { x, y, w, h }
        })
        this.addCommand(0x83, pkt => this.pixels(pkt.data))
        this.fb = new Uint8Array(width * height)
    }

    /** Another panel (before the firmware starts): a board with a bigger or colour screen. */
    resize(width: number, height: number, bpp: 1 | 4) {
        this.width = width
        this.height = height
        this.bpp = bpp
        this.regs[0].setValues([width])
        this.regs[1].setValues([height])
        this.regs[2].setValues([bpp])
        this.fb = new Uint8Array(width * height)
    }

    /** bytes per column of a window `h` px high */
    private colBytes(h: number): number {
        return this.bpp === 1 ? (h + 7) >> 3 : ((h * 4 + 31) >> 5) << 2
    }

    private pixels(data: Uint8Array) {
        const { x, y, w, h } = this.clip
        const cb = this.colBytes(h)
        for (let c = 0; c < w && x + c < this.width; c++)
            for (let r = 0; r < h && y + r < this.height; r++) {
                const v = this.bpp === 1 ? (data[c * cb + (r >> 3)] >> (r & 7)) & 1 : (data[c * cb + (r >> 1)] >> ((r & 1) * 4)) & 15
                this.fb[(y + r) * this.width + x + c] = v
            }
        this.updates++
        this.lastUpdateAt = Date.now()
        // a frame ends with the window holding the bottom-right corner: the firmware sends the
        // OLED in whole-height columns from left to right, the TFT's regions in screen order
        if (x + w >= this.width && y + h >= this.height) {
            this.frames++
            this.lastFrameAt = Date.now()
        }
    }

    /** 1 bpp: 1 when lit; 4 bpp: the palette index */
    get(x: number, y: number): number {
        return this.fb[y * this.width + x]
    }

    /** the pixel's colour, 0xRRGGBB */
    rgb(x: number, y: number): number {
        const v = this.get(x, y)
        return this.bpp === 1 ? (v ? 0xffffff : 0) : ARCADE[v]
    }

    /** The screen as a PNG, each pixel `scale` px wide (1 bpp: lit pixels white on black). */
    png(scale = 4): Buffer {
        const png = new PNG({ width: this.width * scale, height: this.height * scale })
        for (let y = 0; y < png.height; y++)
            for (let x = 0; x < png.width; x++) {
                const c = this.rgb(Math.floor(x / scale), Math.floor(y / scale))
                const i = (y * png.width + x) * 4
                png.data[i] = c >> 16
                png.data[i + 1] = (c >> 8) & 255
                png.data[i + 2] = c & 255
                png.data[i + 3] = 255
            }
        return PNG.sync.write(png)
    }
}
