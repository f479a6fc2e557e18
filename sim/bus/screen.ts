// The shed's display, simulated: an indexed screen on the bus that the firmware draws to (its
// 1-bpp framebuffer, column-major like DeviceScript's Image, sent a slice of columns at a time).
// Every complete frame is kept and can be written as PNG.
import { PNG } from "pngjs"
import { JDServiceServer, SRV_INDEXED_SCREEN } from "jacdac-ts"

export class SimScreen extends JDServiceServer {
    /** 1 = lit pixel; column-major bytes, LSB = top row of each group of 8 */
    readonly fb: Uint8Array
    private clip = { x: 0, y: 0, w: 0, h: 0 }
    frames = 0
    /** when the last slice that reached the right edge arrived (ms since epoch) */
    lastFrameAt = 0

    constructor(
        readonly width = 128,
        readonly height = 64
    ) {
        super(SRV_INDEXED_SCREEN, { instanceName: "screen" })
        this.addRegister(0x185, [width])
        this.addRegister(0x186, [height])
        this.addRegister(0x180, [1])
        this.addCommand(0x81, pkt => {
            const [x, y, w, h] = pkt.jdunpack<[number, number, number, number]>("u16 u16 u16 u16")
            this.clip = { x, y, w, h }
        })
        this.addCommand(0x83, pkt => this.pixels(pkt.data))
        this.fb = new Uint8Array(width * ((height + 7) >> 3))
    }

    private pixels(data: Uint8Array) {
        const { x, y, w, h } = this.clip
        const colBytes = (h + 7) >> 3
        for (let c = 0; c < w && x + c < this.width; c++)
            for (let r = 0; r < h && y + r < this.height; r++) {
                const on = (data[c * colBytes + (r >> 3)] >> (r & 7)) & 1
                this.set(x + c, y + r, on)
            }
        if (x + w >= this.width) {
            this.frames++
            this.lastFrameAt = Date.now()
        }
    }

    private set(x: number, y: number, on: number) {
        const i = x * ((this.height + 7) >> 3) + (y >> 3)
        if (on) this.fb[i] |= 1 << (y & 7)
        else this.fb[i] &= ~(1 << (y & 7))
    }

    get(x: number, y: number): number {
        return (this.fb[x * ((this.height + 7) >> 3) + (y >> 3)] >> (y & 7)) & 1
    }

    /** The screen as a PNG, each pixel `scale` px wide, lit pixels white on black. */
    png(scale = 4): Buffer {
        const png = new PNG({ width: this.width * scale, height: this.height * scale })
        for (let y = 0; y < png.height; y++)
            for (let x = 0; x < png.width; x++) {
                const v = this.get(Math.floor(x / scale), Math.floor(y / scale)) ? 255 : 0
                const i = (y * png.width + x) * 4
                png.data[i] = png.data[i + 1] = png.data[i + 2] = v
                png.data[i + 3] = 255
            }
        return PNG.sync.write(png)
    }
}
