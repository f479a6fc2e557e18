// The scenario format of `npm run sim` (sim/scenarios/README.md): validated whole before
// anything runs, every error naming the action and the field.
import { BOARD_NAMES, BOARDS, BoardName, isBoardName } from "../boards/catalogue"
import { Fault } from "./bus/sim-shed"
import { DEFAULT_TARIFF, Tariff } from "./cloud/backend"

export type Action =
    | { at: number; do: "plug"; socket: number; model: string; csv?: string; soc0?: number; seed?: number }
    | { at: number; do: "unplug"; socket: number }
    | { at: number; do: "pay"; socket: number; limit?: { kind: "full" } | { kind: "minutes" | "wh"; value: number }; powerCapW?: number; topOffMin?: number; profile?: string }
    | { at: number; do: "stop"; socket: number }
    | { at: number; do: "clear"; socket: number }
    | { at: number; do: "fault"; socket: number; fault: Fault; on?: boolean }
    | { at: number; do: "mains"; volts: number }
    | { at: number; do: "powercut"; offS?: number }
    | { at: number; do: "capture" }

export interface Scenario {
    board: BoardName
    /** simulated seconds per real second */
    speed: number
    /** stop at this simulated time even if sessions still run */
    maxS: number
    /** extra board settings at provisioning (e.g. {"config": {...}}) */
    settings?: { [k: string]: any }
    /** the backend's prices: DEFAULT_TARIFF with any of its fields replaced */
    tariff: Tariff
    actions: Action[]
}

const FAULTS = ["short", "overload", "welded", "silent"]
const KINDS = ["plug", "unplug", "pay", "stop", "clear", "fault", "mains", "powercut", "capture"]

export function parseScenario(text: string): Scenario {
    let j: any
    try {
        j = JSON.parse(text)
    } catch (e) {
        throw new Error("scenario is not JSON: " + (e as Error).message)
    }
    if (typeof j !== "object" || j === null || Array.isArray(j)) throw new Error("scenario must be a JSON object")
    const board = j.board ?? "shed10"
    if (!isBoardName(board)) throw new Error(`board must be one of ${BOARD_NAMES.join(", ")}`)
    const speed = j.speed ?? 60
    if (typeof speed !== "number" || !(speed >= 1 && speed <= 600)) throw new Error("speed must be a number 1..600")
    const maxS = j.maxS ?? 4 * 3600
    if (typeof maxS !== "number" || !(maxS > 0)) throw new Error("maxS must be a positive number of simulated seconds")
    if (j.settings !== undefined && (typeof j.settings !== "object" || Array.isArray(j.settings))) throw new Error("settings must be an object")
    const tariff = checkTariff(j.tariff)
    if (!Array.isArray(j.actions)) throw new Error("actions must be a list")
    const sockets = BOARDS[board as BoardName].sockets
    const actions: Action[] = j.actions.map((a: any, i: number) => checkAction(a, i, sockets))
    for (let i = 1; i < actions.length; i++) if (actions[i].at < actions[i - 1].at) throw new Error(`action ${i}: actions must be in time order`)
    return { board, speed, maxS, settings: j.settings, tariff, actions }
}

function checkTariff(t: any): Tariff {
    if (t === undefined) return { ...DEFAULT_TARIFF }
    if (typeof t !== "object" || t === null || Array.isArray(t)) throw new Error("tariff must be an object")
    const out: Tariff = { ...DEFAULT_TARIFF }
    for (const [k, v] of Object.entries(t)) {
        if (!Object.hasOwn(DEFAULT_TARIFF, k)) throw new Error(`tariff: unknown field ${k} (${Object.keys(DEFAULT_TARIFF).join(", ")})`)
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 1000000) throw new Error(`tariff.${k} must be a whole number of cents, 0..1000000`)
        out[k as keyof Tariff] = v as number
    }
    return out
}

function checkAction(a: any, i: number, sockets: number): Action {
    const where = `action ${i}`
    if (typeof a !== "object" || a === null) throw new Error(`${where}: must be an object`)
    if (!KINDS.includes(a.do)) throw new Error(`${where}: "do" must be one of ${KINDS.join(", ")}`)
    if (typeof a.at !== "number" || !(a.at >= 0)) throw new Error(`${where}: "at" must be simulated seconds >= 0`)
    if (a.do !== "mains" && a.do !== "powercut" && a.do !== "capture" && !(Number.isInteger(a.socket) && a.socket >= 1 && a.socket <= sockets))
        throw new Error(`${where}: socket must be 1..${sockets}`)
    if (a.do === "plug") {
        if (typeof a.model !== "string") throw new Error(`${where}: plug needs a "model"`)
        if (a.model === "csv" && typeof a.csv !== "string") throw new Error(`${where}: model "csv" needs a "csv" file`)
        if (a.soc0 !== undefined && !(a.soc0 >= 0 && a.soc0 <= 1)) throw new Error(`${where}: soc0 must be 0..1`)
    }
    if (a.do === "fault" && !FAULTS.includes(a.fault)) throw new Error(`${where}: fault must be one of ${FAULTS.join(", ")}`)
    if (a.do === "mains" && !(typeof a.volts === "number" && a.volts >= 0 && a.volts <= 400)) throw new Error(`${where}: volts must be 0..400`)
    if (a.do === "powercut" && a.offS !== undefined && !(a.offS >= 0 && a.offS <= 3600)) throw new Error(`${where}: offS must be 0..3600 simulated seconds`)
    return a as Action
}
