// Firmware entry for the 2-socket ESP32-C3 board (boards/shed2_esp32c3.board.json).
import * as ds from "@devicescript/core"
import { board } from "@dsboard/shed2_esp32c3"
import { ShedHardware } from "./shell/shed"
import { runBoardWithDisplay } from "./shell/board-display"
import { startOled } from "./shell/display"

const relays = [board.startSocket1(), board.startSocket2()]
const meters = [new ds.SocketMeter("meter1"), new ds.SocketMeter("meter2")]

const hw: ShedHardware = { name: "shed2_esp32c3", relays: relays, meters: meters, heartbeat: null, button: board.startService() }
await runBoardWithDisplay(hw, startOled)
