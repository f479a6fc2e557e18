// The simulated shed's hardware on the Jacdac bus: one relay and one socket meter per socket
// (the services the board's drivers serve), the service button, and what is plugged into each
// socket. Charger models advance in simulated time (`speed` simulated seconds per real
// second); faults are injected here and nowhere else.
import { readFileSync, existsSync } from "node:fs"
import { join, resolve } from "node:path"
import { ROOT } from "../../host/root"
import { addServiceProvider, ButtonServer, CHANGE, JDBus, JDServiceServer, loadServiceSpecifications, SensorServer, SRV_POTENTIOMETER, SRV_RELAY, serviceSpecifications } from "jacdac-ts"
import { makePlug, Plug, PlugSpec } from "./plug"
import { filterCurrentA, meterCurrentA } from "../chargers/simulate"
import { RoleBinding, roleOrder } from "./roles"
import { SimScreen } from "./screen"
import { ntcRatio } from "../../src/core/ntc"

/** Role names as the firmware declares them: board relays carry the runtime's "[int:N]" hint. */
export const relayRole = (n: number) => `socket${n}[int:${n - 1}]`
export const meterRole = (n: number) => `meter${n}`

export const SRV_SOCKET_METER = 0x1d5e3a01
/** Socket Meter event: the mains went (services/socketmeter.md) */
export const EV_MAINS_LOST = 0x80

/** The socket meter spec compiled by `devs build` from services/socketmeter.md. */
export function loadSocketMeterSpec() {
    if (serviceSpecifications().some(s => s.classIdentifier === SRV_SOCKET_METER)) return
    const f = join(ROOT, ".devicescript/services.json")
    if (!existsSync(f)) throw new Error(`${f} is missing: run "npm run build" first`)
    const r = loadServiceSpecifications(JSON.parse(readFileSync(f, "utf8")))
    if (!serviceSpecifications().some(s => s.classIdentifier === SRV_SOCKET_METER)) throw new Error("socket meter spec not loaded: " + JSON.stringify(r))
}

/** deaf: the relay misses the next command to open (lost on the bus), then obeys again */
export type Fault = "short" | "overload" | "welded" | "silent" | "deaf"

export interface RelayChange {
    /** real ms since the shed started */
    t: number
    on: boolean
}

class MeterServer extends SensorServer<[number]> {
    silent = false
    voltage: ReturnType<JDServiceServer["addRegister"]>
    current: ReturnType<JDServiceServer["addRegister"]>
    energy: ReturnType<JDServiceServer["addRegister"]>
    onReset: () => void = () => {}
    constructor(name: string) {
        super(SRV_SOCKET_METER, { instanceName: name, readingValues: [0], streamingInterval: 100 })
        this.voltage = this.addRegister(0x180, [230])
        this.current = this.addRegister(0x181, [0])
        this.energy = this.addRegister(0x182, [0])
        this.addCommand(0x80, () => this.onReset())
    }
    async handlePacket(pkt: any) {
        if (!this.silent) await super.handlePacket(pkt)
    }
}

// a silent meter neither streams nor answers: the board must notice on its own
// (SensorServer's refresh is private in its typings, hence the prototype patch)
const baseRefresh = (SensorServer.prototype as any).refreshRegisters
;(MeterServer.prototype as any).refreshRegisters = function (this: MeterServer) {
    if (!this.silent) baseRefresh.call(this)
}

export class SimSocket {
    readonly relay: JDServiceServer
    readonly meter: MeterServer
    plug: Plug | null = null
    faults = new Set<Fault>()
    overloadW = 1800
    shortW = 6000
    /** simulated seconds this plug has been powered */
    tPowered = 0
    energyWh = 0
    powerW = 0
    changes: RelayChange[] = []

    constructor(
        readonly index: number,
        now: () => number
    ) {
        this.relay = new JDServiceServer(SRV_RELAY, { instanceName: "socket" + index, intensityValues: [false], isActive: (v: any) => !!v?.[0] } as any)
        this.meter = new MeterServer("meter" + index)
        this.meter.onReset = () => (this.energyWh = 0)
        let last = false
        this.relay.register(1).on(CHANGE, () => {
            if (!this.relayOn && this.faults.delete("deaf")) {
                this.relay.register(1).setValues([true])
                return
            }
            const on = this.relayOn
            if (on !== last) this.changes.push({ t: now(), on })
            last = on
        })
    }

    get relayOn(): boolean {
        return !!this.relay.register(1).values()[0]
    }

    /** the contacts are closed: commanded on, or welded shut */
    get live(): boolean {
        return this.relayOn || this.faults.has("welded")
    }
}

export interface SimShedOptions {
    sockets: number
    /** simulated seconds per real second */
    speed?: number
    mainsV?: number
    /** the board draws on a display (its firmware has a "screen" role) */
    display?: boolean
    /** W seen on an open channel next to a charging one (meter cross-talk, suppressed by the board) */
    crossTalkPct?: number
    /** the board has an NTC on an ADC pin, served as a potentiometer (role "boardTemp") */
    tempSensor?: boolean
}

export class SimShed {
    readonly sockets: SimSocket[] = []
    readonly button = new ButtonServer("service")
    readonly screen = new SimScreen(128, 64)
    /** the board's NTC divider: the ratio the ADC sees at boardTempC (NaN: the sensor open) */
    readonly thermistor = new SensorServer<[number]>(SRV_POTENTIOMETER, { instanceName: "boardTemp", readingValues: [ntcRatio(25)], streamingInterval: 500 })
    boardTempC = 25
    /** the sensor stops reporting (its server hung, its driver crashed): no reading is streamed */
    tempSilent = false
    speed: number
    mainsV: number
    readonly t0 = Date.now()
    private timer: NodeJS.Timeout | null = null
    private last = 0
    /** simulated seconds since start */
    simS = 0

