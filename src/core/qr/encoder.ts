// QR Code Model 2 encoder, versions 1-10, ECC L/M/Q/H. Incremental: `step()` does one bounded
// piece of work (encode, error correction, placement, one mask's rows, its columns, its
// blocks...) so the DeviceScript VM can yield between steps and stay under its step limit;
// `encodeQr` runs all steps at once (node, tests, tools).

import { balancePenalty, blockPenalty, columnPenalty, rowPenalty } from "./penalty"
import { QrMatrix } from "./matrix"
import { rsDivisor, RsRemainder } from "./reedsolomon"
import { BitWriter, fieldCount, makeSegment, MODE_ALNUM, Segment, segmentBits, writeFields } from "./segments"
import { eccCodewordsPerBlock, eccIndex, eccName, formatBits, MAX_VERSION, numDataCodewords, numErrorCorrectionBlocks, numRawDataModules } from "./tables"

export interface QrCode {
    version: number
    size: number
    ecc: string
    mask: number
    /** "alphanumeric" | "byte" */
    mode: string
    /** row-major, 1 dark */
    modules: Buffer
}

export class QrError extends Error {}

/** Smallest version 1..10 whose capacity at this ECC holds the segment, or -1. */
export function chooseVersion(seg: Segment, ecc: number): number {
    for (let v = 1; v <= MAX_VERSION; v++) {
        const bits = segmentBits(seg, v)
        if (bits >= 0 && bits <= numDataCodewords(v, ecc) * 8) return v
    }
    return -1
}

/** Modules handled per step: keeps every step well under the VM's ~128K-opcode slice. */
const STEP_MODULES = 300
/** Reed-Solomon field multiplications per step. */
const RS_MULS_PER_STEP = 300
/** Data fields (bytes, character pairs) written per step. */
const STEP_FIELDS = 48

export class QrEncoder {
    private stage = 0
    private ecc: number
    private seg: Segment
    private version: number
    /** the data codewords, then (after error correction) all codewords interleaved */
    private data: Buffer = null
    private matrix: QrMatrix
    private mask = 0
    private part = 0
    private line = 0
    private score = 0
    private dark = 0
    private bestMask = 0
    private bestScore = 1e12
    result: QrCode = null

    constructor(text: string, eccName: string) {
        this.ecc = eccIndex(eccName)
        if (this.ecc < 0) throw new QrError("unknown error correction level " + eccName + ": use L, M, Q or H")
        this.seg = makeSegment(text)
        this.version = chooseVersion(this.seg, this.ecc)
        if (this.version < 0) {
            const cap = numDataCodewords(MAX_VERSION, this.ecc)
            throw new QrError(
                "text too long for a QR code up to version " +
                    MAX_VERSION +
                    " at ECC " +
                    eccName +
                    ": " +
                    this.seg.count +
                    (this.seg.mode === MODE_ALNUM ? " characters" : " bytes") +
                    ", the version " +
                    MAX_VERSION +
                    " symbol holds " +
                    cap +
                    " data codewords"
            )
        }
    }

    /** Do one piece of work; true when the code is ready in `result`. */
    step(): boolean {
        if (this.stage === 0) {
            if (this.encodeData()) this.stage = 1
        } else if (this.stage === 1) {
            // one block's error correction per step
            if (this.addEccBlock()) this.stage = 2
        } else if (this.stage === 2) {
            this.matrix = new QrMatrix(this.version)
            this.matrix.drawFunctionPatterns(formatBits(this.ecc))
            this.stage = 6
        } else if (this.stage === 6) {
            if (this.matrix.drawCodewords(this.data, STEP_MODULES)) {
                this.data = null
                this.stage = 3
                this.mask = 0
                this.part = 0
                this.line = 0
            }
        } else if (this.stage === 3) {
            this.scoreStep()
        } else if (this.stage === 4) {
            const size = this.matrix.size
            const end = Math.min(this.line + Math.max(1, Math.floor(STEP_MODULES / size)), size)
            this.matrix.applyMask(this.bestMask, this.line, end)
            this.line = end
            if (end < size) return false
            this.matrix.drawFormatBits(formatBits(this.ecc), this.bestMask)
            this.result = {
                version: this.version,
                size: this.matrix.size,
                ecc: eccName(this.ecc),
                mask: this.bestMask,
                mode: this.seg.mode === MODE_ALNUM ? "alphanumeric" : "byte",
                modules: this.matrix.modules,
            }
            this.stage = 5
        }
        return this.stage === 5
    }

