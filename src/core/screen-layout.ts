// Where things go on the shed's display: the QR code as large as an integer module size
// allows, with its quiet zone, and the status cells (a header, then one per socket) beside or
// below it. Pure numbers; the shell draws them on the display's Image.

export interface Rect {
    x: number
    y: number
    w: number
    h: number
}

export interface ScreenLayout {
    /** QR placement: top-left of the first module, module size (px), quiet zone (modules) */
    qrX: number
    qrY: number
    module: number
    quiet: number
    /** the code's part of the screen (quiet zone included): with the cells it tiles the screen */
    code: Rect
    /** status cells, in line order: cells[0] is the header, then one per socket on a page */
    cells: Rect[]
    /** lines per page, the header included (the service button pages through the sockets) */
    perPage: number
    /** text scale: the built-in 6x8 font drawn this many times larger */
    text: number
}

/** The built-in font's character cell (px) and the smallest text row (8 px high with a gap). */
export const CHAR_W = 6
export const CHAR_H = 8
const MIN_CELL_H = 10

/**
 * A screen's planner: where the code (`qrSize` modules) and `lines` text lines (a header and
 * one per socket) go on a `width` x `height` screen. Each screen has its own (planLandscape,
 * planSquare), so a board carries only its screen's code; planLayout picks by shape.
 * The quiet zone is 4 modules, reduced to 2, then 1, only while a wider one would leave modules
 * of a single pixel.
 * Every cell's top and height are even when the screen's height is (the TFT is sent in
 * 4-bpp bands, whose height must be even), and code and cells tile the screen exactly.
 */
export type Planner = (width: number, height: number, qrSize: number, lines: number, rowH?: number) => ScreenLayout

/** Either planner, by the screen's shape (node: tests, bench, tools). */
export function planLayout(width: number, height: number, qrSize: number, lines: number, rowH = 0): ScreenLayout {
    return width >= 2 * height ? planLandscape(width, height, qrSize, lines, rowH) : planSquare(width, height, qrSize, lines, rowH)
}

/** The largest module (px) for a code of `qrSize` modules in `side` px: [module, quiet zone]. */
function fitCode(side: number, qrSize: number): number[] {
    let quiet = 4
    let module = Math.floor(side / (qrSize + 2 * quiet))
    // 2 modules, then 1: a code of 2-px modules with a narrow quiet zone reads from further
    // away than one of 1-px modules (on the OLED a version 3 code: 62 px instead of 33)
    while (module < 2 && quiet > 1) {
        quiet = quiet >> 1
        module = Math.floor(side / (qrSize + 2 * quiet))
    }
    // a zone of 3 modules (not under 2) when that gives larger modules (the TFT: 5 px, not 4)
    if (quiet === 4 && Math.floor(side / (qrSize + 6)) > module) {
        quiet = 3
        module = Math.floor(side / (qrSize + 6))
    }
    return [Math.max(1, module), quiet]
}

/**
 * Landscape (at least twice as wide as high, the 128x64 OLED): the code takes the full height
 * on the left, one line per row on the right, text at 1x; rows at least `rowH` px (16 for
 * Chinese glyphs).
 */
export function planLandscape(width: number, height: number, qrSize: number, lines: number, rowH = 0): ScreenLayout {
    const fit = fitCode(height, qrSize)
    const module = fit[0]
    const box = (qrSize + 2 * fit[1]) * module
    const perPage = Math.max(1, Math.min(lines, Math.floor(height / Math.max(MIN_CELL_H, rowH))))
    const cellH = even(Math.floor(height / perPage))
    const cells: Rect[] = []
    for (let i = 0; i < perPage; i++) {
        const y = i * cellH
        cells.push({ x: box, y: y, w: width - box, h: i === perPage - 1 ? height - y : cellH })
    }
    const q = fit[1] * module
    return { qrX: q, qrY: Math.floor((height - box) / 2) + q, module: module, quiet: fit[1], code: { x: 0, y: 0, w: box, h: height }, cells: cells, perPage: perPage, text: 1 }
}

/**
 * Square or portrait (the 240x240 TFT): text at 2x (a 1x font on a 1.3" 240 px panel is under
 * a millimetre high; 1x under 160 px); the code on top takes all the height that leaves the
 * header and two rows of sockets (two sockets a row only when two 14-character lines fit across:
 * a socket's line must never run into its neighbour's), rows at least `rowH` px,
 * the cells below: the header spans the width, the sockets fill the rows below, the last row's
 * last cell and the last row stretched to the screen's edges.
 */
export function planSquare(width: number, height: number, qrSize: number, lines: number, rowH = 0): ScreenLayout {
    const text = Math.min(width, height) < 160 ? 1 : 2
    const cellMin = Math.max(MIN_CELL_H * text, rowH)
    const cols = width >= 2 * 14 * CHAR_W * text ? 2 : 1
    const shown = Math.min(lines, 1 + 2 * cols)
    const fit = fitCode(Math.max(1, Math.min(width, height - (1 + Math.ceil((shown - 1) / cols)) * cellMin)), qrSize)
    const module = fit[0]
    const box = (qrSize + 2 * fit[1]) * module
    const codeH = Math.min(height, box + (box & 1))
    const areaH = height - codeH
    const rows = Math.max(1, Math.floor(areaH / cellMin))
    const perPage = Math.max(1, Math.min(lines, 1 + (rows - 1) * cols))
    const rowsUsed = 1 + Math.ceil((perPage - 1) / cols)
    const cellH = even(Math.floor(areaH / rowsUsed))
    const cellW = Math.floor(width / cols)
    const cells: Rect[] = [{ x: 0, y: codeH, w: width, h: rowsUsed === 1 ? areaH : cellH }]
    for (let i = 1; i < perPage; i++) {
        const r = 1 + Math.floor((i - 1) / cols)
        const c = (i - 1) % cols
        const x = c * cellW
        const y = codeH + r * cellH
        cells.push({ x: x, y: y, w: c === cols - 1 || i === perPage - 1 ? width - x : cellW, h: r === rowsUsed - 1 ? height - y : cellH })
    }
    const q = fit[1] * module
    return { qrX: Math.floor((width - box) / 2) + q, qrY: q, module: module, quiet: fit[1], code: { x: 0, y: 0, w: width, h: codeH }, cells: cells, perPage: perPage, text: text }
}

function even(n: number): number {
    return n - (n & 1)
}
