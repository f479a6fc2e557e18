// A whole simulated shed in one call: the Jacdac bus and its hub, the shed's relays, meters
// and button, the firmware in the DeviceScript VM, an MQTT broker (embedded unless a URL is
// given) and the operator's backend. The firmware cannot tell it from a real shed: it sees
// the same services, settings and broker. With `devtools`, the shed joins the bus of
// DeviceScript's dev tools instead (VS Code's simulator, `devs devtools` + `devs run`), and the
// firmware is whatever program runs there.
import { randomBytes } from "node:crypto"
import { createNodeSocketTransport, DeviceScriptManagerClient, JDBus, SRV_DEVICE_SCRIPT_MANAGER } from "jacdac-ts"
import { Backend, Tariff } from "./cloud/backend"
import { RunningBroker, startBroker } from "./cloud/broker"
import { BoardName, BOARDS, buildFirmware } from "./bus/firmware"
import { Hub, startHub } from "./bus/hub"
import { findBoardSettings, provision, Settings } from "../host/board-settings"
import { checkRoles } from "./bus/roles"
import { SimShed } from "./bus/sim-shed"
import { payCodesFor, payCodesInFlash } from "../host/pay-codes"
import { FirmwareVM } from "./bus/vm"

export interface ShedSimOptions {
    board?: BoardName
    /** simulated seconds per real second for the chargers and the board's core */
    speed?: number
    /** external broker (mqtt://host:port); an embedded one otherwise */
    mqtt?: string
    boardId?: string
    crossTalkPct?: number
    /**
     * board settings written at provisioning besides the cloud ones (e.g. {config: {...}});
     * `payUrl` is the pay URL template the socket's codes (qr1..qrN) are rendered from, not
     * written itself; a qrN given here replaces that socket's code (null: none)
     */
    settings?: Settings
    /** the backend's prices (DEFAULT_TARIFF otherwise) */
    tariff?: Tariff
    /** every VM log line */
    onLog?: (line: string) => void
    /** keep flash here (a folder) instead of a temporary one */
    flashDir?: string
    /** another firmware entry for this board (bench/heap-probe-entry.ts) */
    entry?: string
    /**
     * The dev tools' TCP port (8082): the shed's hardware joins their bus, and the board is the
     * program running there (VS Code's simulator, or `devs run`), provisioned and restarted over
     * the bus. No VM of ours: power cuts and crashes are not ours to make then.
     */
    devtools?: number
}

/**
 * The board's supply hold-up after the mains goes (real ms): what docs/hardware.md asks of the
 * board (1 s for the controller alone, the relay coils on the other side of its diode)
 */
export const HOLDUP_MS = 1000

export class ShedSim {
    bus!: JDBus
    hub!: Hub
    shed!: SimShed
    vm!: FirmwareVM
    broker: RunningBroker | null = null
    backend!: Backend
    boardId = ""
    keyHex = randomBytes(32).toString("hex")
    private closed = false

    constructor(readonly opts: ShedSimOptions = {}) {}

    async start() {
        const o = this.opts
        if (o.devtools) return await this.startOnDevtools(o.devtools)
        const board = o.board ?? "shed10"
        const program = buildFirmware(board, o.entry)
        this.boardId = o.boardId ?? "S" + randomBytes(3).toString("hex")
        this.bus = new JDBus([], { client: false, disableRoleManager: true })
        this.bus.start()
        this.attachShed(board)
        this.hub = await startHub(this.bus)
        const url = await this.brokerUrl()
        this.vm = new FirmwareVM({ program, hubPort: this.hub.port, deviceId: "d" + this.boardId.toLowerCase().padEnd(15, "0").slice(0, 15), dir: o.flashDir, onLine: o.onLog })
        await this.boot()
        // the factory boot counts itself in the crash counter; provisioning resets that count,
        // so it must come after, or the count of 1 lands over our 0
        await this.vm.waitLog(/cloud: not provisioned|connecting to |SAFE MODE/, 30000)
        // provisioning, as at the factory: settings over the bus, then a reset to use them
        await provision(this.bus, this.provisioning(url))
        // The runtime writes its flash, a whole image, on its own schedule: a reset before that
        // loses settings. An image holding the last one written holds every one before it; a
        // wait on the first ones alone once lost the crash count's reset, and three boots later
        // the board sat in safe mode, deaf, for the rest of the suite.
        await this.vm.waitFlash([this.boardId, this.keyHex])
        this.backend = new Backend(url, this.boardId, this.keyHex, o.tariff)
        await this.backend.connect()
        await this.powerCut(0, 0)
        await this.waitOnline()
    }

    private attachShed(board: BoardName) {
        const o = this.opts
        const spec = BOARDS[board]
        this.shed = new SimShed({ sockets: spec.sockets, speed: o.speed ?? 1, crossTalkPct: o.crossTalkPct, display: spec.screen !== null, tempSensor: spec.tempSensor })
        if (spec.screen) this.shed.screen.resize(spec.screen[0], spec.screen[1], spec.screen[2])
        this.shed.attach(this.bus)
    }

    /** the broker given, or an embedded one started */
    private async brokerUrl(): Promise<string> {
        if (this.opts.mqtt) return this.opts.mqtt
        this.broker = await startBroker()
        return this.broker.url
    }

