// Firmware entry for the 10-socket board (boards/shed10_esp32.board.json). In the simulator the
// relay roles bind to the simulator's relays and the meter roles to its socket meters.
import * as ds from "@devicescript/core"
import { board } from "@dsboard/shed10_esp32"
import { ShedHardware } from "./shell/shed"
import { runBoard } from "./shell/board"

const relays = [
    board.startSocket1(),
    board.startSocket2(),
    board.startSocket3(),
    board.startSocket4(),
    board.startSocket5(),
    board.startSocket6(),
    board.startSocket7(),
    board.startSocket8(),
    board.startSocket9(),
    board.startSocket10(),
]
const meters: ds.SocketMeter[] = []
for (let i = 1; i <= relays.length; i++) meters.push(new ds.SocketMeter("meter" + i))

const hw: ShedHardware = { name: "shed10_esp32", relays: relays, meters: meters, heartbeat: null }
await runBoard(hw)
