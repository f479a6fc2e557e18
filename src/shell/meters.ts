// Where the control loop takes each socket's readings from. A board's entry says which meters it
// has: Socket Meter roles on the bus (the simulator's, or meter devices), or a metering chip the
// program reads itself (src/shell/bl0910.ts), which feeds the loop directly.
import * as ds from "@devicescript/core"
import { refresh, REPORT_READING } from "./sensor-watch"

/** Socket Meter (services/socketmeter.md): get voltage (u22.10 V) and current (u16.16 A); the reading is power (i22.10 W) */
const GET_VOLTAGE = 0x1180
const GET_CURRENT = 0x1181
/** its event mains_lost */
const EV_MAINS_LOST = 0x80

export interface MeterFeed {
    /** the active power (W) of socket `i` (0-based), every sample: a short is judged on it at once */
    power(i: number, w: number): Promise<void>
    /** the RMS voltage (V) of socket `i`, now and then */
    voltage(i: number, v: number): void
    /** the RMS current (A) of socket `i`, now and then */
    current(i: number, a: number): void
    /** whether socket `i`'s current is wanted now (a meter that must ask for it asks only then) */
    wantsCurrent(i: number): boolean
    /** a meter saw the mains go (MAINS_LOST_V): the board is on its hold-up */
    mainsLost(): Promise<void>
}

/** Starts a board's meters; every reading goes to `feed`. */
export type MeterStart = (feed: MeterFeed) => Promise<void>

// one closure a meter over (role, i, feed) and nothing else: ten meters' handlers are what the
// simulated 10-socket board holds for them in its heap (sensor-watch.ts)
function watchMeter(role: ds.SocketMeter, i: number, feed: MeterFeed) {
    ;(role as any)._onPacket = async (pkt: ds.Packet) => {
        // one register a refresh (both at each announce, ~0.5 s apart, held 12.6 KB more of the
        // heap on the simulated 10-socket board, its ten meters' handlers waiting on each other):
        // the current while it is wanted (a minute at most: the board's voltage is the other
        // meters' median meanwhile), the voltage else
        if (!pkt || pkt.serviceCommand === 0) await refresh(role, feed.wantsCurrent(i) ? GET_CURRENT : GET_VOLTAGE)
        else if (!pkt.isReport) return
        else if (pkt.serviceCommand === REPORT_READING) await feed.power(i, pkt.payload.getAt(0, "i32") / 1024)
        else if (pkt.isEvent && pkt.eventCode === EV_MAINS_LOST) await feed.mainsLost()
        else if (pkt.serviceCommand === GET_VOLTAGE) feed.voltage(i, pkt.payload.getAt(0, "u32") / 1024)
        else if (pkt.serviceCommand === GET_CURRENT) feed.current(i, pkt.payload.getAt(0, "u32") / 65536)
    }
}

/** Meters on the bus: one Socket Meter role per socket, in socket order. */
export function busMeters(roles: ds.SocketMeter[]): MeterStart {
    return async feed => {
        for (let i = 0; i < roles.length; i++) watchMeter(roles[i], i, feed)
    }
}

/** Socket Meter roles meter1..meterN (the simulator serves them under these names). */
export function meterRoles(n: number): ds.SocketMeter[] {
    const roles: ds.SocketMeter[] = []
    for (let i = 1; i <= n; i++) roles.push(new ds.SocketMeter("meter" + i))
    return roles
}
