// Flash persistence through settings, guarded: the runtime crashes reading a value whose key
// + JSON exceed 232 bytes, so every write is checked first and refused with an error; and its
// settings log drops a write silently once full (jacdac-c jd_fstor.c), so every write is read
// back, and one that did not stick is an error too (the outbox then keeps its record in RAM).
import { deleteSetting, readSetting, writeSetting } from "@devicescript/settings"
import { SETTING_LIMIT } from "../core/protocol/outbox"

export async function saveJson(key: string, value: any): Promise<string> {
    if (key.length > 13) return "setting key " + key + " longer than 13 characters"
    const text = JSON.stringify(value)
    if (key.length + 1 + text.length > SETTING_LIMIT) return "setting " + key + " of " + text.length + " bytes over the limit"
    await writeSetting(key, value)
    if (JSON.stringify(await loadJson(key)) === text) return null
    const err = "setting " + key + " not kept: the flash is full"
    console.log(err)
    return err
}

export async function loadJson(key: string): Promise<any> {
    try {
        return await readSetting<any>(key, null)
    } catch (e) {
        return null
    }
}

export async function remove(key: string) {
    await deleteSetting(key)
}