    /**
     * Mask `mask`, each part in row/column slices: apply (0), rows (1), columns (2),
     * 2x2 blocks and balance (3), undo (4).
     */
    private scoreStep() {
        const m = this.matrix
        const size = m.size
        const slice = Math.max(1, Math.floor(STEP_MODULES / size))
        const end = Math.min(this.line + slice, size)
        if (this.part === 0) {
            if (this.line === 0) {
                this.score = 0
                this.dark = 0
            }
            m.applyMask(this.mask, this.line, end)
            if (end === size) m.drawFormatBits(formatBits(this.ecc), this.mask)
        } else if (this.part === 1) {
            for (let y = this.line; y < end; y++) this.score += rowPenalty(m.modules, size, y)
        } else if (this.part === 2) {
            for (let x = this.line; x < end; x++) this.score += columnPenalty(m.modules, size, x)
        } else if (this.part === 3) {
            const r = blockPenalty(m.modules, size, this.line, end)
            this.score += r[0]
            this.dark += r[1]
            if (end === size) {
                this.score += balancePenalty(this.dark, size)
                if (this.score < this.bestScore) {
                    this.bestScore = this.score
                    this.bestMask = this.mask
                }
            }
        } else m.applyMask(this.mask, this.line, end)
        this.line = end
        if (end < size) return
        this.line = 0
        this.part++
        if (this.part === 5) {
            this.part = 0
            this.mask++
            if (this.mask === 8) this.stage = 4
        }
    }

    private writer: BitWriter = null
    private field = 0

    /** Data bits into codewords, a bounded number of fields per call. True when done. */
    private encodeData(): boolean {
        const v = this.version
        const seg = this.seg
        if (!this.writer) {
            this.writer = new BitWriter(Buffer.alloc(numDataCodewords(v, this.ecc)))
            this.writer.put(seg.mode, 4)
            this.writer.put(seg.count, segmentBits(seg, v) - 4 - seg.bitLength)
        }
        const w = this.writer
        const end = Math.min(this.field + STEP_FIELDS, fieldCount(seg))
        writeFields(seg, w, this.field, end)
        this.field = end
        if (end < fieldCount(seg)) return false
        const bytes = w.bytes
        const capacity = bytes.length * 8
        w.put(0, Math.min(4, capacity - w.length))
        w.put(0, (8 - (w.length % 8)) % 8)
        let pad = 0xec
        for (let i = w.length >> 3; i < bytes.length; i++) {
            bytes[i] = pad
            pad ^= 0xec ^ 0x11
        }
        this.data = bytes
        this.writer = null
        return true
    }

    /** all codewords, interleaved, filled block by block */
    private out: Buffer = null
    /** the block whose error correction is being computed, its first data codeword, how far */
    private block = 0
    private blockK = 0
    private rs: RsRemainder = null
    private rsPos = 0

    /**
     * Compute each block's ECC, a slice of one block per step (a 44-byte block with 26 ECC
     * codewords is over a thousand field multiplications), and put its data and ECC codewords
     * straight in their interleaved places. True when done.
     */
    private addEccBlock(): boolean {
        const v = this.version
        const numBlocks = numErrorCorrectionBlocks(this.ecc, v)
        const eccLen = eccCodewordsPerBlock(this.ecc, v)
        const raw = Math.floor(numRawDataModules(v) / 8)
        // short blocks first; a long block has one data codeword more
        const numShort = numBlocks - (raw % numBlocks)
        const shortData = Math.floor(raw / numBlocks) - eccLen
        const j = this.block
        const len = shortData + (j < numShort ? 0 : 1)
        if (!this.rs) {
            if (!this.out) this.out = Buffer.alloc(raw)
            this.rs = new RsRemainder(rsDivisor(eccLen))
            this.rsPos = 0
            return false
        }
        const data = this.data
        const end = Math.min(len, this.rsPos + Math.max(1, Math.floor(RS_MULS_PER_STEP / eccLen)))
        this.rs.feed(data, this.blockK + this.rsPos, this.blockK + end)
        this.rsPos = end
        if (end < len) return false
        // interleaved: codeword c of every block in turn (the long blocks' extra one after the
        // others), then ECC codeword e of every block in turn
        const out = this.out
        for (let c = 0; c < len; c++) out[c < shortData ? c * numBlocks + j : shortData * numBlocks + j - numShort] = data[this.blockK + c]
        const ecc = this.rs.result
        const dataTotal = raw - eccLen * numBlocks
        for (let e = 0; e < eccLen; e++) out[dataTotal + e * numBlocks + j] = ecc[e]
        this.rs = null
        this.blockK += len
        this.block++
        if (this.block < numBlocks) return false
        this.data = out
        this.out = null
        return true
    }
}

/** Encode at once (node). Throws QrError when the text does not fit version 10. */
export function encodeQr(text: string, eccName: string): QrCode {
    const enc = new QrEncoder(text, eccName)
    while (!enc.step()) {}
    return enc.result
}
