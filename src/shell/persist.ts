// Flash persistence through settings, guarded: the runtime crashes reading a value whose key
// + value exceed 232 bytes, so every write is checked first and refused with an error; and its
// settings log drops a write silently once full (jacdac-c jd_fstor.c), so every write is read
// back, and one that did not stick is an error too (the outbox then keeps its record in RAM).
// Values are JSON text (as @devicescript/settings stores them) or, for pay codes, raw bytes:
// half the flash of their hex (docs/hardware.md "Flash").
import { actionReport } from "@devicescript/core"
import { settings } from "@devicescript/settings"
import { SETTING_LIMIT } from "../core/protocol/outbox"

/** Writes `value`'s bytes under `key` and reads them back: null when kept, else why not. */
export async function saveBytes(key: string, value: Buffer): Promise<string> {
    if (key.length > 13) return "setting key " + key + " longer than 13 characters"
    if (key.length + 1 + value.length > SETTING_LIMIT) return "setting " + key + " of " + value.length + " bytes over the limit"
    await settings.set(key, value)
    const back = await loadBytes(key)
    if (back && back.toString("hex") === value.toString("hex")) return null
    const err = "setting " + key + " not kept: the flash is full"
    console.log(err)
    return err
}

/** The bytes stored under `key`; null when there are none. */
export async function loadBytes(key: string): Promise<Buffer> {
    const pkt = await actionReport(
        settings,
        "get",
        async () => await settings.get(key),
        p => p.decode()[0] === key
    )
    const b: Buffer = pkt.decode()[1]
    return b && b.length ? b : null
}

export async function saveJson(key: string, value: any): Promise<string> {
    return await saveBytes(key, Buffer.from(JSON.stringify(value)))
}

export async function loadJson(key: string): Promise<any> {
    try {
        const b = await loadBytes(key)
        return b ? JSON.parse(b.toString()) : null
    } catch (e) {
        return null
    }
}

/**
 * A pay code record as hex (src/core/paycode.ts) from its raw bytes in flash; a record an older
 * release stored as JSON text (it starts with a quote) is read as such, so an update keeps it.
 */
export async function loadPayCode(key: string): Promise<any> {
    try {
        const b = await loadBytes(key)
        if (!b) return null
        return b[0] === 0x22 ? JSON.parse(b.toString()) : b.toString("hex")
    } catch (e) {
        return null
    }
}

/** Stores a pay code record (hex, checked) as its raw bytes. */
export async function savePayCode(key: string, hex: string): Promise<string> {
    return await saveBytes(key, Buffer.from(hex, "hex"))
}

export async function remove(key: string) {
    await settings.delete(key)
}
