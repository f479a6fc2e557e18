// Provisioning a board for the fleet, over the DeviceScript bus (USB in the field, the
// simulator's bus here): fresh keys, the board registered with the update server, then its
// settings (board id, command key, broker, every socket's pay QR code rendered here from the
// pay URL template) through the runtime's Settings service and the
// update channel's connection string through its Cloud Configuration service. The program
// cannot set that string itself (the runtime keeps that service from programs), so this is
// the one way a board learns where its updates come from.
import { randomBytes } from "node:crypto"
import { CloudConfigurationCmd, JDBus, SRV_CLOUD_CONFIGURATION, jdpack } from "jacdac-ts"
import { findBoardSettings, provision, Settings } from "./board-settings"
import { payCodesFor, payCodesInFlash } from "./pay-codes"
import { BoardName } from "../boards/catalogue"
import { apiCall } from "./api-client"

export interface ProvisionOptions {
    /** the update server's API, e.g. http://fleet.example:8090 */
    api: string
    token?: string
    /** host and port the board reaches the update server at (ws://host:port) */
    serverHost: string
    serverPort: number
    id: string
    type: BoardName
    mqttHost: string
    mqttPort: number
    /** default tls: plain tcp only for a broker on a trusted local network (the simulator's) */
    mqttProto?: "tcp" | "tls"
    /** the pay URL template ({board}, {socket}); DEFAULT_PAY_URL (src/core/paycode-render.ts) when left out */
    payUrl?: string
    /** the riders' language on the board's screen: "zh" (the default when left out) or "en" */
    lang?: string
    /** further settings (config, calibration) */
    settings?: Settings
    /** keep this command key (the operator's backend already has it) */
    cmdKey?: string
}

/** the longest broker host a board keeps (its settings are budgeted: bench/flash-budget.ts) */
export const MQTT_HOST_MAX = 64

/** A board's broker password: 24 random bytes, URL-safe base64 (the registry keeps only its hash). */
export function newMqttPassword(): string {
    return randomBytes(24).toString("base64url")
}

export function connectionString(wsskKey: string, host: string, port: number, deviceId: string): string {
    if (!/^[0-9a-f]{64}$/.test(wsskKey)) throw new Error("the update channel key must be 64 hex digits")
    return `ws://wssk:${wsskKey}@${host}:${port}/wssk/shed/${deviceId}`
}

/** Sets the runtime's update channel (it connects whenever the program's socket is closed). */
export async function setUpdateChannel(bus: JDBus, conn: string, ms = 20000): Promise<void> {
    const t0 = Date.now()
    for (;;) {
        const srv = bus.services({ serviceClass: SRV_CLOUD_CONFIGURATION })[0]
        if (srv) return await srv.sendCmdAsync(CloudConfigurationCmd.SetConnectionString, jdpack("s", [conn]), true)
        if (Date.now() - t0 > ms) throw new Error("no board on the bus offers the runtime's Cloud Configuration service")
        await new Promise(r => setTimeout(r, 100))
    }
}

/**
 * Registers the board on the bus with the server and writes everything it needs, its own
 * broker account included (user = board id, a fresh random password: the server keeps its
 * hash for `fleet broker-config`). Returns its keys.
 */
export async function provisionBoard(bus: JDBus, o: ProvisionOptions): Promise<{ deviceId: string; wsskKey: string; cmdKey: string }> {
    // the codes first: a URL too long for a stored code refuses the board before anything is written
    const codes = payCodesFor(o.type, o.id, o.payUrl)
    if (o.lang !== undefined && o.lang !== "zh" && o.lang !== "en") throw new Error(`--lang: zh or en (got ${JSON.stringify(o.lang)})`)
    if (!o.mqttHost || o.mqttHost.length > MQTT_HOST_MAX) throw new Error(`--mqtt-host: 1-${MQTT_HOST_MAX} characters (got ${o.mqttHost?.length ?? 0})`)
    const settings = await findBoardSettings(bus)
    const deviceId = settings.device.deviceId.toLowerCase()
    const wsskKey = randomBytes(32).toString("hex")
    const cmdKey = o.cmdKey ?? randomBytes(32).toString("hex")
    const mqttPass = newMqttPassword()
    await apiCall(o.api, o.token, "POST", "/api/boards", { id: o.id, deviceId, type: o.type, wsskKey, cmdKey, mqttPass })
    const broker = { mqttHost: o.mqttHost, mqttPort: o.mqttPort, mqttProto: o.mqttProto ?? "tls", mqttUser: o.id, mqttPass }
    await provision(bus, { boardId: o.id, boardKey: cmdKey, ...broker, ...payCodesInFlash(codes), lang: o.lang ?? "zh", ...(o.settings ?? {}) })
    await setUpdateChannel(bus, connectionString(wsskKey, o.serverHost, o.serverPort, deviceId))
    return { deviceId, wsskKey, cmdKey }
}
