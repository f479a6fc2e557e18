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
