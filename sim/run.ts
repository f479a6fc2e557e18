// npm run sim -- --scenario <file.json> --report <out.json> [--mqtt mqtt://host:port]
// Runs a scripted scenario headless against the firmware in the VM and the simulated shed,
// exits when every action is done and no session is left running (or at maxS), and writes a
// report: per socket the relay transitions, the sessions as billed, the faults. Orders still
// unbilled at maxS are named and the exit code is 1.
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { parseScenario, Scenario, Action } from "./scenario"
import { ShedSim } from "./shed-sim"

function usage(msg: string): never {
    console.error(msg)
    console.error("usage: npm run sim -- --scenario <file.json> --report <out.json> [--mqtt mqtt://host:port]")
    process.exit(2)
}

const argv = process.argv.slice(2)
const arg = (name: string) => {
    const i = argv.indexOf(name)
    return i >= 0 ? argv[i + 1] : undefined
}
const file = arg("--scenario") ?? usage("--scenario is required")
const reportFile = arg("--report") ?? usage("--report is required")
let sc: Scenario
try {
    sc = parseScenario(readFileSync(file, "utf8"))
} catch (e) {
    usage(`${file}: ${(e as Error).message}`)
}
const base = dirname(resolve(file))

const sim = new ShedSim({ board: sc.board, speed: sc.speed, mqtt: arg("--mqtt"), settings: sc.settings, tariff: sc.tariff })
let t0 = 0
const simS = () => ((Date.now() - t0) / 1000) * sc.speed
const log: string[] = []
const say = (m: string) => {
    const line = `[${simS().toFixed(0).padStart(6)} s] ${m}`
    log.push(line)
    console.log(line)
}

async function act(a: Action) {
    const b = sim.backend
    switch (a.do) {
        case "plug":
            sim.shed.plug(a.socket, { model: a.model, csv: a.csv ? resolve(base, a.csv) : undefined, soc0: a.soc0, seed: a.seed })
            return say(`socket ${a.socket}: ${a.model} plugged`)
        case "unplug":
            sim.shed.unplug(a.socket)
            return say(`socket ${a.socket}: unplugged`)
        case "pay": {
            const extra: any = {}
            for (const k of ["powerCapW", "topOffMin", "profile"] as const) if (a[k] !== undefined) extra[k] = a[k]
            const o = await b.pay(a.socket, (a.limit as any) ?? { kind: "full" }, extra)
            return say(`socket ${a.socket}: paid order ${o.order}: ${o.startReply?.ok ? "started" : "refused " + o.startReply?.error}`)
        }
        case "stop": {
            const r = await b.send("stop", { socket: a.socket })
            return say(`socket ${a.socket}: stop ${r.ok ? "ok" : r.error}`)
        }
        case "clear": {
            const r = await b.send("clear", { socket: a.socket })
            return say(`socket ${a.socket}: clear ${r.ok ? "ok" : r.error}`)
        }
        case "fault":
            sim.shed.inject(a.socket, a.fault, a.on ?? true)
            return say(`socket ${a.socket}: ${a.fault} ${a.on === false ? "removed" : "injected"}`)
        case "mains":
            sim.shed.mainsV = a.volts
            return say(`mains at ${a.volts} V`)
        case "capture":
            return say(`display captured to ${capture()}`)
        case "powercut":
            say(`power cut for ${a.offS ?? 0} s`)
            await sim.powerCut(((a.offS ?? 0) / sc.speed) * 1000)
            await sim.waitOnline()
            return say("board back online")
    }
}

const captures: string[] = []
function capture(): string {
    const f = reportFile.replace(/\.json$/, "") + `-screen-${captures.length + 1}.png`
    writeFileSync(f, sim.shed.screen.png(4))
    captures.push(f)
    return f
}

function liveOrders(): number {
    let n = 0
    for (const o of sim.backend.orders.values()) if (!o.billed) n++
    return n
}

async function main() {
    await sim.start()
    t0 = Date.now()
    sim.backend.onEvent = e => {
        if (e.t === "ended") say(`socket ${e.socket}: session ${e.order} ended: ${e.reason}, ${e.wh} Wh in ${(e.s / 60).toFixed(1)} min`)
    }
    say(`board ${sim.boardId} online (${sc.board}, x${sc.speed})`)
    for (const a of sc.actions) {
        const wait = (a.at / sc.speed) * 1000 - (Date.now() - t0)
        if (wait > 0) await new Promise(r => setTimeout(r, wait))
        await act(a)
    }
    while (liveOrders() > 0 && simS() < sc.maxS) await new Promise(r => setTimeout(r, 200))
    // let the last acks and faults arrive
    await new Promise(r => setTimeout(r, 1500))
    capture()
    const toSim = (realMs: number) => Math.round(((realMs - (t0 - sim.shed.t0)) / 1000) * sc.speed * 10) / 10
    const report = {
        scenario: file,
        board: sc.board,
        boardId: sim.boardId,
        speed: sc.speed,
        endedAtS: Math.round(simS()),
        timedOut: liveOrders() > 0,
        sockets: sim.shed.sockets.map(s => ({
            socket: s.index,
            plugged: s.plug?.name ?? null,
            relay: s.changes.map(c => ({ t_s: toSim(c.t), on: c.on })),
            sessions: [...sim.backend.orders.values()].filter(o => o.socket === s.index).map(o => ({ order: o.order, limit: o.limit, start: o.startReply, ...o.billed })),
            faults: sim.backend.events.filter(e => e.t === "fault" && e.socket === s.index).map(e => ({ kind: e.kind, detail: e.detail })),
        })),
        boardFaults: sim.backend.events.filter(e => e.t === "fault" && e.socket === 0).map(e => ({ kind: e.kind, detail: e.detail })),
        displayCaptures: captures,
        log,
    }
    writeFileSync(reportFile, JSON.stringify(report, null, 2))
    say(`report written to ${reportFile}`)
    if (report.timedOut) {
        const open = [...sim.backend.orders.values()].filter(o => !o.billed).map(o => `${o.order} (socket ${o.socket})`)
        console.error(`timed out at ${sc.maxS} simulated s with ${open.length} order(s) not billed: ${open.join(", ")}`)
        process.exitCode = 1
    }
}

main()
    .catch(e => {
        console.error("scenario failed: " + (e as Error).message)
        if (sim.vm)
            console.error(
                "the VM said:\n" +
                    sim.vm.log
                        .filter(l => !/mqtt: (send|recv)/.test(l))
                        .slice(-40)
                        .join("\n")
            )
        process.exitCode = 1
    })
    .finally(() => sim.stop())
