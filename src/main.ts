// Firmware entry for the 10-socket board (boards/shed10_esp32.board.json). On the board the
// BL0910 metering chip feeds the control loop directly and the heartbeat pin feeds the
// external watchdog; in the simulator the loop reads the simulator's socket meters on the bus.
// The 128x64 OLED shows each socket's own pay code in turn (rendered off the board, read from
// flash), the shown socket's page of lines beside it (docs/display.md).
import * as ds from "@devicescript/core"
import "@devicescript/gpio"
import { board, pins } from "@dsboard/shed10_esp32"
import { ShedHardware } from "./shell/control-loop"
import { runBoardWithDisplay } from "./shell/board-display"
import { startOled } from "./shell/display"
import { bl0910Meters } from "./shell/bl0910"
import { busMeters, meterRoles } from "./shell/meters"

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
const sim = ds.isSimulator()
const meters = sim ? busMeters(meterRoles(relays.length)) : bl0910Meters({ sck: pins.SCK, miso: pins.MISO, mosi: pins.MOSI, cs: pins.METER_CS }, relays.length)
const heartbeat = sim
    ? null
    : (on: boolean) => {
          pins.HEARTBEAT.write(on ? 1 : 0)
      }

const hw: ShedHardware = { name: "shed10_esp32", relays: relays, meters: meters, heartbeat: heartbeat, temperature: board.startBoardTemp(), button: board.startService() }
await runBoardWithDisplay(hw, startOled)
