// Render a QR module matrix to pixels (node side): RGBA for decoders, PNG for people.
import { PNG } from "pngjs"
import { QrCode } from "../src/core/qr/encoder"

export function qrToRgba(code: QrCode, scale = 4, quiet = 4): { data: Uint8ClampedArray; width: number; height: number } {
    const n = (code.size + 2 * quiet) * scale
    const data = new Uint8ClampedArray(n * n * 4).fill(255)
    for (let y = 0; y < code.size; y++)
        for (let x = 0; x < code.size; x++) {
            if (code.modules[y * code.size + x] !== 1) continue
            for (let dy = 0; dy < scale; dy++)
                for (let dx = 0; dx < scale; dx++) {
                    const px = ((y + quiet) * scale + dy) * n + (x + quiet) * scale + dx
                    data[px * 4] = data[px * 4 + 1] = data[px * 4 + 2] = 0
                }
        }
    return { data, width: n, height: n }
}

export function qrToPng(code: QrCode, scale = 8, quiet = 4): Buffer {
    const img = qrToRgba(code, scale, quiet)
    const png = new PNG({ width: img.width, height: img.height })
    png.data = Buffer.from(img.data.buffer)
    return PNG.sync.write(png)
}
