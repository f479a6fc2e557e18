// Bench-only firmware entry: the 10-socket board's program, plus a probe. Once the setting
// "heapProbe" is written (over the bus, when every socket charges), it allocates 256 B buffers
// until the VM runs out of memory, printing the total: the heap still free at that moment.
import * as ds from "@devicescript/core"
import { board } from "@dsboard/shed10_esp32"
import { ShedHardware } from "../src/shell/shed"
import { runBoard } from "../src/shell/board"
import { loadJson } from "../src/shell/persist"

const relays = [board.startSocket1(), board.startSocket2(), board.startSocket3(), board.startSocket4(), board.startSocket5(), board.startSocket6(), board.startSocket7(), board.startSocket8(), board.startSocket9(), board.startSocket10()]
const meters: ds.SocketMeter[] = []
for (let i = 1; i <= relays.length; i++) meters.push(new ds.SocketMeter("meter" + i))
const hw: ShedHardware = { name: "shed10_esp32", relays: relays, meters: meters, heartbeat: null, button: board.startService(), temperature: board.startBoardTemp() }
await runBoard(hw)
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
