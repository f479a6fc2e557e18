// npm start: the whole shed on this machine. The firmware runs in the DeviceScript VM against
// the simulated bus (relays, socket meters, chargers), an embedded MQTT broker and the backend
// simulator; this terminal shows every socket live and takes one-line commands to plug
// chargers, pay, unplug and inject faults. Ctrl-C (or q) stops everything it started.
// With --devtools the shed joins the bus of DeviceScript's dev tools instead (VS Code's simulator,
// or `devs devtools` + `devs run`) around the program running there: sim/app.ts.
// With --fleet <url> the board is registered with the fleet update server there and provisioned
// by it (sim/fleet-link.ts), so releases reach it over the runtime's update channel
// (docs/updates.md "The operator's first hour"); --broker-port puts the embedded broker on a
// port the server can be told (--mqtt mqtt://127.0.0.1:<port>).
import * as readline from "node:readline"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { BOARD_NAMES, BoardName, isBoardName } from "../boards/catalogue"
import { ALIASES } from "./bus/plug"
import { ShedSim } from "./shed-sim"
import { RunningBroker, startBroker } from "./cloud/broker"
import { joinFleet, waitForFleet } from "./fleet-link"
import { PROFILES } from "../src/core/session"

const argv = process.argv.slice(2)
const arg = (name: string, def?: string) => {
    const i = argv.indexOf(name)
    return i >= 0 ? argv[i + 1] : def
}
const speed = Number(arg("--speed", "60"))
const board = arg("--board", "shed10") as BoardName
/** the dev tools' TCP port when the firmware runs there */
const devtools = argv.includes("--devtools") ? Number(arg("--devtools")) || 8082 : undefined
/** the fleet update server to join, http://host:port */
const fleet = arg("--fleet")
/** the riders' language on the board's screen (its `lang` setting) */
const lang = arg("--lang", "zh")
/** the embedded broker's port (any free one otherwise) */
const brokerPort = arg("--broker-port")
const USAGE = `usage: npm start -- [--speed 1..600] [--board ${BOARD_NAMES.join("|")}] [--lang zh|en] [--mqtt mqtt://host:port | --broker-port <port>] [--devtools [8082]] [--fleet http://host:port]`
const bad =
    !(speed >= 1 && speed <= 600) || !isBoardName(board) || (lang !== "zh" && lang !== "en")
        ? ""
        : fleet !== undefined && !/^http:\/\/[^/\s]+:\d+\/?$/.test(fleet)
          ? `--fleet: the fleet server's address, http://host:port (got ${JSON.stringify(fleet ?? "")})`
          : fleet !== undefined && devtools
            ? "--fleet runs the firmware in the simulator's VM: leave out --devtools"
            : brokerPort !== undefined && !(Number.isInteger(Number(brokerPort)) && Number(brokerPort) > 0 && Number(brokerPort) < 65536)
              ? `--broker-port: a TCP port (got ${JSON.stringify(brokerPort)})`
              : brokerPort !== undefined && arg("--mqtt")
                ? "--broker-port is the embedded broker's port: leave out --mqtt"
                : null
if (bad !== null) {
    if (bad) console.error(bad)
    console.error(USAGE)
    process.exit(2)
}

let broker: RunningBroker | null = null
let sim: ShedSim
const where = devtools ? `firmware in the dev tools on port ${devtools}` : "firmware in the DeviceScript VM"
const log: string[] = []
const states: string[] = []
let t0 = Date.now()
const clock = () => {
    const s = Math.floor(((Date.now() - t0) / 1000) * speed)
    return `${String(Math.floor(s / 3600)).padStart(2, "0")}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}`
}
const say = (m: string) => {
    log.push(`[${clock()}] ${m}`)
    while (log.length > 10) log.shift()
}

