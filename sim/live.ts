// npm start: a live simulated shed in the terminal. The real core (Supervisor, detector,
// sessions) runs in node against the charger models, time-compressed; you plug chargers,
// pay, unplug and inject faults with one-line commands. (The DeviceScript VM + simulated
// Jacdac bus version of the shed is not built yet: this drives the same core directly.)

import * as readline from "node:readline"
import { DEFAULT_CONFIG } from "../src/core/config"
import { Supervisor } from "../src/core/supervisor"
import { LeadAcidCharger } from "./chargers/leadacid"
import { LithiumCharger } from "./chargers/lithium"
import { leadAcidParams, lithiumParams } from "./chargers/recipes"
import { Rng } from "./chargers/rng"
import { ChargerModel } from "./chargers/types"

const SOCKETS = 4
const args = process.argv.slice(2)
const speedArg = args.indexOf("--speed")
const SPEED = speedArg >= 0 ? Number(args[speedArg + 1]) : 120
if (!(SPEED >= 1 && SPEED <= 3600)) {
    console.error("usage: npm start -- [--speed 1..3600]  (simulated seconds per real second)")
    process.exit(2)
}

const rng = new Rng(Date.now() & 0xffff)
const sup = new Supervisor({ ...DEFAULT_CONFIG, sockets: SOCKETS })
interface Plug {
    model: ChargerModel | null
    name: string
    shortW: number
}
const plugs: Plug[] = []
for (let i = 0; i < SOCKETS; i++) plugs.push({ model: null, name: "-", shortW: 0 })
let relays: boolean[] = new Array(SOCKETS).fill(false)
let t = 0
const log: string[] = []
let orderNo = 1

function makeModel(kind: string): ChargerModel | null {
    if (kind === "li") return new LithiumCharger("li", lithiumParams(rng, { packs: [{ capAh: 14, soc0: 0.6 }] }), () => rng.next())
    if (kind === "la") return new LeadAcidCharger("la", { ...leadAcidParams(rng, 3), soc0: 0.6 })
    if (kind === "empty") return { family: "empty", pf: 1, step: () => 3, fullAt: () => null, params: () => ({}) }
    return null
}

function say(msg: string) {
    const hh = String(Math.floor(t / 3600)).padStart(2, "0")
    const mm = String(Math.floor((t % 3600) / 60)).padStart(2, "0")
    log.push(`[${hh}:${mm}] ${msg}`)
    while (log.length > 8) log.shift()
}

function command(line: string) {
    const [cmd, a, b] = line.trim().split(/\s+/)
    const n = Number(a)
    const okSocket = n >= 1 && n <= SOCKETS && Number.isInteger(n)
    if (cmd === "q") return shutdown()
    if (!cmd) return
    if (!okSocket && cmd !== "help") return say(`unknown socket "${a}" (1..${SOCKETS})`)
    const p = plugs[n - 1]
    if (cmd === "plug") {
        const m = makeModel(b ?? "li")
        if (!m) return say(`unknown model "${b}": li, la or empty`)
        p.model = m
        p.name = b ?? "li"
        p.shortW = 0
        say(`socket ${n}: ${p.name} charger plugged`)
    } else if (cmd === "pay") {
        const r = sup.start(n, "order-" + orderNo++, { kind: "full", value: 0 }, {}, t * 1000)
        say(r.ok ? `socket ${n}: paid, relay closing` : `socket ${n}: refused: ${r.error} (${r.detail})`)
    } else if (cmd === "unplug") {
        p.model = null
        p.name = "-"
        say(`socket ${n}: charger unplugged`)
    } else if (cmd === "short") {
        p.shortW = 6000
        say(`socket ${n}: short circuit injected`)
    } else if (cmd === "clear") {
        const r = sup.sockets[n - 1].clear(0)
        say(r.ok ? `socket ${n}: fault cleared` : `socket ${n}: ${r.error} (${r.detail})`)
    } else say(`unknown command "${cmd}"`)
}

function tick() {
    for (let k = 0; k < SPEED / 4; k++) {
        t += 1
        const readings = plugs.map((p, i) => {
            let w = p.shortW > 0 ? p.shortW : p.model && relays[i] ? p.model.step(t, 1, 230) : 0
            if (!relays[i] && p.shortW === 0) w = 0.2
            return { p: w, v: 230 }
        })
        relays = sup.tick(t * 1000, readings, relays)
        for (const e of sup.takeEvents()) {
            if (e.kind === "ended") say(`socket ${e.socket}: ended ${e.record!.reason}, ${e.record!.energyWh} Wh: ${e.record!.detail}`)
            if (e.kind === "fault") say(`socket ${e.socket}: FAULT ${e.fault}: ${e.detail}`)
            if (e.kind === "warning") say(`socket ${e.socket}: warning ${e.fault}`)
        }
        plugs.forEach(p => {
            if (p.shortW > 0 && !relays[plugs.indexOf(p)]) p.shortW = 0
        })
    }
    draw()
}

function draw() {
    const lines = [`Simulated shed (core in node, x${SPEED} time) - t = ${(t / 3600).toFixed(2)} h, board ${sup.totalW().toFixed(0)} W`, ""]
    lines.push("socket  charger  state      relay   W        Wh")
    sup.sockets.forEach((s, i) => {
        lines.push(
            `${String(i + 1).padEnd(8)}${plugs[i].name.padEnd(9)}${s.state.padEnd(11)}${(relays[i] ? "on" : "off").padEnd(8)}${s.levelW().toFixed(1).padEnd(9)}${s.energy().toFixed(1)}`
        )
    })
    lines.push("", ...log, "", "commands: plug <n> [li|la|empty] | pay <n> | unplug <n> | short <n> | clear <n> | q")
    process.stdout.write("\x1b[2J\x1b[H" + lines.join("\n") + "\n> ")
}

const rl = readline.createInterface({ input: process.stdin, output: process.stdout })
rl.on("line", command)
const timer = setInterval(tick, 250)
function shutdown() {
    clearInterval(timer)
    rl.close()
    process.stdout.write("\n")
    process.exit(0)
}
process.on("SIGINT", shutdown)
say("plug a charger, then pay: e.g. 'plug 1 li' then 'pay 1'")
draw()
