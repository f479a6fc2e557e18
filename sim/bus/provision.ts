// Provisioning over the DeviceScript bus: the board's settings (board id, keys, broker) are
// written through the runtime's Settings service, the same way a technician's laptop does it
// over USB. Values are stored as JSON text, as @devicescript/settings reads them.
import { JDBus, JDService, RoleManagerClient, SRV_ROLE_MANAGER, SRV_SETTINGS, jdpack } from "jacdac-ts"
import { DEFAULT_PAY_URL, payCodeSettings } from "../../src/core/paycode-render"
import { planLayout } from "../../src/core/screen-layout"
import { BoardName, BOARDS } from "./firmware"

const SET = 0x81
const DELETE = 0x84
export const MAX_KEY = 13

export type Settings = { [key: string]: string | number | boolean | null | object }

/** The first Settings service on the bus that is not one of ours (the firmware's runtime). */
export async function findBoardSettings(bus: JDBus, ms = 20000): Promise<JDService> {
    const t0 = Date.now()
    for (;;) {
        const s = bus.services({ serviceClass: SRV_SETTINGS })[0]
        if (s) return s
        if (Date.now() - t0 > ms) throw new Error("no board on the bus answers as a Settings service")
        await new Promise(r => setTimeout(r, 100))
    }
}

/** Checks every key first: a bad key refuses the whole set, nothing is written. */
export function checkSettings(values: Settings): string | null {
    for (const [k, v] of Object.entries(values)) {
        if (!k || k.length > MAX_KEY) return `setting key "${k}" must be 1..${MAX_KEY} characters`
        if (v !== null && JSON.stringify(v).length + k.length + 1 > 232) return `setting "${k}" is over the 232-byte limit`
    }
    return null
}

/**
 * Every socket's pay code for board `boardId` of type `board`, rendered for its screen from the
 * pay URL template (DEFAULT_PAY_URL unless given), as the settings qr1..qrN. Throws with a
 * clear error on a template without {socket} or a URL too long for a stored code.
 */
export function payCodesFor(board: BoardName, boardId: string, template?: string): Settings {
    const b = BOARDS[board]
    if (!b) throw new Error(`unknown board type ${board}: ${Object.keys(BOARDS).join(", ")}`)
    const [width, height] = b.screen
    return payCodeSettings(template ?? DEFAULT_PAY_URL, boardId, b.sockets, { width, height, lines: b.sockets + 1, plan: planLayout })
}

export async function provision(bus: JDBus, values: Settings) {
    const err = checkSettings(values)
    if (err) throw new Error(err)
    const srv = await findBoardSettings(bus)
    for (const [k, v] of Object.entries(values)) {
        if (v === null) await srv.sendCmdAsync(DELETE, jdpack("s", [k]), true)
        else await srv.sendCmdAsync(SET, jdpack("z b", [k, new TextEncoder().encode(JSON.stringify(v))]), true)
    }
}

export interface RoleBinding {
    /** the role's full name in the firmware ("socket1[int:0]", "meter1") */
    role: string
    /** the server that must play the role, on one of the simulator's devices */
    server: { serviceIndex: number; device: { deviceId: string } | undefined }
}

/** Order of the runtime's role list (and of its automatic binding): byte-wise strcmp. */
export function roleOrder(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Waits until the firmware has bound every role and checks each is bound to the server meant
 * for it. The runtime binds each unbound role, in role-name order, to the first free service
 * of its class (its SetRole command has no effect in the VM), so the simulator lists its
 * services in that same order; this check makes any mismatch an error, never a silent swap.
 */
export async function checkRoles(bus: JDBus, roles: RoleBinding[], ms = 20000) {
    const t0 = Date.now()
    let srv: JDService | undefined
    while (!(srv = bus.services({ serviceClass: SRV_ROLE_MANAGER })[0])) {
        if (Date.now() - t0 > ms) throw new Error("no role manager on the bus")
        await new Promise(r => setTimeout(r, 100))
    }
    const rm = new RoleManagerClient(srv)
    ;(rm as any).log = () => {} // its debug log prints every role list
    try {
        for (;;) {
            await (rm as any).collectRoles() // private in its typings; it is how the dashboard lists roles
            const listed: { name: string; deviceId: string; serviceIndex: number }[] = rm.roles
            const wrong = roles.filter(r => {
                const l = listed.find(x => x.name === r.role)
                return !l || l.deviceId !== r.server.device?.deviceId || l.serviceIndex !== r.server.serviceIndex
            })
            if (!wrong.length) return
            if (Date.now() - t0 > ms)
                throw new Error(`firmware roles not bound to their sockets: ${wrong.map(r => r.role).join(", ")}; listed ${listed.map(l => l.name + "=" + l.deviceId.slice(0, 4) + ":" + l.serviceIndex).join(" ")}`)
            await new Promise(r => setTimeout(r, 250))
        }
    } finally {
        rm.unmount()
    }
}