const HELP = `plug <n> [${["li", "la3", "la2", "empty", ...Object.keys(ALIASES).filter(k => !["li", "la3", "la2"].includes(k))].join("|")}] | pay <n> [minutes] [lithium|lead_acid] | unplug <n> | stop <n> | clear <n> | short|overload|welded|silent <n> | mains <V> | temp <C|open|silent> | press [ms] | powercut [s] | screen [file.png] | q`

async function command(line: string) {
    const [cmd, a, b, c] = line.trim().split(/\s+/)
    if (!cmd) return
    if (cmd === "q") return shutdown()
    const n = Number(a)
    const needsSocket = !["mains", "temp", "press", "powercut", "screen", "help"].includes(cmd)
    if (needsSocket && !(Number.isInteger(n) && n >= 1 && n <= sim.shed.sockets.length)) return say(`unknown socket "${a ?? ""}" (1..${sim.shed.sockets.length})`)
    try {
        if (cmd === "plug") {
            sim.shed.plug(n, { model: b ?? "li", seed: Date.now() & 0xffff })
            say(`socket ${n}: ${b ?? "li"} charger plugged`)
        } else if (cmd === "unplug") {
            sim.shed.unplug(n)
            say(`socket ${n}: charger unplugged`)
        } else if (cmd === "pay") {
            // pay <n> [minutes] [auto|lithium|lead_acid], in either order: the battery's
            // chemistry as the rider would pick it (the board refuses anything else)
            const rest = [b, c].filter(x => x !== undefined)
            const profile = rest.find(x => PROFILES.includes(x))
            const minutes = rest.find(x => x !== profile)
            const limit = minutes !== undefined ? { kind: "minutes" as const, value: Number(minutes) } : { kind: "full" as const }
            const o = await sim.backend.pay(n, limit, profile ? { profile } : {})
            say(o.startReply?.ok ? `socket ${n}: paid (${o.order}), relay closing` : `socket ${n}: refused: ${o.startReply?.error} (${o.startReply?.detail})`)
        } else if (cmd === "stop" || cmd === "clear") {
            const r = await sim.backend.send(cmd, { socket: n })
            say(`socket ${n}: ${cmd} ${r.ok ? "ok" : r.error + " (" + r.detail + ")"}`)
        } else if (["short", "overload", "welded", "silent"].includes(cmd)) {
            const on = !sim.shed.socket(n).faults.has(cmd as any)
            sim.shed.inject(n, cmd as any, on)
            say(`socket ${n}: ${cmd} ${on ? "injected" : "removed"}`)
        } else if (cmd === "press") {
            // the service button: short (default) picks the next socket, 2500 ms clears its fault
            const ms = Number(a) || 150
            await sim.shed.press(ms)
            say(`service button pressed for ${ms} ms`)
        } else if (cmd === "temp") {
            // "open": the sensor's wire broken; "silent": it stops reporting (the board reports
            // either after 10 s); degrees: it reads, and reports, again
            if (a === "open" || a === "silent") {
                if (a === "open") sim.shed.boardTempC = NaN
                sim.shed.tempSilent = a === "silent"
                say(`board temperature sensor ${a}`)
            } else if (!Number.isFinite(n)) say(`temp takes degrees C, "open" or "silent", not "${a ?? ""}"`)
            else {
                sim.shed.boardTempC = n
                sim.shed.tempSilent = false
                say(`board at ${n} C`)
            }
        } else if (cmd === "mains") {
            if (!(n >= 0 && Number.isFinite(n))) say(`mains takes volts, not "${a ?? ""}"`)
            else {
                sim.shed.mainsV = n
                say(`mains at ${n} V`)
            }
        } else if (cmd === "screen") {
            const f = a ?? "out/screen.png"
            mkdirSync(dirname(f), { recursive: true })
            writeFileSync(f, sim.shed.screen.png(4))
            say(`display written to ${f}`)
        } else if (cmd === "powercut") {
            say(`power cut for ${a ?? 0} s`)
            await sim.powerCut((Number(a) || 0) * 1000)
            say("power back: the board boots")
        } else say(`unknown command "${cmd}": ${HELP}`)
    } catch (e) {
        say(`${cmd}: ${(e as Error).message}`)
    }
}

