// What the simulated 10-socket board's ten Socket Meter roles hold of the heap. The heap bench
// runs each board's program as shipped on the simulated shed, where the 10-socket board reads
// the simulator's meters on the bus; the board itself is fed by its BL0910 directly and has no
// such roles (src/main.ts). Two programs on the same simulated shed, the heap probe in each:
// nothing else, and the ten roles watched while the meters stream. The difference is theirs.
import { JDBus } from "jacdac-ts"
import { SimShed } from "../sim/bus/sim-shed"
import { startHub } from "../sim/bus/hub"
import { FirmwareVM } from "../sim/bus/vm"
import { buildFirmware } from "../sim/bus/firmware"
import { provision } from "../host/board-settings"
import { BOARDS } from "../boards/catalogue"

/** The heap probe's last figure in a VM's log lines (bench/heap-probe-run.ts): the heap its blocks took (B). */
export function probedFree(lines: string[]): number {
    let free = 0
    for (const l of lines) {
        const m = /heap-probe-free-b (\d+)/.exec(l)
        if (m) free = Number(m[1])
    }
    return free
}

async function freeWith(entry: string): Promise<number> {
    const bus = new JDBus([], { client: false, disableRoleManager: true })
    bus.start()
    const spec = BOARDS.shed10
    const shed = new SimShed({ sockets: spec.sockets, speed: 1, display: spec.screen !== null, tempSensor: spec.tempSensor })
    shed.attach(bus)
    const hub = await startHub(bus)
    const vm = new FirmwareVM({ program: buildFirmware("shed10", entry), hubPort: hub.port, deviceId: "d0000000000000a", onLine: process.env.HEAP_DEBUG ? l => console.log(l) : undefined })
    try {
        vm.start()
        await vm.waitLog(/heap-roles: ready/, 60000)
        // the roles bind and the meters stream a while
        await new Promise(r => setTimeout(r, 8000))
        const from = vm.log.length
        await provision(bus, { heapProbe: 1 })
        await vm.waitLog(/OutOfMemory|PANIC/, 90000, from)
        return probedFree(vm.log.slice(from))
    } finally {
        await vm.dispose()
        await hub.close()
        // its 50 ms meter timer kept `npm run bench` from ever returning
        shed.stop()
        bus.stop()
    }
}

/** Heap (B) an empty program has free, by the same probe: what every other figure is taken from. */
export function emptyFree(): Promise<number> {
    return freeWith("bench/heap-roles-empty.ts")
}

/** Heap (B) the ten Socket Meter roles hold on the simulated 10-socket board, given emptyFree(). */
export async function meterRolesHeap(empty: number): Promise<number> {
    return empty - (await freeWith("bench/heap-roles-meters.ts"))
}

if (process.argv[1]?.endsWith("heap-roles.ts")) emptyFree().then(async e => console.log(`empty program: ${e} B free; ten Socket Meter roles: ${await meterRolesHeap(e)} B of heap`))
