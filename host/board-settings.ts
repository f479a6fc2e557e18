// A board's settings over the DeviceScript bus: the board's settings (board id, keys, broker)
// are written through the runtime's Settings service, the same way a technician's laptop does
// it over USB (the fleet's provisioning, the simulator's). Values are stored as JSON text, as
// @devicescript/settings reads them; bytes (pay codes: src/shell/persist.ts) as they are.
import { JDBus, JDService, SRV_SETTINGS, jdpack } from "jacdac-ts"

const SET = 0x81
const DELETE = 0x84
export const MAX_KEY = 13

export type Settings = { [key: string]: string | number | boolean | null | object | Uint8Array }

/** the bytes a value is stored as */
function stored(v: Settings[string]): Uint8Array {
    return v instanceof Uint8Array ? v : new TextEncoder().encode(JSON.stringify(v))
}

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
        if (v !== null && stored(v).length + k.length + 1 > 232) return `setting "${k}" is over the 232-byte limit`
    }
    return null
}

export async function provision(bus: JDBus, values: Settings) {
    const err = checkSettings(values)
    if (err) throw new Error(err)
    const srv = await findBoardSettings(bus)
    for (const [k, v] of Object.entries(values)) {
        if (v === null) await withAck(() => srv.sendCmdAsync(DELETE, jdpack("s", [k]), true))
        else await withAck(() => srv.sendCmdAsync(SET, jdpack("z b", [k, stored(v)]), true))
    }
}

/**
 * A settings command until the board acks it: jacdac-ts gives up after a few resends, which a
 * busy bus (or a busy machine running the simulator) can outlast; setting or deleting a key
 * twice is harmless.
 */
async function withAck(send: () => Promise<unknown>, tries = 5): Promise<void> {
    for (let i = 1; ; i++) {
        try {
            await send()
            return
        } catch (e) {
            if (i >= tries || (e as { code?: string }).code !== "no-ack") throw e
            await new Promise(r => setTimeout(r, 200 * i))
        }
    }
}
