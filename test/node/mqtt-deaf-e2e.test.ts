// A connection whose way out dies alone: the broker's commands still reach the board, nothing
// the board writes reaches the broker (seen in the simulator after the runtime's update channel
// handed the socket back, docs/updates.md). A TCP proxy between the board and the broker stops
// forwarding the board's bytes; the board must notice (its pings go unanswered), refuse an
// update window the server cannot have heard of, and reconnect. Commands keep arriving all
// along, so a link that only watches for silence never notices.
import { after, before, test } from "node:test"
import assert from "node:assert/strict"
import { createServer, connect, Server, Socket } from "node:net"
import { ShedSim } from "../../sim/shed-sim"
import { startBroker, RunningBroker } from "../../sim/cloud/broker"

let broker: RunningBroker
let proxy: Server
let sim: ShedSim
/** the board's connections through the proxy (its CONNECT names the client "shed-<id>") */
const boardConns: { up: Socket; deaf: boolean }[] = []

before(async () => {
    broker = await startBroker()
    const target = new URL(broker.url)
    proxy = createServer(down => {
        const up = connect(Number(target.port), target.hostname)
        const c = { up, deaf: false }
        let first = true
        down.on("data", d => {
            if (first) {
                first = false
                if (d.includes(Buffer.from("shed-S"))) boardConns.push(c)
            }
            if (!c.deaf) up.write(d)
        })
        up.on("data", d => down.write(d))
        const end = () => {
            down.destroy()
            up.destroy()
        }
        down.on("error", end).on("close", end)
        up.on("error", end).on("close", end)
    })
    await new Promise<void>(r => proxy.listen(0, "127.0.0.1", r))
    sim = new ShedSim({ board: "shed2", speed: 1, mqtt: `mqtt://127.0.0.1:${(proxy.address() as any).port}` })
    await sim.start()
})

after(async () => {
    await sim?.stop()
    proxy?.close()
    await broker?.close()
})

test("the board notices that what it writes is lost, takes no update window, and reconnects", { timeout: 180000 }, async () => {
    const ok = await sim.backend.send("status", {})
    assert.equal(ok.ok, true, JSON.stringify(ok))
    const before = boardConns.length
    assert.ok(before >= 1, "the board's connection through the proxy")
    // from now on the broker hears nothing the board writes on this connection
    boardConns[before - 1].deaf = true
    const from = sim.vm.log.length
    // the update command reaches the board; its reply cannot reach us
    const upd = await sim.backend.send("update", { windowS: 60 }, 5000).catch((): null => null)
    assert.equal(upd, null, "no reply through a deaf connection")
    await sim.vm.waitLog(/update window not taken/, 20000, from)
    // commands keep coming every few seconds while the board finds its way back
    let back: any = null
    const t0 = Date.now()
    while (!back && Date.now() - t0 < 90000) back = await sim.backend.send("status", {}, 4000).catch((): null => null)
    assert.ok(back?.ok, "a reply on a new connection")
    assert.ok(boardConns.length > before, "the board opened a new connection")
    assert.ok(
        sim.vm.log.slice(from).some(l => /no answer to a ping/.test(l)),
        sim.vm.log.slice(from).join("\n")
    )
    assert.ok(!sim.vm.log.slice(from).some(l => /update window: /.test(l)), "no window the server never heard of")
})
