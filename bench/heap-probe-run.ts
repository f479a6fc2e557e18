// The heap probe, run after a board's program has started (bench/heap-probe-*.ts): once the
// setting "heapProbe" is written (over the bus, when the sessions charge), it allocates 256 B
// buffers until the VM runs out of memory, printing the total: the heap still free then.
import * as ds from "@devicescript/core"
import { loadJson } from "../src/shell/persist"

export async function probeWhenAsked() {
    for (;;) {
        await ds.sleep(500)
        if ((await loadJson("heapProbe")) === 1) break
    }
    // blocks small enough to fill the gaps between live objects, large enough that the keeping
    // array (8 B a block) stays a small part of the count
    const keep: Buffer[] = []
    for (let i = 0; i < 400; i++) {
        keep.push(Buffer.alloc(256))
        console.log("heap-probe-free-b " + (i + 1) * 256)
        await ds.sleep(2)
    }
}
