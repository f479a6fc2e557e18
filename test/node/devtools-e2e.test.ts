// The simulated shed on the bus of DeviceScript's dev tools, as in VS Code: `devs devtools` is
// the hub, the firmware runs as a program connected to it (`devs run`, as the extension's
// simulator does), and the shed's hardware, broker and backend join that bus (sim/app.ts's
// ShedSim with `devtools`). A paid order closes its socket's relay. The dev tools listen on
// ports of the test's own (sim/bus/devtools-ports.cjs), never the fixed 8081-8083.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { createServer } from "node:net"
import { join } from "node:path"
import { ROOT } from "../../host/root"
import { ShedSim, until } from "../../sim/shed-sim"
import { buildFirmware } from "../../sim/bus/firmware"
import { FirmwareVM } from "../../sim/bus/vm"

async function freePort(): Promise<number> {
    const s = createServer()
    await new Promise<void>(r => s.listen(0, "127.0.0.1", () => r()))
    const port = (s.address() as { port: number }).port
    await new Promise(r => s.close(r))
    return port
}

test("VS Code's way: the shed joins the dev tools' bus around the firmware running there; a paid order closes a relay", { timeout: 240000 }, async () => {
    const ports = [await freePort(), await freePort(), await freePort()]
    const cli = join(ROOT, "node_modules/@devicescript/cli/built/devicescript-cli.cjs")
    const devtools = spawn(process.execPath, ["-r", join(ROOT, "sim/bus/devtools-ports.cjs"), cli, "devtools"], {
        cwd: ROOT,
        env: { ...process.env, DEVTOOLS_PORTS: ports.join(","), NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
    })
    let said = ""
    devtools.stdout.on("data", d => (said += d))
    devtools.stderr.on("data", d => (said += d))
    const vm = new FirmwareVM({ program: buildFirmware("shed2"), hubPort: ports[1] })
    const sim = new ShedSim({ board: "shed2", speed: 60, devtools: ports[1] })
    try {
        // it prints the fixed ports it believes it has; what it listens on is ours
        await until(() => said.includes("tcpsocket"), 60000, "the dev tools listening")
        // the firmware, as the extension's simulator runs it: a program on the dev tools' bus
        vm.start()
        await sim.start()
        sim.shed.plug(1, { model: "li", soc0: 0.3, seed: 5 })
        const o = await sim.backend.pay(1)
        assert.equal(o.startReply?.ok, true, JSON.stringify(o.startReply))
        await until(() => sim.shed.socket(1).relayOn, 30000, "relay 1 closed")
        await until(() => sim.backend.events.some(e => e.t === "state" && e.socket === 1 && e.state === "charging"), 60000, "socket 1 charging")
        // the program on the dev tools' bus was provisioned by the shed, not built in
        assert.ok(
            vm.log.some(l => /connecting to tcp:\/\/127\.0\.0\.1:/.test(l)),
            vm.log.slice(-20).join("\n")
        )
        await assert.rejects(sim.powerCut(), /runs in the dev tools/)
    } finally {
        await sim.stop()
        await vm.dispose()
        devtools.kill("SIGKILL")
    }
})
