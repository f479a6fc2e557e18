// Pay codes rendered off the board (node: provisioning, the fleet tools, tests, bench): the pay
// URL of each socket is fixed once a board is provisioned, so its QR symbol is encoded here with
// the encoder in src/core/qr and reaches the board packed (src/core/paycode.ts). No board build
// imports this file: the boards carry no QR encoder.
import { chooseVersion, encodeQr } from "./qr/encoder"
import { makeSegment } from "./qr/segments"
import { eccIndex } from "./qr/tables"
import { packPayCode, payCodeKey } from "./paycode"
import { Planner } from "./screen-layout"

/** The pay URL template when none is provisioned: a code per socket, board and socket in it. */
export const DEFAULT_PAY_URL = "https://pay.example.com/{board}/{socket}"

/** the largest QR version whose record fits one setting (29x29 modules) */
export const PAYCODE_MAX_VERSION = 3

/**
 * The error correction level for `text` on a `width` x `height` screen planned by `plan` with
 * `lines` lines: M, or L when M's modules would be under 3 px and L's smaller symbol gets
 * larger ones, or as large ones with a wider quiet zone (on the 128x64 OLED a 32-byte URL is
 * version 3 at M, 2 px a module with a 1-module quiet zone, and version 2 at L, 2 px with 2). A screen is not a printed label that gets scratched: there the sharper code
 * reads better than the extra correction would help; with modules of 3 px and more M's
 * correction is kept.
 */
export function pickEcc(text: string, width: number, height: number, lines: number, plan: Planner): string {
    const seg = makeSegment(text)
    const m = chooseVersion(seg, eccIndex("M"))
    const l = chooseVersion(seg, eccIndex("L"))
    if (m < 0) return l < 0 ? "M" : "L"
    if (l === m) return "M"
    const pm = plan(width, height, 17 + 4 * m, lines)
    const pl = plan(width, height, 17 + 4 * l, lines)
    return pm.module < 3 && (pl.module > pm.module || (pl.module === pm.module && pl.quiet > pm.quiet)) ? "L" : "M"
}

/**
 * The pay URL from the configured template: `{board}` and `{socket}` replaced (socket 0 or
 * absent: `{socket}` left empty).
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

export interface PayScreen {
    width: number
    height: number
    /** text lines on the screen: a header and one per socket */
    lines: number
    plan: Planner
}

/**
 * One URL's code as a record for a board's screen: the ECC by pickEcc, or L when that keeps it
 * within version 3. Throws, naming the URL and its length, when no version up to 3 holds it.
 */
export function renderPayCode(url: string, screen: PayScreen): string {
    let ecc = pickEcc(url, screen.width, screen.height, screen.lines, screen.plan)
    const seg = makeSegment(url)
    const fits = (e: string) => {
        const v = chooseVersion(seg, eccIndex(e))
        return v > 0 && v <= PAYCODE_MAX_VERSION
    }
    if (!fits(ecc) && fits("L")) ecc = "L"
    if (!fits(ecc))
        throw new Error(
            `pay URL ${url} (${Buffer.from(url).length} bytes) needs a QR code larger than version ${PAYCODE_MAX_VERSION} (29x29), the largest a board stores in one setting: ` +
                `use a URL of at most 53 bytes (or 77 upper-case letters, digits and $%*+-./: )`
        )
    const qr = encodeQr(url, ecc)
    return packPayCode(qr.size, qr.modules)
}

/**
 * Every socket's code for a board, as settings `qr1`..`qrN`. The template must name the socket
 * ({socket}): each code tells the pay page which socket the rider stands at.
 */
export function payCodeSettings(template: string, board: string, sockets: number, screen: PayScreen): { [key: string]: string } {
    if (typeof template !== "string" || template.indexOf("{socket}") < 0) throw new Error(`pay URL template ${JSON.stringify(template)} must contain {socket} (each socket gets its own code)`)
    const out: { [key: string]: string } = {}
    for (let s = 1; s <= sockets; s++) out[payCodeKey(s)] = renderPayCode(payUrl(template, board, s), screen)
    return out
}
