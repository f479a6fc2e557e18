// The QR symbol's module grid: function patterns, codeword placement, masks, format and
// version information, and the standard penalty score used to pick a mask.

import { alignmentPositions } from "./tables"

export class QrMatrix {
    readonly size: number
    /**
     * 1 dark, 0 light; row-major: index y * size + x. Byte buffers, not arrays: a version 10
     * symbol as two JS arrays would take most of the VM's 64 KB heap.
     */
    readonly modules: Buffer
    readonly isFunction: Buffer

    constructor(readonly version: number) {
        this.size = version * 4 + 17
        this.modules = Buffer.alloc(this.size * this.size)
        this.isFunction = Buffer.alloc(this.size * this.size)
    }

    dark(x: number, y: number): boolean {
        return this.modules[y * this.size + x] === 1
    }

    private setFn(x: number, y: number, dark: boolean) {
        this.modules[y * this.size + x] = dark ? 1 : 0
        this.isFunction[y * this.size + x] = 1
    }

    drawFunctionPatterns(eccFormat: number) {
        const size = this.size
        for (let i = 0; i < size; i++) {
            this.setFn(6, i, i % 2 === 0)
            this.setFn(i, 6, i % 2 === 0)
        }
        this.drawFinder(3, 3)
        this.drawFinder(size - 4, 3)
        this.drawFinder(3, size - 4)
        const pos = alignmentPositions(this.version)
        const n = pos.length
        for (let i = 0; i < n; i++)
            for (let j = 0; j < n; j++) {
                const corner = (i === 0 && j === 0) || (i === 0 && j === n - 1) || (i === n - 1 && j === 0)
                if (!corner) this.drawAlignment(pos[i], pos[j])
            }
        // reserve the format area now; the real bits are drawn per mask
        this.drawFormatBits(eccFormat, 0)
        this.drawVersion()
    }

    private drawFinder(cx: number, cy: number) {
        for (let dy = -4; dy <= 4; dy++)
            for (let dx = -4; dx <= 4; dx++) {
                const d = Math.max(Math.abs(dx), Math.abs(dy))
                const x = cx + dx
                const y = cy + dy
                if (x >= 0 && x < this.size && y >= 0 && y < this.size) this.setFn(x, y, d !== 2 && d !== 4)
            }
    }

    private drawAlignment(cx: number, cy: number) {
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) this.setFn(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1)
    }

    /** Format information: ECC level and mask, BCH(15,5) protected, in its two copies. */
    drawFormatBits(eccFormat: number, mask: number) {
        const bits = formatInformation(eccFormat, mask)
        const size = this.size
        for (let i = 0; i <= 5; i++) this.setFn(8, i, ((bits >>> i) & 1) !== 0)
        this.setFn(8, 7, ((bits >>> 6) & 1) !== 0)
        this.setFn(8, 8, ((bits >>> 7) & 1) !== 0)
        this.setFn(7, 8, ((bits >>> 8) & 1) !== 0)
        for (let i = 9; i < 15; i++) this.setFn(14 - i, 8, ((bits >>> i) & 1) !== 0)
        for (let i = 0; i < 8; i++) this.setFn(size - 1 - i, 8, ((bits >>> i) & 1) !== 0)
        for (let i = 8; i < 15; i++) this.setFn(8, size - 15 + i, ((bits >>> i) & 1) !== 0)
        this.setFn(8, size - 8, true)
    }

    private drawVersion() {
        if (this.version < 7) return
        const bits = versionInformation(this.version)
        for (let i = 0; i < 18; i++) {
            const dark = ((bits >>> i) & 1) !== 0
            const a = this.size - 11 + (i % 3)
            const b = Math.floor(i / 3)
            this.setFn(a, b, dark)
            this.setFn(b, a, dark)
        }
    }

    private zzRight = -1
    private zzVert = 0
    private zzBit = 0

    /**
     * Place the codewords in the zigzag order, skipping function modules, at most `budget`
     * modules per call (the VM's step limit). True when every module is placed.
     */
    drawCodewords(data: Buffer, budget: number): boolean {
        const size = this.size
        if (this.zzRight < 0) {
            this.zzRight = size - 1
            this.zzVert = 0
            this.zzBit = 0
        }
        let done = 0
        while (this.zzRight >= 1) {
            if (this.zzRight === 6) this.zzRight = 5
            const right = this.zzRight
            const upward = ((right + 1) & 2) === 0
            while (this.zzVert < size) {
                if (done >= budget) return false
                const y = upward ? size - 1 - this.zzVert : this.zzVert
                for (let j = 0; j < 2; j++) {
                    const x = right - j
                    if (!this.isFunction[y * size + x] && this.zzBit < data.length * 8) {
                        this.modules[y * size + x] = (data[this.zzBit >>> 3] >>> (7 - (this.zzBit & 7))) & 1
                        this.zzBit++
                    }
                }
                this.zzVert++
                done += 2
            }
            this.zzVert = 0
            this.zzRight -= 2
        }
        return true
    }

    /** XOR a mask pattern over the data modules of rows y0..y1-1 (applying it twice undoes it). */
    applyMask(mask: number, y0: number, y1: number) {
        const size = this.size
        for (let y = y0; y < y1; y++)
            for (let x = 0; x < size; x++) {
                if (this.isFunction[y * size + x]) continue
                if (maskBit(mask, x, y)) this.modules[y * size + x] ^= 1
            }
    }
}

export function maskBit(mask: number, x: number, y: number): boolean {
    if (mask === 0) return (x + y) % 2 === 0
    if (mask === 1) return y % 2 === 0
    if (mask === 2) return x % 3 === 0
    if (mask === 3) return (x + y) % 3 === 0
    if (mask === 4) return (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0
    if (mask === 5) return ((x * y) % 2) + ((x * y) % 3) === 0
    if (mask === 6) return (((x * y) % 2) + ((x * y) % 3)) % 2 === 0
    return (((x + y) % 2) + ((x * y) % 3)) % 2 === 0
}

/** 15-bit format information for an ECC level's format code and a mask. */
export function formatInformation(eccFormat: number, mask: number): number {
    const data = (eccFormat << 3) | mask
    let rem = data
    for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537)
    return ((data << 10) | rem) ^ 0x5412
}

/** 18-bit version information (versions 7 and up). */
export function versionInformation(ver: number): number {
    let rem = ver
    for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25)
    return (ver << 12) | rem
}
