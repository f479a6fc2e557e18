// The settings a simulated 10-socket board actually keeps in flash, read from the VM's flash
// image, beside bench/flash-budget.ts's model of them (whose "as seen" sizes the wear figure in
// bench/flash.ts uses): a model that drifts from the flash shows here. jacdac-c jd_fstor.c: a
// 24-byte region header ("FSTR", its generation at 8), then 24-byte entries {key[16], offset,
// size}; of the two regions the newer generation is live, and of a key's copies the last.
import { ShedSim, until } from "../sim/shed-sim"
import { seenFlash, settingCost } from "./flash-budget"

const MAGIC = 0x52545346

/** Each key's value size (B) in the live settings region of a runtime's flash image. */
export function liveSettings(image: Buffer): Map<string, number> {
    const pageSize = image.readUInt32LE(12)
    const headerPages = image.readUInt16LE(18)
    let base = -1
    let gen = -1
    for (const b of [0, headerPages * pageSize]) {
        if (image.readUInt32LE(b) !== MAGIC) continue
        const g = image.readUInt32LE(b + 8)
        if (g > gen) {
            gen = g
            base = b
        }
    }
    if (base < 0) throw new Error("no settings region in the flash image")
    const keys = new Map<string, number>()
    for (let o = base + 24; o + 24 <= base + headerPages * pageSize; o += 24) {
        if (image.readUInt32LE(o + 16) === 0xffffffff) break
        const key = image.toString("latin1", o, o + 16).replace(/\0.*$/s, "")
        keys.set(key, image.readUInt32LE(o + 20))
    }
    return keys
}

/**
 * Flash the settings take (B: the region's header, each live key's entry and value; the
 * program's image, `*prog`, lies outside in whole pages) on the simulated 10-socket board with
 * every socket charging a simulated half hour.
 */
export async function measureLiveFlash(): Promise<{ bytes: number; keys: number }> {
    const sim = new ShedSim({ board: "shed10", speed: 60 })
    try {
        await sim.start()
        for (let n = 1; n <= 10; n++) {
            sim.shed.plug(n, { model: "li", soc0: 0.2, seed: n })
            const o = await sim.backend.pay(n)
            if (!o.startReply?.ok) throw new Error(`socket ${n}: ${JSON.stringify(o.startReply)}`)
        }
        await until(() => sim.shed.sockets.every(s => s.relayOn && s.powerW > 20), 60000, "every socket charging")
        await new Promise(r => setTimeout(r, 30000))
        let bytes = 24
        let keys = 0
        for (const [k, size] of liveSettings(sim.vm.flash())) {
            if (k.includes("*")) continue
            bytes += settingCost(size)
            keys++
        }
        return { bytes, keys }
    } finally {
        await sim.stop()
    }
}

export async function printLiveFlash() {
    const m = await measureLiveFlash()
    console.log(
        `\n- shed10, read from the simulated board's flash with every socket charging a simulated half hour: ${m.bytes} B in ${m.keys} settings (bench/flash-live.ts; the model's "as seen": ${seenFlash(10)} B, its outbox keys counted as empty entries, which a fresh board does not have yet)`
    )
}
