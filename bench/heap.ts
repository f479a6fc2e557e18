// Heap high-water, measured: a board's firmware as shipped in the VM on the simulated shed with
// `sessions` sockets charging and MQTT up; then the probe (bench/heap-probe-run.ts) fills what is
// left with 64 B buffers until the VM runs out of memory. The same probe on an empty program
// gives what a program can have: used = the empty program's free - this program's free.
import { emptyFree, meterRolesHeap, probedFree } from "./heap-roles"
import { ShedSim, until } from "../sim/shed-sim"
import { provision } from "../host/board-settings"
import { BOARD_NAMES, BoardName, BOARDS } from "../boards/catalogue"
import { heapProbeEntry } from "./heap-probe-entry"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../host/root"
import { PlugSpec } from "../sim/bus/plug"

export interface HeapFigure {
    board: BoardName
    sessions: number
    simMin: number
    /** the broker went away and every session ended (unplugged) before the probe */
    offline: boolean
    /** every socket's draw low (under a quarter of its plateau) and still falling at the probe */
    low?: boolean
    /** heap (B) the probe's blocks and their arrays took, headers included; -1: not measured */
    freeB: number
    /** out-of-memory restarts before the probe ran */
    oomBefore: number
}

/** The low taper's plateau (W). */
const LOW_TAPER_W = 200

/**
 * A charge whose draw is low when the probe runs, and still falling: LOW_TAPER_W for 12 minutes,
 * then a taper with a 30 min time constant, under a quarter of the plateau from ~54 min (each
 * socket's detector then holds its flattening fit, docs/detector.md), never judged full before ~2 h.
 */
function lowTaperCsv(): string {
    const file = join(ROOT, "out", "tmp", "heap-low-taper.csv")
    mkdirSync(join(ROOT, "out", "tmp"), { recursive: true })
    const rows = ["t_s,power_w,current_a,voltage_v"]
    for (let t = 0; t <= 4 * 3600; t += 10) {
        const w = t < 720 ? LOW_TAPER_W : LOW_TAPER_W * Math.exp(-(t - 720) / 1800)
        rows.push(`${t},${w.toFixed(1)},${(w / 230).toFixed(3)},230`)
    }
    writeFileSync(file, rows.join("\n") + "\n")
    return file
}

/**
 * `offline`: then the broker goes away and every charger is unplugged, so the sessions end
 * while the board cannot send: their billing records wait in the outbox (RAM and flash).
 * `low`: every charger replays lowTaperCsv's taper, and every socket must be low at the probe.
 */
export async function measureHeap(sessions: number, chargeMs: number, offline = false, board: BoardName = "shed10", low = false): Promise<HeapFigure> {
    const entry = heapProbeEntry(board)
    // every socket's pay code provisioned (the default template), read from flash when shown
    const sim = new ShedSim({ board, speed: 60, entry })
    const fig: HeapFigure = { board, sessions, simMin: Math.round(chargeMs / 1000), offline, low, freeB: -1, oomBefore: 0 }
    const csv = low ? lowTaperCsv() : undefined
    try {
        await sim.start()
        for (let n = 1; n <= sessions; n++) {
            const spec: PlugSpec = low ? { model: "csv", csv } : { model: "li", soc0: 0.2, seed: n }
            sim.shed.plug(n, spec)
            const o = await sim.backend.pay(n)
            if (!o.startReply?.ok) throw new Error(`socket ${n}: ${JSON.stringify(o.startReply)}`)
        }
        await until(() => sim.shed.sockets.slice(0, sessions).every(s => s.relayOn && s.powerW > 20), 60000, "every socket charging")
        // traces, telemetry and redraws for a while (speed 60: a real second is a simulated minute)
        await new Promise(r => setTimeout(r, chargeMs))
        if (low) {
            const lowNow = lowSockets(sim, sessions)
            if (lowNow < sessions) throw new Error(`only ${lowNow} of ${sessions} sockets low at the probe`)
        }
        if (offline) {
            await sim.broker!.close()
            for (let n = 1; n <= sessions; n++) sim.shed.unplug(n)
            // unplugged sessions end within a minute or two (simulated): records and their trace queue up
            await new Promise(r => setTimeout(r, 10000))
        }
        const from = sim.vm.log.length
        await provision(sim.bus, { heapProbe: 1 })
        await sim.vm.waitLog(/OutOfMemory|PANIC/, 90000, from)
        fig.freeB = probedFree(sim.vm.log.slice(from))
        fig.oomBefore = sim.vm.log.slice(0, from).filter(l => /OutOfMemory|PANIC/.test(l)).length
    } catch (e) {
        // a build's reason is further down its message (over the code limit: "verification error")
        const lines = (e as Error).message.split("\n")
        const why = lines.find(l => /error/i.test(l))
        console.log(
            `\n(heap probe failed: ${lines[0]}${why ? " " + why.replace(/\x1b\[[0-9;]*m/g, "").trim() : ""}${/verification error/.test(why ?? "") ? " (the probe's ~0.13 KB of code put the program over the runtime's code limit)" : ""})`
        )
        if (process.env.HEAP_DEBUG)
            console.log(
                sim.vm.log
                    .filter(l => /Exception|PANIC|  at |ended|fault/.test(l))
                    .slice(-30)
                    .join("\n")
            )
    } finally {
        await sim.stop()
    }
    return fig
}

