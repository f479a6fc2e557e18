// Every board's firmware compiles with the pinned DeviceScript compiler.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"

for (const entry of ["src/main.ts", "src/main_shed2.ts", "src/main_shed2_tft.ts"]) {
    test(`devs build ${entry}`, () => {
        const r = spawnSync("npx", ["devs", "build", entry], { encoding: "utf8" })
        assert.equal(r.status, 0, (r.stdout || "") + (r.stderr || ""))
    })
}
