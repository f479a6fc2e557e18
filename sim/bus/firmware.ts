// Compiles a board's firmware entry to its own .devs file (devs build writes one fixed
// output), rebuilding only when a source file is newer than the program.
import { spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { ROOT } from "../root"

const CLI = join(ROOT, "node_modules/@devicescript/cli/built/devicescript-cli.cjs")

/** Each board's entry, socket count and screen (width, height, bits per pixel) if it has one. */
export const BOARDS = {
    shed10: { entry: "src/main.ts", name: "shed10_esp32", sockets: 10, display: true, screen: [128, 64, 1], tempSensor: true },
    shed2: { entry: "src/main_shed2.ts", name: "shed2_esp32c3", sockets: 2, display: true, screen: [128, 64, 1], tempSensor: false },
    shed2tft: { entry: "src/main_shed2_tft.ts", name: "shed2tft_esp32c3", sockets: 2, display: true, screen: [240, 240, 4], tempSensor: false },
} as const
export type BoardName = keyof typeof BOARDS

function newest(dir: string): number {
    let t = 0
    for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name)
        t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
    }
    return t
}

/** Builds a board's firmware, or another entry (the heap probe) under its own name. */
export function buildFirmware(board: BoardName, entry?: string): string {
    const b = entry ? { entry, name: entry.replace(/^.*\//, "").replace(/\.ts$/, "") } : BOARDS[board]
    const outDir = join(ROOT, "out/firmware")
    const out = join(outDir, b.name + ".devs")
    // an entry outside src/ (the heap probes in bench/) counts too, with the files beside it
    const src = Math.max(newest(join(ROOT, "src")), newest(join(ROOT, "boards")), newest(join(ROOT, "services")), newest(dirname(join(ROOT, b.entry))))
    if (existsSync(out) && statSync(out).mtimeMs > src) return out
    const r = spawnSync(process.execPath, [CLI, "build", b.entry], { cwd: ROOT, encoding: "utf8" })
    if (r.status !== 0) throw new Error(`devs build ${b.entry} failed:\n${r.stdout}\n${r.stderr}`)
    mkdirSync(outDir, { recursive: true })
    copyFileSync(join(ROOT, ".devicescript/bin/bytecode.devs"), out)
    return out
}