function draw() {
    const online = sim.backend?.online ? "online" : "offline"
    const lines = [`Simulated shed ${sim.boardId} (${board}, ${where}, x${speed} time) - ${clock()} - cloud ${online}`, ""]
    lines.push("socket  charger       state      relay  W        Wh      faults")
    for (const s of sim.shed.sockets) {
        lines.push(
            `${String(s.index).padEnd(8)}${(s.plug?.name ?? "-").padEnd(14)}${(states[s.index] ?? "idle").padEnd(11)}${(s.relayOn ? "on" : "off").padEnd(7)}${s.powerW.toFixed(1).padEnd(9)}${s.energyWh.toFixed(1).padEnd(8)}${[...s.faults].join(",")}`
        )
    }
    lines.push("", `display: ${sim.shed.screen.frames} frames drawn (screen <file.png> writes it)`, "", ...log, "", HELP)
    process.stdout.write("\x1b[2J\x1b[H" + lines.join("\n") + "\n> ")
}

let timer: NodeJS.Timeout | null = null
let stopping = false
async function shutdown() {
    if (stopping) return
    stopping = true
    if (timer) clearInterval(timer)
    process.stdout.write("\nstopping the simulated shed...\n")
    await sim?.stop()
    await broker?.close()
    process.exit(0)
}
process.on("SIGINT", shutdown)
process.on("SIGTERM", shutdown)

async function main() {
    if (brokerPort) broker = await startBroker(Number(brokerPort))
    sim = new ShedSim({ board, speed, mqtt: broker?.url ?? arg("--mqtt"), devtools, settings: { lang } })
    console.log(
        devtools
            ? `joining the dev tools' bus on port ${devtools}; waiting for the firmware there (run src/main*.ts in VS Code's simulator or with devs run) to provision it...`
            : `starting the simulated shed (building the firmware, booting the VM, provisioning it)...`
    )
    await sim.start()
    if (fleet) {
        const api = fleet.replace(/\/$/, "")
        const mqttUrl = sim.opts.mqtt ?? sim.broker!.url
        console.log(`board ${sim.boardId} up, its broker ${mqttUrl}; waiting for the fleet server at ${api} to provision it`)
        console.log(`(start it with: npm run fleet -- server --trust keys/release-signing.pub --host 127.0.0.1 --port ${new URL(api).port} --mqtt ${mqttUrl})`)
        await waitForFleet(api, process.env.FLEET_TOKEN || undefined, 30 * 60 * 1000)
        const p = await joinFleet(sim, api, process.env.FLEET_TOKEN || undefined)
        say(`board ${sim.boardId} (device ${p.deviceId}) registered with the fleet server at ${api}: its releases come over the update channel`)
        console.log(`provisioned by the fleet server at ${api}`)
    }
    t0 = Date.now()
    sim.backend.onEvent = e => {
        if (e.t === "state") states[e.socket] = e.state
        if (e.t === "ended") say(`socket ${e.socket}: session ${e.order} ended: ${e.reason}, ${e.wh} Wh in ${(e.s / 60).toFixed(1)} min`)
        if (e.t === "why") say(`  why: ${e.detail}`)
        // a guard's all-clear (mains_ok, temperature_ok) travels as a fault event, but is none
        if (e.t === "fault") say(`${e.socket ? "socket " + e.socket : "board"}: ${/_ok$/.test(e.kind) ? "back to normal" : "FAULT"} ${e.kind}: ${e.detail}`)
    }
    say("plug a charger, then pay: e.g. 'plug 1 li' then 'pay 1'")
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout })
    rl.on("line", line => void command(line).then(draw))
    timer = setInterval(draw, 500)
    draw()
}

main().catch(async e => {
    console.error("the simulated shed failed to start: " + (e as Error).message)
    await sim?.stop()
    await broker?.close()
    process.exit(1)
})
