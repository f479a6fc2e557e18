// Reed-Solomon error correction over GF(2^8) with the QR primitive polynomial x^8+x^4+x^3+x^2+1.
// Byte buffers throughout, not arrays: a number in a VM array takes 8 bytes of its 64 KB heap.

let EXP: Buffer = null
let LOG: Buffer = null

/** exp/log tables of GF(256): a multiply is two look-ups (the VM counts every opcode). */
function tables() {
    if (EXP) return
    EXP = Buffer.alloc(512)
    LOG = Buffer.alloc(256)
    let x = 1
    for (let i = 0; i < 255; i++) {
        EXP[i] = x
        LOG[x] = i
        x <<= 1
        if (x & 0x100) x ^= 0x11d
    }
    for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]
}

export function gfMultiply(x: number, y: number): number {
    if (x === 0 || y === 0) return 0
    tables()
    return EXP[LOG[x] + LOG[y]]
}

/** Generator polynomial of the given degree, coefficients from the highest power down, leading 1 dropped. */
export function rsDivisor(degree: number): Buffer {
    const result = Buffer.alloc(degree)
    result[degree - 1] = 1
    let root = 1
    for (let i = 0; i < degree; i++) {
        for (let j = 0; j < degree; j++) {
            let c = gfMultiply(result[j], root)
            if (j + 1 < degree) c ^= result[j + 1]
            result[j] = c
        }
        root = gfMultiply(root, 0x02)
    }
    return result
}

/** The remainder of data divided by the generator (the ECC codewords), fed a few bytes at a time (VM step limit). */
export class RsRemainder {
    readonly result: Buffer
    constructor(private divisor: Buffer) {
        this.result = Buffer.alloc(divisor.length)
    }

    /** Feeds data[from..to-1]. */
    feed(data: Buffer, from: number, to: number) {
        const div = this.divisor
        const r = this.result
        const n = div.length
        for (let k = from; k < to; k++) {
            const factor = data[k] ^ r[0]
            // shift the remainder by one codeword and subtract factor x divisor
            for (let i = 0; i < n; i++) r[i] = (i + 1 < n ? r[i + 1] : 0) ^ gfMultiply(div[i], factor)
        }
    }
}

export function rsRemainder(data: Buffer, divisor: Buffer): Buffer {
    const r = new RsRemainder(divisor)
    r.feed(data, 0, data.length)
    return r.result
}
