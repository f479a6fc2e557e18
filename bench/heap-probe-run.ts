// The heap probe, run after a board's program has started (bench/heap-probe-*.ts): once the
// setting "heapProbe" is written (over the bus, when the sessions charge), it allocates 128 B
// buffers until the VM runs out of memory, printing the heap they took: the heap still free then.
import * as ds from "@devicescript/core"
import { loadJson } from "../src/shell/persist"

/** a block's bytes: small enough to fill most gaps between live objects */
const BLOCK = 128
/** what a block takes of the heap: its bytes and the runtime's buffer header (devs_buffer_t, 32-bit) */
const BLOCK_HEAP = BLOCK + 12
/** blocks the keeping array has room for: more than an empty program's heap holds */
const CAP = 480

export async function probeWhenAsked() {
    for (;;) {
        await ds.sleep(500)
        if ((await loadJson("heapProbe")) === 1) break
    }
    // the keeping array at its full size before the first block. Grown block by block, the VM
    // copies it into a free run a quarter larger (over 1 KB at the end), and the probe failed
    // there, short of the heap's end, by however the free runs happened to be cut up. Its
    // 3.8 KB are the same in every probe, the empty program's included, so they cancel out
    const keep: Buffer[] = new Array(CAP)
    for (let i = 0; i < CAP; i++) {
        keep[i] = Buffer.alloc(BLOCK)
        console.log("heap-probe-free-b " + (i + 1) * BLOCK_HEAP)
        await ds.sleep(2)
    }
}