    constructor(private opts: SimShedOptions) {
        loadSocketMeterSpec()
        this.speed = opts.speed ?? 1
        this.mainsV = opts.mainsV ?? 230
        const now = () => Date.now() - this.t0
        for (let i = 1; i <= opts.sockets; i++) this.sockets.push(new SimSocket(i, now))
    }

    attach(bus: JDBus) {
        // services listed in the firmware's role-name order, so its automatic binding gives
        // relay N and meter N to socket N (checked by checkRoles)
        const byRole = (a: { role: string }, b: { role: string }) => roleOrder(a.role, b.role)
        const relays = this.sockets
            .map(s => ({ role: relayRole(s.index), server: s.relay }))
            .sort(byRole)
            .map(x => x.server)
        const meters = this.sockets
            .map(s => ({ role: meterRole(s.index), server: s.meter }))
            .sort(byRole)
            .map(x => x.server)
        addServiceProvider(bus, { name: "shed relays", serviceClasses: [SRV_RELAY], services: () => relays })
        addServiceProvider(bus, { name: "shed meters", serviceClasses: [SRV_SOCKET_METER], services: () => meters })
        addServiceProvider(bus, { name: "shed button", serviceClasses: [this.button.serviceClass], services: () => [this.button] })
        addServiceProvider(bus, { name: "shed display", serviceClasses: [this.screen.serviceClass], services: () => [this.screen] })
        if (this.opts.tempSensor) addServiceProvider(bus, { name: "shed thermistor", serviceClasses: [SRV_POTENTIOMETER], services: () => [this.thermistor] })
        this.last = Date.now()
        this.timer = setInterval(() => this.step(), 50)
    }

    /** The firmware's role names for this shed's services (boards/*.board.json, src/main*.ts). */
    roles(): RoleBinding[] {
        const r: RoleBinding[] = []
        for (const s of this.sockets) {
            r.push({ role: relayRole(s.index), server: s.relay })
            r.push({ role: meterRole(s.index), server: s.meter })
        }
        r.push({ role: "service[int:0]", server: this.button })
        if (this.opts.display) r.push({ role: "screen", server: this.screen })
        if (this.opts.tempSensor) r.push({ role: "boardTemp[int:0]", server: this.thermistor })
        return r
    }

    /** A technician presses the service button for `ms` (the button reports the press time on release). */
    async press(ms: number) {
        await this.button.down()
        await new Promise(r => setTimeout(r, ms))
        await this.button.up()
    }

    stop() {
        if (this.timer) clearInterval(this.timer)
        this.timer = null
    }

    socket(n: number): SimSocket {
        const s = this.sockets[n - 1]
        if (!s) throw new Error(`unknown socket ${n} (1..${this.sockets.length})`)
        return s
    }

    plug(n: number, spec: PlugSpec) {
        const s = this.socket(n)
        s.plug = makePlug(spec)
        s.tPowered = 0
    }

    unplug(n: number) {
        this.socket(n).plug = null
    }

    private dark = false

    /**
     * Mains gone: every relay coil drops out (contacts open) and nothing draws; the meters read
     * no voltage and say so at once (their event mains_lost), as the board's metering chip does.
     */
    blackout(on: boolean) {
        this.dark = on
        if (!on) return
        for (const s of this.sockets) {
            s.relay.register(1).setValues([false])
            s.meter.voltage.setValues([0])
            if (!s.meter.silent) void s.meter.sendEvent(EV_MAINS_LOST)
        }
    }

    inject(n: number, f: Fault, on = true) {
        const s = this.socket(n)
        if (on) s.faults.add(f)
        else s.faults.delete(f)
        s.meter.silent = s.faults.has("silent")
    }

    private step() {
        const nowMs = Date.now()
        const dt = ((nowMs - this.last) / 1000) * this.speed
        this.last = nowMs
        if (dt <= 0) return
        this.simS += dt
        const v = this.mainsV
        for (const s of this.sockets) {
            let p = 0
            if (s.live && !this.dark) {
                if (s.plug) {
                    // the models are written for steps of a second or less
                    const n = Math.max(1, Math.ceil(dt))
                    for (let k = 0; k < n; k++) p += s.plug.draw(s.tPowered + (k * dt) / n, dt / n, v)
                    p /= n
                    s.tPowered += dt
                }
                if (s.faults.has("overload")) p = s.overloadW
                if (s.faults.has("short")) p = s.shortW
            }
            s.powerW = p
            s.energyWh += (p * dt) / 3600
        }
        // NaN: the sensor open, its divider's pin pulled to ground. Silent: a sensor server
        // streams only a reading it has
        if (this.tempSilent) this.thermistor.reading.data = undefined
        else this.thermistor.reading.setValues([this.boardTempC === this.boardTempC ? ntcRatio(this.boardTempC) : 0])
        const xt = (this.opts.crossTalkPct ?? 0) / 100
        for (let i = 0; i < this.sockets.length; i++) {
            const s = this.sockets[i]
            let read = s.powerW
            if (!s.live && xt > 0) {
                const left = this.sockets[i - 1]?.powerW ?? 0
                const right = this.sockets[i + 1]?.powerW ?? 0
                read += (left + right) * xt
            }
            s.meter.reading.setValues([read])
            s.meter.voltage.setValues([this.dark ? 0 : v])
            // a plug's input filter draws its current while its relay is closed
            const filterA = s.live && s.plug && !this.dark ? filterCurrentA(s.plug.filterA, v) : 0
            s.meter.current.setValues([meterCurrentA(read, v, s.plug?.pf ?? 1, filterA)])
            s.meter.energy.setValues([Math.floor(s.energyWh)])
        }
    }
}
