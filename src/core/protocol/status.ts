// The `status` command's result: what the backend (and a technician) sees of the board.
import { Supervisor } from "../supervisor"

export interface StatusResult {
    states: string[]
    /** W per socket as the board judges it (calibrated, cross-talk removed, floored); -1 silent */
    draw: number[]
    w: number
    pending: number
}

export function statusResult(sup: Supervisor, pending: number): StatusResult {
    const states: string[] = []
    const draw: number[] = []
    for (let i = 0; i < sup.sockets.length; i++) {
        const s = sup.sockets[i]
        states.push(s.state)
        const w = s.drawW()
        draw.push(w === w ? Math.round(w * 10) / 10 : -1)
    }
    return { states: states, draw: draw, w: Math.round(sup.totalW()), pending: pending }
}
