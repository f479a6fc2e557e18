// Firmware entry for the 2-socket ESP32-C3 board (boards/shed2_esp32c3.board.json).
import * as ds from "@devicescript/core"
import { board } from "@dsboard/shed2_esp32c3"
import { ShedHardware } from "./shell/control-loop"
import { busMeters, meterRoles } from "./shell/meters"
import { runBoardWithDisplay } from "./shell/board-display"
import { startOled } from "./shell/display"

const relays = [board.startSocket1(), board.startSocket2()]

const hw: ShedHardware = { name: "shed2_esp32c3", relays: relays, meters: busMeters(meterRoles(2)), heartbeat: null, button: board.startService() }
await runBoardWithDisplay(hw, startOled)
