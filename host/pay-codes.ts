// Every socket's pay code for a board, rendered off the board for its screen (the fleet's
// provisioning and the simulator's): the settings qr1..qrN the board draws (docs/display.md).
import { DEFAULT_PAY_URL, payCodeSettings } from "../src/core/paycode-render"
import { planLayout } from "../src/core/screen-layout"
import { boardSpec } from "../boards/catalogue"
import type { Settings } from "./board-settings"

/**
 * Every socket's pay code for board `boardId` of type `board`, rendered for its screen from the
 * pay URL template (DEFAULT_PAY_URL unless given), as the settings qr1..qrN. Throws with a
 * clear error on an unknown board, a board without a screen, a template without {socket} or a
 * URL too long for a stored code.
 */
export function payCodesFor(board: string, boardId: string, template?: string): Settings {
    const b = boardSpec(board)
    if (!b.screen) throw new Error(`board type ${board} has no screen to show pay codes on`)
    const [width, height] = b.screen
    return payCodeSettings(template ?? DEFAULT_PAY_URL, boardId, b.sockets, { width, height, lines: b.sockets + 1, plan: planLayout })
}

/** Pay code settings (hex records) as the board keeps them in flash: their raw bytes, half the room. */
export function payCodesInFlash(codes: Settings): Settings {
    const out: Settings = {}
    for (const [k, v] of Object.entries(codes)) out[k] = typeof v === "string" ? Buffer.from(v, "hex") : v
    return out
}
