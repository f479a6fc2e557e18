// Every board's firmware compiles with the pinned DeviceScript compiler, and its code fits the
// runtime: the verifier refuses an image whose functions end past 64 KB (runtime/devicescript/
// verify.c, check 1051), whatever the total size of the image.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { functionBytes, CODE_LIMIT } from "../../bench/code-size"
import { BOARD_NAMES, BOARDS } from "../../boards/catalogue"
import { heapProbeEntry } from "../../bench/heap-probe-entry"

// each board of the catalogue, and its heap bench entry (the program as shipped plus ~0.13 KB of
// probe), or the bench cannot measure the program's heap
const entries = BOARD_NAMES.flatMap(b => [BOARDS[b].entry, heapProbeEntry(b)])
for (const entry of entries) {
    test(`devs build ${entry}`, () => {
        const r = spawnSync("npx", ["devs", "build", entry], { encoding: "utf8" })
        const out = (r.stdout || "") + (r.stderr || "")
        assert.ok(!/verification error: -1051/.test(out), `${entry}: its code is over the runtime's ${CODE_LIMIT} B of functions (verifier check 1051)`)
        assert.equal(r.status, 0, out)
        const code = functionBytes()
        assert.ok(code > 0 && code < CODE_LIMIT, `${entry}: ${code} B of functions`)
    })
}
