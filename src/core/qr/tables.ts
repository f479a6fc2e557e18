// QR Code Model 2 tables for versions 1-10 (ISO/IEC 18004, table 9). Index: [ecc][version].

/** Error correction levels in table order; `FORMAT_BITS` is what the format information encodes. */
export const ECC_NAMES = ["L", "M", "Q", "H"]
export const FORMAT_BITS = [1, 0, 3, 2]

export const MAX_VERSION = 10

export const ECC_CODEWORDS_PER_BLOCK: number[][] = [
    [-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18],
    [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26],
    [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24],
    [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28],
]

export const NUM_ERROR_CORRECTION_BLOCKS: number[][] = [
    [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4],
    [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5],
    [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8],
    [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8],
]

/** Modules available for data and ECC (everything but function patterns and format/version). */
export function numRawDataModules(ver: number): number {
    let result = (16 * ver + 128) * ver + 64
    if (ver >= 2) {
        const numAlign = Math.floor(ver / 7) + 2
        result -= (25 * numAlign - 10) * numAlign - 55
        if (ver >= 7) result -= 36
    }
    return result
}

export function numDataCodewords(ver: number, ecc: number): number {
    return Math.floor(numRawDataModules(ver) / 8) - ECC_CODEWORDS_PER_BLOCK[ecc][ver] * NUM_ERROR_CORRECTION_BLOCKS[ecc][ver]
}

/** Centre coordinates of the alignment patterns of a version (row and column alike). */
export function alignmentPositions(ver: number): number[] {
    if (ver === 1) return []
    const numAlign = Math.floor(ver / 7) + 2
    const size = ver * 4 + 17
    const step = Math.ceil((ver * 4 + 4) / (numAlign * 2 - 2)) * 2
    const result: number[] = []
    for (let pos = size - 7; result.length < numAlign - 1; pos -= step) result.unshift(pos)
    result.unshift(6)
    return result
}

export function eccIndex(name: string): number {
    const i = ECC_NAMES.indexOf(name)
    return i
}
