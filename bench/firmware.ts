// Size of each board's firmware build: the image against the 96 KB target, its code against the runtime's 64 KB limit.
import { spawnSync } from "node:child_process"
import { statSync } from "node:fs"
import { CODE_LIMIT, functionBytes } from "./code-size"
import { BOARDS } from "../boards/catalogue"

const ENTRIES: [string, string][] = Object.values(BOARDS).map(b => [`${b.name} (${b.entry}; ${b.sockets} sockets, meters: ${b.meter})`, b.entry])

/** code room every board keeps (DESIGN.md: 8 KB, 4 KB once the trust work is in; it is in, and the stricter one is kept) */
export const ROOM_TARGET_KB = 8

export function printFirmwareBench() {
    console.log(`\n## Firmware build\n\n| board | bytecode (target <= 96 KB) | of it, code (runtime limit 64 KB) | code room (target >= ${ROOM_TARGET_KB} KB) |\n|---|---|---|---|`)
    for (const [name, entry] of ENTRIES) {
        const r = spawnSync("npx", ["devs", "build", entry], { encoding: "utf8" })
        const size = r.status === 0 ? statSync(".devicescript/bin/bytecode.devs").size : -1
        const code = r.status === 0 ? functionBytes() : -1
        const room = (CODE_LIMIT - code) / 1024
        const codeCell = code >= 0 ? `${(code / 1024).toFixed(1)} KB` : "-"
        const roomCell = code >= 0 ? `${room.toFixed(1)} KB ${room >= ROOM_TARGET_KB ? "(met)" : "(**not met**)"}` : "-"
        console.log(`| ${name} | ${size >= 0 ? (size / 1024).toFixed(1) + " KB" : "build failed"} | ${codeCell} | ${roomCell} |`)
    }
    // leave the default build in place
    spawnSync("npx", ["devs", "build", "src/main.ts"], { encoding: "utf8" })
}

export function percentile(xs: number[], p: number): number {
    const s = [...xs].sort((a, b) => a - b)
    return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]
}

/** Short circuit to relay-off latency: the firmware shell in the VM, fake meters and relays on its bus. */
export function printLatencyBench() {
    const r = spawnSync("npx", ["devs", "run", "test/vm/shell.test.ts", "--test", "--test-self-exit", "--test-timeout", "300000"], { encoding: "utf8" })
    const m = /short-latency-ms: ([\d,]+)/.exec((r.stdout || "") + (r.stderr || ""))
    console.log("\n## Short circuit to relay off\n")
    if (!m) {
        console.log("not measured: the VM run failed")
        return
    }
    const xs = m[1].split(",").map(Number)
    console.log(
        `${xs.length} trials, firmware shell in the DeviceScript VM, meters streaming every 50 ms, control tick 100 ms (in-VM fake relay and meter servers on the VM's bus, not the jacdac-ts simulator): p50 ${percentile(xs, 50)} ms, p99 ${percentile(xs, 99)} ms, max ${Math.max(...xs)} ms (target p99 <= 250 ms)`
    )
}
