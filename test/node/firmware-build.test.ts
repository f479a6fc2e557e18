// Every board's firmware compiles with the pinned DeviceScript compiler, and its code fits the
// runtime: the verifier refuses an image whose functions end past 64 KB (runtime/devicescript/
// verify.c, check 1051), whatever the total size of the image. The builds are the simulator's
// (sim/bus/firmware.ts), shared with the end-to-end tests.
import { test } from "node:test"
import assert from "node:assert/strict"
import { functionBytes, CODE_LIMIT } from "../../bench/code-size"
import { BOARD_NAMES, BOARDS, BoardName } from "../../boards/catalogue"
import { heapProbeEntry } from "../../bench/heap-probe-entry"
import { buildFirmware, sizesOf } from "../../sim/bus/firmware"

// each board of the catalogue, and its heap bench entry (the program as shipped plus ~0.13 KB of
// probe), or the bench cannot measure the program's heap
const builds: [BoardName, string | undefined][] = BOARD_NAMES.flatMap(b => [[b, undefined] as [BoardName, string | undefined], [b, heapProbeEntry(b)]])
for (const [board, entry] of builds) {
    test(`devs build ${entry ?? BOARDS[board].entry}`, () => {
        let program = ""
        try {
            program = buildFirmware(board, entry)
        } catch (e) {
            const out = (e as Error).message
            assert.ok(!/verification error: -1051/.test(out), `${entry ?? board}: its code is over the runtime's ${CODE_LIMIT} B of functions (verifier check 1051)`)
            throw e
        }
        const code = functionBytes(sizesOf(program))
        assert.ok(code > 0 && code < CODE_LIMIT, `${entry ?? board}: ${code} B of functions`)
    })
}
