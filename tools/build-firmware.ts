// Builds every board's firmware and its heap-probe entry once, before the tests (npm test's
// pretest). The tests then only read the programs: devs build and devs run both write the one
// .devicescript/bin output, so a test file building while another's VM test compiles could
// copy one program under another board's name (the build lock in sim/bus/firmware.ts covers
// builds only, not devs run).
import { BOARD_NAMES } from "../boards/catalogue"
import { heapProbeEntry } from "../bench/heap-probe-entry"
import { buildFirmware } from "../sim/bus/firmware"

const t0 = Date.now()
// every probe entry written before any build: a program is fresh only while it is newer than
// every file in its entry's folder
const probes = BOARD_NAMES.map(heapProbeEntry)
for (let k = 0; k < BOARD_NAMES.length; k++) {
    const board = BOARD_NAMES[k]
    for (const entry of [undefined, probes[k]]) {
        const out = buildFirmware(board, entry)
        console.log(`firmware: ${out.replace(/^.*\/out\//, "out/")}`)
    }
}
console.log(`firmware: ${BOARD_NAMES.length * 2} programs ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
