// Where things go on the shed's display: the QR code as large as an integer module size
// allows, with its quiet zone, and the per-socket status cells beside or below it. Pure
// numbers; the shell draws them on the display's Image.

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
    /** status cells, one per socket shown on a page */
    cells: Rect[]
    /** sockets per page (the service button pages through them) */
    perPage: number
}

/** Smallest text row for a status cell (px): the built-in font is 8 px high with a gap. */
const MIN_CELL_H = 10

/**
 * Plan a screen of `width` x `height` px for a QR of `qrSize` modules and `sockets` sockets.
 * The QR takes a square on the left (landscape) or top (portrait/square colour screens); the
 * quiet zone is 4 modules, reduced to 2 only when 4 would leave modules of a single pixel.
 */
export function planLayout(width: number, height: number, qrSize: number, sockets: number): ScreenLayout {
    const landscape = width >= 2 * height
    const side = landscape ? height : Math.floor(height * 0.6)
    let quiet = 4
    let module = Math.floor(side / (qrSize + 2 * quiet))
    if (module < 2) {
        quiet = 2
        module = Math.floor(side / (qrSize + 2 * quiet))
    }
    if (module < 1) module = 1
    const box = (qrSize + 2 * quiet) * module
    const qrX = landscape ? quiet * module : Math.floor((width - box) / 2) + quiet * module
    const qrY = landscape ? Math.floor((height - box) / 2) + quiet * module : quiet * module
    const area: Rect = landscape ? { x: box, y: 0, w: width - box, h: height } : { x: 0, y: box, w: width, h: height - box }
    const cols = landscape ? 1 : 2
    const rows = Math.max(1, Math.floor(area.h / MIN_CELL_H))
    const perPage = Math.min(sockets, rows * cols)
    const rowsUsed = Math.ceil(perPage / cols)
    const cellH = Math.floor(area.h / rowsUsed)
    const cellW = Math.floor(area.w / cols)
    const cells: Rect[] = []
    for (let i = 0; i < perPage; i++) {
        const c = i % cols
        const r = Math.floor(i / cols)
        cells.push({ x: area.x + c * cellW, y: area.y + r * cellH, w: cellW, h: cellH })
    }
    return { qrX: qrX, qrY: qrY, module: module, quiet: quiet, cells: cells, perPage: perPage }
}

/**
 * The pay URL from the configured template: `{board}` and `{socket}` replaced (socket 0 or
 * absent: one code for the board, the rider picks the socket on the pay page).
 */
export function payUrl(template: string, board: string, socket: number): string {
    return replaceAll(replaceAll(template, "{board}", board), "{socket}", socket > 0 ? "" + socket : "")
}

function replaceAll(s: string, key: string, value: string): string {
    let out = ""
    let i = 0
    for (;;) {
        const j = s.indexOf(key, i)
        if (j < 0) return out + s.slice(i)
        out += s.slice(i, j) + value
        i = j + key.length
    }
}