/** `empty`: an empty program's free heap (B), by the same probe */
function line(f: HeapFigure, empty: number): string {
    if (f.freeB < 0) return `- ${f.sessions} sessions: not measured`
    const freeKb = f.freeB / 1024
    const oom = f.oomBefore ? ` (ran out of memory ${f.oomBefore} times before the probe)` : ""
    const n = BOARDS[f.board].sockets
    const what = f.offline
        ? `${f.sessions} sessions charged ${f.simMin} simulated minutes, then the broker went away and all ended unplugged (records waiting in the outbox)`
        : f.low
          ? `${f.sessions} of ${n} sockets charging, every one low and still falling (a taper under a quarter of its plateau: its flattening fit held), MQTT up`
          : `${f.sessions} of ${n} sockets charging for ${f.simMin} simulated minutes, MQTT up`
    // the display shows the code of a socket that can take a payment, cycling when there are several
    const free = n - f.sessions
    const screen = BOARDS[f.board].screen
        ? free > 1
            ? `, display drawn, ${free} sockets' codes cycling`
            : free === 1
              ? ", display drawn, the free socket's code"
              : ", display drawn, no socket free"
        : ""
    return `- ${BOARDS[f.board].name}, ${what}${screen}: ${freeKb.toFixed(2)} KB free of the ${(empty / 1024).toFixed(2)} KB an empty program has, so ${((empty - f.freeB) / 1024).toFixed(2)} KB used${oom}`
}

export async function printHeapBench() {
    console.log("\n## Heap (each board's program as shipped; target <= 40 KB of 64 KB with every socket charging and the display drawn)\n")
    const empty = await emptyFree()
    console.log(`- an empty program, the probe alone: ${(empty / 1024).toFixed(2)} KB free (what every figure below is taken from)`)
    console.log(line(await measureHeap(0, 5000), empty))
    console.log(line(await measureHeap(9, 20000), empty))
    const ten = await measureHeap(10, 20000)
    console.log(line(ten, empty))
    // the simulated 10-socket board reads the simulator's meters through ten Socket Meter roles;
    // the board itself is fed by its BL0910 and has none (src/main.ts)
    const roles = await meterRolesHeap(empty)
    const board = (empty - ten.freeB - roles) / 1024
    console.log(
        `  of which the ten Socket Meter roles the simulated board reads its meters through: ${(roles / 1024).toFixed(2)} KB (bench/heap-roles.ts: an empty program and the ten roles watched, each with the heap probe). The board itself has none: ~${board.toFixed(1)} KB used with every socket charging`
    )
    console.log(line(await measureHeap(10, 180000), empty))
    console.log(line(await measureHeap(10, 70000, false, "shed10", true), empty))
    console.log(line(await measureHeap(10, 20000, true), empty))
    for (const b of BOARD_NAMES.filter(b => BOARDS[b].sockets <= 2)) console.log(line(await measureHeap(1, 20000, false, b), empty))
}

/** Sockets still switched on, drawing, under a quarter of the low taper's plateau. */
function lowSockets(sim: ShedSim, n: number): number {
    let k = 0
    for (let i = 1; i <= n; i++) {
        const s = sim.shed.socket(i)
        if (s.relayOn && s.powerW > 5 && s.powerW < LOW_TAPER_W / 4) k++
    }
    return k
}
