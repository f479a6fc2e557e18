// QR Code Model 2 encoder, versions 1-10, ECC L/M/Q/H. Incremental: `step()` does one bounded
// piece of work (encode, error correction, placement, one mask's rows, its columns, its
// blocks...) so the DeviceScript VM can yield between steps and stay under its step limit;
// `encodeQr` runs all steps at once (node, tests, tools).

import { balancePenalty, blockPenalty, columnPenalty, rowPenalty } from "./penalty"
import { QrMatrix } from "./matrix"
import { rsDivisor, RsRemainder } from "./reedsolomon"
import { BitWriter, makeSegment, MODE_ALNUM, Segment, segmentBits } from "./segments"
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
    private data: number[] = []
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
                "text too long for a QR code up to version " + MAX_VERSION + " at ECC " + eccName + ": " + this.seg.count + (this.seg.mode === MODE_ALNUM ? " characters" : " bytes") + ", the version " + MAX_VERSION + " symbol holds " + cap + " data codewords"
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
    private partI = 0

    /** Data bits into codewords, a bounded number of fields per call. True when done. */
    private encodeData(): boolean {
        const v = this.version
        if (!this.writer) {
            this.writer = new BitWriter()
            this.writer.put(this.seg.mode, 4)
            this.writer.put(this.seg.count, segmentBits(this.seg, v) - 4 - this.seg.bitLength)
        }
        const w = this.writer
        const parts = this.seg.parts
        const end = Math.min(this.partI + STEP_FIELDS * 2, parts.length)
        for (; this.partI < end; this.partI += 2) w.put(parts[this.partI], parts[this.partI + 1])
        if (this.partI < parts.length) return false
        const capacity = numDataCodewords(v, this.ecc) * 8
        w.put(0, Math.min(4, capacity - w.length))
        w.put(0, (8 - (w.length % 8)) % 8)
        const bytes = w.bytes
        for (let pad = 0xec; bytes.length < capacity / 8; pad ^= 0xec ^ 0x11) bytes.push(pad)
        this.data = bytes
        return true
    }

    private blocks: number[][] = []
    private blockK = 0
    /** the block whose error correction is being computed, and how far */
    private rs: RsRemainder = null
    private rsDat: number[] = null
    private rsPos = 0

    /**
     * Split into blocks and compute their ECC, a slice of one block per step (a 44-byte block
     * with 26 ECC codewords is over a thousand field multiplications); after the last block,
     * interleave. True when done.
     */
    private addEccBlock(): boolean {
        const v = this.version
        const numBlocks = numErrorCorrectionBlocks(this.ecc, v)
        const blockEccLen = eccCodewordsPerBlock(this.ecc, v)
        const rawCodewords = Math.floor(numRawDataModules(v) / 8)
        const numShortBlocks = numBlocks - (rawCodewords % numBlocks)
        const shortBlockLen = Math.floor(rawCodewords / numBlocks)
        const i = this.blocks.length
        if (!this.rs) {
            const len = shortBlockLen - blockEccLen + (i < numShortBlocks ? 0 : 1)
            this.rsDat = this.data.slice(this.blockK, this.blockK + len)
            this.blockK += len
            this.rs = new RsRemainder(rsDivisor(blockEccLen))
            this.rsPos = 0
            return false
        }
        const dat = this.rsDat
        const end = Math.min(dat.length, this.rsPos + Math.max(1, Math.floor(RS_MULS_PER_STEP / blockEccLen)))
        this.rs.feed(dat, this.rsPos, end)
        this.rsPos = end
        if (end < dat.length) return false
        const ecc = this.rs.result
        this.rs = null
        if (i < numShortBlocks) dat.push(0)
        for (let e = 0; e < ecc.length; e++) dat.push(ecc[e])
        this.blocks.push(dat)
        if (this.blocks.length < numBlocks) return false
        const out: number[] = []
        const blocks = this.blocks
        for (let c = 0; c < blocks[0].length; c++)
            for (let j = 0; j < blocks.length; j++) if (c !== shortBlockLen - blockEccLen || j >= numShortBlocks) out.push(blocks[j][c])
        this.data = out
        return true
    }
}

/** Encode at once (node). Throws QrError when the text does not fit version 10. */
export function encodeQr(text: string, eccName: string): QrCode {
    const enc = new QrEncoder(text, eccName)
    while (!enc.step()) {}
    return enc.result
}