    /** the board's settings as the factory writes them: its id, the broker, its pay codes, its key last */
    private provisioning(brokerUrl: string): Settings {
        const u = new URL(brokerUrl)
        // payUrl is the template the codes are rendered from, not a board setting
        const { payUrl, ...settings } = this.opts.settings ?? {}
        return {
            boardId: this.boardId,
            mqttHost: u.hostname,
            mqttPort: Number(u.port || 1883),
            mqttProto: "tcp",
            simSpeed: this.opts.speed ?? 1,
            // a technician provisioning the board starts its crash counter afresh
            crashes: 0,
            ...payCodesInFlash(payCodesFor(this.opts.board ?? "shed10", this.boardId, payUrl as string | undefined)),
            ...settings,
            // last: the simulator waits for it in the flash (start)
            boardKey: this.keyHex,
        }
    }

    /** The shed on the dev tools' bus, around the program that runs there. */
    private async startOnDevtools(port: number) {
        const o = this.opts
        const board = o.board ?? "shed10"
        this.boardId = o.boardId ?? "S" + randomBytes(3).toString("hex")
        this.bus = new JDBus([createNodeSocketTransport(port)], { client: false, disableRoleManager: true })
        this.bus.start()
        await this.bus.connect()
        this.attachShed(board)
        const url = await this.brokerUrl()
        // the program's runtime answers as the bus's Settings service
        await findBoardSettings(this.bus, 120000)
        await provision(this.bus, this.provisioning(url))
        this.backend = new Backend(url, this.boardId, this.keyHex, o.tariff)
        await this.backend.connect()
        // the program reads its settings when it starts: stop it and start it again
        const mgr = this.bus.services({ serviceClass: SRV_DEVICE_SCRIPT_MANAGER })[0]
        if (!mgr) throw new Error("no DeviceScript program manager on the dev tools' bus")
        const client = new DeviceScriptManagerClient(mgr)
        await client.setRunning(false)
        await client.setRunning(true)
        await checkRoles(this.bus, this.shed.roles(), 60000)
        await this.waitOnline()
    }

    /**
     * The shed loses power and gets it back after `offMs`: every relay coil drops out (contacts
     * open), the meters say the mains went, and the program dies `holdupMs` (real) later, when
     * the board's supply hold-up runs out (HOLDUP_MS, docs/hardware.md "Flash"; 0: a cut the
     * board gets no warning of). The VM is then started again on its flash.
     */
    async powerCut(offMs = 0, holdupMs = HOLDUP_MS) {
        this.ownVm()
        this.shed.blackout(true)
        if (holdupMs > 0) await new Promise(r => setTimeout(r, holdupMs))
        await this.vm.kill()
        this.backend.online = false
        if (offMs > 0) await new Promise(r => setTimeout(r, offMs))
        this.shed.blackout(false)
        await this.boot()
    }

    /** The embedded broker goes away for `downMs` and comes back empty on the same port. */
    async restartBroker(downMs: number) {
        if (!this.broker) throw new Error("restartBroker needs the embedded broker")
        const port = this.broker.port
        await this.broker.close()
        await new Promise(r => setTimeout(r, downMs))
        this.broker = await startBroker(port)
    }

    /** The program dies and the board restarts it; relays keep their state until it does. */
    async crash() {
        await this.ownVm().kill()
        this.backend.online = false
        await this.boot()
    }

    /** The program is starved of its CPU for `ms` (FirmwareVM.stall); everything else runs on. */
    async stall(ms: number) {
        await this.ownVm().stall(ms)
    }

    private ownVm(): FirmwareVM {
        if (!this.vm) throw new Error("the program runs in the dev tools, not in a VM of the simulator's: no power cut or crash from here")
        return this.vm
    }

    private async boot() {
        this.vm.start()
        await this.checkRoles()
    }

    private async checkRoles() {
        // the old VM's device may still be listed: wait for the new one's announce
        const from = this.vm.log.length
        await this.vm.waitLog(/start: shed-controller/, 30000, from)
        await checkRoles(this.bus, this.shed.roles())
    }

    async waitOnline(ms = 60000) {
        await this.until(() => this.backend.online, ms, "the board online")
    }

    /** `until`, and when it times out, the VM's last words in the error (what the board was doing). */
    async until(cond: () => boolean, ms: number, what: string) {
        try {
            await until(cond, ms, what)
        } catch (e) {
            // the last lines first, on one line: a CI report may keep only an error's first lines
            const said = (this.vm?.log ?? []).filter(l => !/mqtt: (send|recv)/.test(l))
            throw new Error(`${(e as Error).message}; the VM's last words: ${said.slice(-6).join(" | ")}\nthe VM said:\n${said.slice(-30).join("\n")}`)
        }
    }

    async stop() {
        if (this.closed) return
        this.closed = true
        await this.vm?.dispose()
        this.shed?.stop()
        await this.backend?.close()
        await this.hub?.close()
        this.bus?.stop()
        await this.broker?.close()
    }
}

export async function until(cond: () => boolean, ms: number, what: string) {
    const t0 = Date.now()
    while (!cond()) {
        if (Date.now() - t0 > ms) throw new Error(`timed out (${ms} ms) waiting for ${what}`)
        await new Promise(r => setTimeout(r, 50))
    }
}
