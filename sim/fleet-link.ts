// The simulated shed under a fleet update server: the board registered with the server and
// provisioned over the simulator's bus as `fleet provision` provisions a board on USB (its
// update channel pointed at the server, the broker it already uses, over plain TCP: the
// simulator's broker is on this machine). `npm start -- --fleet <url>` and the tests' FleetSim
// both join a fleet this way.
import { apiCall } from "../host/api-client"
import { provisionBoard } from "../host/provision"
import { BoardName } from "../boards/catalogue"
import { ShedSim } from "./shed-sim"

/** Waits until the fleet server's API answers (it may be started after the shed). */
export async function waitForFleet(api: string, token: string | undefined, ms: number): Promise<void> {
    const t0 = Date.now()
    for (;;) {
        try {
            await apiCall(api, token, "GET", "/api/boards")
            return
        } catch (e) {
            // a refusal (bad token) is no reason to wait: only a server not up yet is
            if (/^\d{3}: /.test((e as Error).message)) throw new Error(`the fleet server at ${api} refused: ${(e as Error).message}`)
            if (Date.now() - t0 > ms) throw new Error(`no fleet server at ${api} within ${Math.round(ms / 1000)} s: ${(e as Error).message}`)
        }
        await new Promise(r => setTimeout(r, 500))
    }
}

/**
 * Registers the simulated board with the fleet server at `api` (whose update channel is on the
 * same host and port) and provisions it over the bus, keeping the command key the simulator's
 * backend signs with. Returns once the runtime has the update channel's key in its flash.
 */
export async function joinFleet(sim: ShedSim, api: string, token?: string): Promise<{ deviceId: string; wsskKey: string; cmdKey: string }> {
    const server = new URL(api)
    if (server.protocol !== "http:") throw new Error(`--fleet ${api}: the local fleet server's address, http://host:port`)
    const broker = new URL(sim.opts.mqtt ?? sim.broker!.url)
    const p = await provisionBoard(sim.bus, {
        api,
        token,
        serverHost: server.hostname,
        serverPort: Number(server.port || 80),
        id: sim.boardId,
        type: (sim.opts.board ?? "shed10") as BoardName,
        mqttHost: broker.hostname,
        mqttPort: Number(broker.port || 1883),
        // the simulator's broker is plain TCP on this machine
        mqttProto: "tcp",
        cmdKey: sim.keyHex,
    })
    // the runtime keeps the connection string in flash, written when it gets round to it
    await sim.vm.waitFlash([p.wsskKey])
    return p
}
