// Firmware entry for the 10-socket board (boards/shed10_esp32.board.json). On the board the
// meter roles are served by the BL0910 driver and the heartbeat pin feeds the external
// watchdog; in the simulator the same roles bind to the simulator's socket meters.
// The 128x64 OLED shows each socket's own pay code in turn (rendered off the board, read from
// flash), the shown socket's page of lines beside it (docs/display.md).
import * as ds from "@devicescript/core"
import "@devicescript/gpio"
import { board, pins } from "@dsboard/shed10_esp32"
import { ShedHardware } from "./shell/shed"
import { runBoardWithDisplay } from "./shell/board-display"
import { startOled } from "./shell/display"
import { startBl0910 } from "./shell/bl0910"

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
let meters: ds.SocketMeter[] = []
let heartbeat: (on: boolean) => void = null
if (ds.isSimulator()) {
    for (let i = 1; i <= relays.length; i++) meters.push(new ds.SocketMeter("meter" + i))
} else {
    meters = await startBl0910({ sck: pins.SCK, miso: pins.MISO, mosi: pins.MOSI, cs: pins.METER_CS }, relays.length)
    heartbeat = on => {
        pins.HEARTBEAT.write(on ? 1 : 0)
    }
}

const hw: ShedHardware = { name: "shed10_esp32", relays: relays, meters: meters, heartbeat: heartbeat, temperature: board.startBoardTemp(), button: board.startService() }
await runBoardWithDisplay(hw, startOled)
