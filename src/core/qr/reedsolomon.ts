// Reed-Solomon error correction over GF(2^8) with the QR primitive polynomial x^8+x^4+x^3+x^2+1.

// byte buffers, not arrays: 768 bytes instead of several KB of the VM's 64 KB heap
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
export function rsDivisor(degree: number): number[] {
    const result: number[] = []
    for (let i = 0; i < degree - 1; i++) result.push(0)
    result.push(1)
    let root = 1
    for (let i = 0; i < degree; i++) {
        for (let j = 0; j < result.length; j++) {
            result[j] = gfMultiply(result[j], root)
            if (j + 1 < result.length) result[j] ^= result[j + 1]
        }
        root = gfMultiply(root, 0x02)
    }
    return result
}

/** The ECC codewords of a block of data codewords. */
/** The remainder of data divided by the generator, fed a few bytes at a time (VM step limit). */
export class RsRemainder {
    result: number[] = []
    constructor(private divisor: number[]) {
        for (let i = 0; i < divisor.length; i++) this.result.push(0)
    }

    feed(data: number[], from: number, to: number) {
        const div = this.divisor
        const result = this.result
        for (let k = from; k < to; k++) {
            const factor = data[k] ^ result.shift()
            result.push(0)
            for (let i = 0; i < div.length; i++) result[i] ^= gfMultiply(div[i], factor)
        }
    }
}

export function rsRemainder(data: number[], divisor: number[]): number[] {
    const r = new RsRemainder(divisor)
    r.feed(data, 0, data.length)
    return r.result
}
