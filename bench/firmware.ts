// Bytecode size of each board's firmware build, against the 96 KB target.
import { spawnSync } from "node:child_process"
import { statSync } from "node:fs"

const ENTRIES: [string, string][] = [
    ["shed10_esp32 (src/main.ts)", "src/main.ts"],
    ["shed2_esp32c3 (src/main_shed2.ts)", "src/main_shed2.ts"],
]

export function printFirmwareBench() {
    console.log("\n## Firmware build\n\n| board | bytecode | target |\n|---|---|---|")
    for (const [name, entry] of ENTRIES) {
        const r = spawnSync("npx", ["devs", "build", entry], { encoding: "utf8" })
        const size = r.status === 0 ? statSync(".devicescript/bin/bytecode.devs").size : -1
        console.log(`| ${name} | ${size >= 0 ? (size / 1024).toFixed(1) + " KB" : "build failed"} | <= 96 KB |`)
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
    console.log(`${xs.length} trials, firmware shell in the DeviceScript VM, meters streaming every 50 ms, control tick 100 ms (in-VM fake relay and meter servers on the VM's bus, not the jacdac-ts simulator): p50 ${percentile(xs, 50)} ms, p99 ${percentile(xs, 99)} ms, max ${Math.max(...xs)} ms (target p99 <= 250 ms)`)
}
