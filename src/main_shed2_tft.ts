// Firmware entry for the 2-socket ESP32-C3 board with the 240x240 colour TFT
// (boards/shed2tft_esp32c3.board.json): the same firmware as src/main_shed2.ts, the screen an
// ST7789 on the SPI bus it shares with the metering chip.
import * as ds from "@devicescript/core"
import { board, pins } from "@dsboard/shed2tft_esp32c3"
import { ShedHardware } from "./shell/control-loop"
import { busMeters, meterRoles } from "./shell/meters"
import { runBoardWithDisplay } from "./shell/board-display"
import { startTft } from "./shell/display"

const relays = [board.startSocket1(), board.startSocket2()]

const hw: ShedHardware = { name: "shed2tft_esp32c3", relays: relays, meters: busMeters(meterRoles(2)), heartbeat: null, button: board.startService() }
await runBoardWithDisplay(hw, async () => await startTft({ sck: pins.SCK, mosi: pins.MOSI, miso: pins.MISO, cs: pins.TFT_CS, dc: pins.TFT_DC, reset: pins.TFT_RST }))
