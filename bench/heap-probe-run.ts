// The heap probe, run after a board's program has started (bench/heap-probe-*.ts): once the
// setting "heapProbe" is written (over the bus, when the sessions charge), it allocates 64 B
// buffers until the VM runs out of memory, printing the heap they (and the arrays keeping
// them) took: the heap still free then.
import * as ds from "@devicescript/core"
import { loadJson } from "../src/shell/persist"

/**
 * A block's bytes: small enough to fill the gaps the program's small objects leave between
 * them (128 B blocks left gaps under 140 B uncounted: runs of one program read 2-3 KB apart)
 */
const BLOCK = 64
/** what a block takes of the heap: its bytes and the runtime's buffer header (devs_buffer_t, 32-bit) */
const BLOCK_HEAP = BLOCK + 12
/** blocks a keeping array holds */
const ROW = 32
/** what a keeping array takes: devs_array_t (16 B) and its data, 8 B a value and a 4 B header */
const ROW_HEAP = 16 + 4 + ROW * 8
/** keeping arrays: room for more blocks than an empty program's heap holds */
const ROWS = 32

export async function probeWhenAsked() {
    for (;;) {
        await ds.sleep(500)
        if ((await loadJson("heapProbe")) === 1) break
    }
    // every array at its full size when made: an array grown block by block is copied into a
    // free run a quarter larger, and the probe failed there, short of the heap's end. The
    // array of rows (0.3 KB) is the same in every probe, the empty program's included
    const rows: Buffer[][] = new Array(ROWS)
    let taken = 0
    for (let r = 0; r < ROWS; r++) {
        const row: Buffer[] = new Array(ROW)
        rows[r] = row
        taken += ROW_HEAP
        for (let i = 0; i < ROW; i++) {
            row[i] = Buffer.alloc(BLOCK)
            taken += BLOCK_HEAP
            console.log("heap-probe-free-b " + taken)
            await ds.sleep(1)
        }
    }
}
