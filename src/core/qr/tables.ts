// QR Code Model 2 tables for versions 1-10 (ISO/IEC 18004, table 9). Index: [ecc][version].

/**
 * Error correction levels in table order. The format information encodes L, M, Q, H as
 * 1, 0, 3, 2: the index with its low bit flipped (formatBits).
 */
const ECC_NAMES = "LMQH"

export const MAX_VERSION = 10

// The tables as strings, one character per entry: its code minus 32 (printable, no NUL),
// index [ecc * 11 + version], version 0 unused. Strings live in the program image, where
// arrays of arrays are built in the VM's heap at boot and kept (~1 KB) and take code to build.
const ECC_CODEWORDS_PER_BLOCK = " '*/4:248>2 *0:280266: -62:282648 1<606<::8<"
const NUM_ERROR_CORRECTION_BLOCKS = ' !!!!!""""$ !!!""$$$%% !!""$$&&(( !!"$$$%&(('

/** ECC codewords per block (ISO/IEC 18004 table 9). */
export function eccCodewordsPerBlock(ecc: number, ver: number): number {
    return ECC_CODEWORDS_PER_BLOCK.charCodeAt(ecc * 11 + ver) - 32
}

/** Error correction blocks (ISO/IEC 18004 table 9). */
export function numErrorCorrectionBlocks(ecc: number, ver: number): number {
    return NUM_ERROR_CORRECTION_BLOCKS.charCodeAt(ecc * 11 + ver) - 32
}

/** What the format information encodes for an error correction level (index in "LMQH"). */
export function formatBits(ecc: number): number {
    return ecc ^ 1
}

export function eccName(ecc: number): string {
    return ECC_NAMES.charAt(ecc)
}

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
    return Math.floor(numRawDataModules(ver) / 8) - eccCodewordsPerBlock(ecc, ver) * numErrorCorrectionBlocks(ecc, ver)
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

/** Index of an error correction level ("L", "M", "Q", "H"), -1 for anything else. */
export function eccIndex(name: string): number {
    return typeof name === "string" && name.length === 1 ? ECC_NAMES.indexOf(name) : -1
}
