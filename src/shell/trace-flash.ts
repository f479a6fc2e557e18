// Power traces' finished chunks in flash, one setting a chunk ("tr<socket>.<k>", 180 hex
// characters): a 30-row chunk is written every 30 minutes or more of a session, so the
// trace costs the heap only its open chunk (src/core/trace.ts).
import { TraceStore } from "../core/trace"
import { loadJson, saveJson } from "./persist"

function key(socket: number, k: number): string {
    return "tr" + socket + "." + k
}

export const flashTraces: TraceStore = {
    load: async (socket: number, k: number) => {
        const hex = await loadJson(key(socket, k))
        // a chunk that is not what was written is left out, never decoded as rows
        return typeof hex === "string" && hex.length === 180 ? Buffer.from(hex, "hex") : null
    },
    save: async (socket: number, k: number, chunk: Buffer) => {
        const err = await saveJson(key(socket, k), chunk.toString("hex"))
        if (err) console.log("trace chunk not kept: " + err)
    },
}
