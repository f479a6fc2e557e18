// The catalogue of boards: what each board is made of. The simulator, the fleet tools, the
// benchmark and the tests read it; the firmware does not (each board's entry, src/main*.ts,
// imports only the parts its board has). Adding a board touches this file, its board
// definition (boards/<name>.board.json) and its entry, nothing else.

export interface BoardSpec {
    /** the board definition (boards/<name>.board.json), as the firmware reports it on boot */
    name: string
    /** the firmware entry built for it */
    entry: string
    sockets: number
    /** the pay display: width, height (px) and bits per pixel; null: none */
    screen: readonly [number, number, number] | null
    /** what meters the sockets on the board: a metering chip the program reads itself, or meters on the bus */
    meter: "bl0910" | "bus"
    /** an NTC thermistor on the board (served as a potentiometer: board temperature guard) */
    tempSensor: boolean
}

export const BOARDS = {
    shed10: { name: "shed10_esp32", entry: "src/main.ts", sockets: 10, screen: [128, 64, 1], meter: "bl0910", tempSensor: true },
    shed2: { name: "shed2_esp32c3", entry: "src/main_shed2.ts", sockets: 2, screen: [128, 64, 1], meter: "bus", tempSensor: false },
    shed2tft: { name: "shed2tft_esp32c3", entry: "src/main_shed2_tft.ts", sockets: 2, screen: [240, 240, 4], meter: "bus", tempSensor: false },
} as const satisfies Record<string, BoardSpec>

/** a board type: the catalogue's key ("shed10"), as in releases, the registry and `--board` */
export type BoardName = keyof typeof BOARDS

export const BOARD_NAMES = Object.keys(BOARDS) as BoardName[]

export function isBoardName(s: unknown): s is BoardName {
    return typeof s === "string" && Object.hasOwn(BOARDS, s)
}

/** the catalogue entry of `name`, or an error naming the boards there are */
export function boardSpec(name: string): BoardSpec {
    if (!isBoardName(name)) throw new Error(`unknown board ${JSON.stringify(name)}: one of ${BOARD_NAMES.join(", ")}`)
    return BOARDS[name]
}
