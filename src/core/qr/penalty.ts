// The standard mask penalty (ISO/IEC 18004 8.8.2): runs of one colour, 2x2 blocks, finder-like
// 1:1:3:1:1 patterns with four light modules on a side (outside the symbol counts as light),
// and the dark/light balance. Split by line so the VM can yield between rows and columns.

const N1 = 3
const N2 = 3
const N3 = 40
const N4 = 10
/** the finder-like pattern 1:1:3:1:1 as bits: 1011101 */
const FINDER = 0x5d

/**
 * Rules 1 and 3 over one line of 0/1 modules: `n` modules from `start`, `stride` apart (a row
 * or a column of the matrix, read in place: no copy in the VM's heap).
 */
export function linePenalty(m: Buffer, start: number, stride: number, n: number): number {
    let score = 0
    let run = 1
    for (let i = 1; i <= n; i++) {
        if (i < n && m[start + i * stride] === m[start + (i - 1) * stride]) run++
        else {
            if (run >= 5) score += N1 + (run - 5)
            run = 1
        }
    }
    for (let i = 0; i + 7 <= n; i++) {
        // dark, light, dark x3, light, dark: the bits of FINDER from the top
        let finder = true
        for (let k = 0; k < 7 && finder; k++) if (m[start + (i + k) * stride] !== ((FINDER >> (6 - k)) & 1)) finder = false
        if (!finder) continue
        let before = true
        for (let k = i - 4; k < i; k++) if (k >= 0 && m[start + k * stride] === 1) before = false
        let after = true
        for (let k = i + 7; k < i + 11; k++) if (k < n && m[start + k * stride] === 1) after = false
        if (before) score += N3
        if (after) score += N3
    }
    return score
}

export function rowPenalty(modules: Buffer, size: number, y: number): number {
    return linePenalty(modules, y * size, 1, size)
}

export function columnPenalty(modules: Buffer, size: number, x: number): number {
    return linePenalty(modules, x, size, size)
}

/** Rule 2 over rows y0..y1-1 (2x2 blocks whose top row is there) and their dark count. */
export function blockPenalty(modules: Buffer, size: number, y0: number, y1: number): number[] {
    let score = 0
    let dark = 0
    for (let y = y0; y < y1; y++)
        for (let x = 0; x < size; x++) {
            const c = modules[y * size + x]
            dark += c
            if (x + 1 < size && y + 1 < size && c === modules[y * size + x + 1] && c === modules[(y + 1) * size + x] && c === modules[(y + 1) * size + x + 1]) score += N2
        }
    return [score, dark]
}

/** Rule 4: dark/light balance. */
export function balancePenalty(dark: number, size: number): number {
    const total = size * size
    const k = Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1
    return k * N4
}
