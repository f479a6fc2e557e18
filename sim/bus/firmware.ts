// Compiles a board's firmware entry to its own .devs file (devs build writes one fixed
// output), rebuilding only when a source file is newer than the program; the build's size
// report is kept beside it (<name>.sizes.md), so tests and tools share one build of each board.
import { spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { ROOT } from "../../host/root"

const CLI = join(ROOT, "node_modules/@devicescript/cli/built/devicescript-cli.cjs")

import { BOARDS, BoardName } from "../../boards/catalogue"
export { BOARDS } from "../../boards/catalogue"
export type { BoardName } from "../../boards/catalogue"

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
    // an entry outside src/ (the heap probes: out/probes, bench/) counts too, with the files beside it
    const src = Math.max(newest(join(ROOT, "src")), newest(join(ROOT, "boards")), newest(join(ROOT, "services")), newest(dirname(join(ROOT, b.entry))), entry ? newest(join(ROOT, "bench")) : 0)
    const fresh = () => existsSync(out) && existsSync(sizesOf(out)) && statSync(out).mtimeMs > src
    if (fresh()) return out
    // npm test builds every program first (tools/build-firmware.ts): a build now would race the
    // VM tests' devs run, which compiles into the same output
    if (process.env.SHED_FIRMWARE_PREBUILT) throw new Error(`${b.entry} changed after npm test's pretest built the firmware (tools/build-firmware.ts); a test must not edit the sources`)
    mkdirSync(outDir, { recursive: true })
    // devs build writes one fixed output (its --out-dir fails in 2.16.4): test files run side by
    // side, so one build at a time, or one board's program could be copied under another's name
    return withBuildLock(join(outDir, ".building"), () => {
        if (fresh()) return out
        const r = spawnSync(process.execPath, [CLI, "build", b.entry], { cwd: ROOT, encoding: "utf8" })
        if (r.status !== 0) throw new Error(`devs build ${b.entry} failed:\n${r.stdout}\n${r.stderr}`)
        copyFileSync(join(ROOT, ".devicescript/bin/bytecode-sizes.md"), sizesOf(out))
        copyFileSync(join(ROOT, ".devicescript/bin/bytecode.devs"), out)
        return out
    })
}

/** Runs `f` holding `lock` (a directory: made atomically); a lock older than a build can take is a dead process's. */
function withBuildLock<T>(lock: string, f: () => T): T {
    const t0 = Date.now()
    for (;;) {
        try {
            mkdirSync(lock)
            break
        } catch {
            let age = 0
            try {
                age = Date.now() - statSync(lock).mtimeMs
            } catch {}
            if (age > 120000) rmSync(lock, { recursive: true, force: true })
            else if (Date.now() - t0 > 300000) throw new Error("the firmware build lock " + lock + " was held for 5 min")
            else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100)
        }
    }
    try {
        return f()
    } finally {
        rmSync(lock, { recursive: true, force: true })
    }
}

/** the size report (devs build's bytecode-sizes.md) of a program buildFirmware made */
export function sizesOf(program: string): string {
    return program.replace(/\.devs$/, ".sizes.md")
}
