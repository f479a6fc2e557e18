// End to end: an aedes broker and a backend in node, the firmware's cloud link in the VM.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import mqtt from "mqtt"
import { openMessage, signCommand } from "../../host/board-command"
import { startBroker } from "../../sim/cloud/broker"

const KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
/** the board's boot nonce, from its signed boot event */
let boot = ""
const sign = (cmd: any, key = KEY) => signCommand("B1", key, { boot, ...cmd })

test("pay -> relay on -> remote stop -> one billing record, acked; forged commands refused", { timeout: 240000 }, async () => {
    // the VM test connects to 18830 (its CloudLink options are compiled in)
    const broker = await startBroker(18830)
    const backend = await mqtt.connectAsync(broker.url)
    const replies: any[] = []
    const events: any[] = []
    let online = false
    await backend.subscribeAsync("shed/B1/#")
    const unsigned: string[] = []
    backend.on("message", (topic, payload) => {
        const text = payload.toString()
        if (process.env.DEBUG_CLOUD) console.log("MSG", topic, text)
        if (topic.endsWith("/online")) return void (online = text === "online")
        if (topic.endsWith("/cmd")) return
        // everything else the board sends is signed with its key, for its topic
        const m = openMessage(topic, KEY, payload)
        if (!m) return void unsigned.push(topic + " " + text)
        if (topic.endsWith("/reply")) replies.push(m)
        else if (topic.endsWith("/event")) events.push(m)
        if (m.t === "boot") boot = m.boot
    })
    const vm = spawn("npx", ["devs", "run", "test/vm-net/cloud.test.ts", "--test", "--test-self-exit", "--test-timeout", "200000"], { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    vm.stdout.on("data", d => (out += d))
    vm.stderr.on("data", d => (out += d))
    const until = async (cond: () => boolean, ms: number, what: string) => {
        const t0 = Date.now()
        while (!cond()) {
            if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}\n${out.slice(-3000)}`)
            await new Promise(r => setTimeout(r, 100))
        }
    }
    try {
        await until(() => online, 120000, "the board online")
        // a command for no boot in particular is refused, and the reply names this boot's nonce
        backend.publish("shed/B1/cmd", signCommand("B1", KEY, { id: "nb", ts: Date.now(), cmd: "status", args: {} }))
        await until(() => replies.some(r => r.id === "nb"), 20000, "the wrong_boot reply")
        assert.equal(replies.find(r => r.id === "nb").error, "wrong_boot")
        await until(() => boot !== "", 20000, "the boot event")
        assert.match(boot, /^[0-9a-f]{16}$/)
        assert.equal(replies.find(r => r.id === "nb").boot, boot)
        const now = Date.now()
        backend.publish("shed/B1/cmd", sign({ id: "f1", ts: now, cmd: "start", args: { order: "o1", socket: 1, limit: { kind: "full" } } }, "ff".repeat(32)))
        // refused before anything reads it: no id
        await until(() => replies.some(r => r.error === "bad_signature"), 20000, "the forged command's reply")
        assert.equal(replies.find(r => r.error === "bad_signature").id, null)
        backend.publish("shed/B1/cmd", "{not json")
        await until(() => replies.filter(r => r.error === "bad_signature").length === 2, 20000, "the unsigned text's reply")
        const payT = Date.now()
        backend.publish("shed/B1/cmd", sign({ id: "c1", ts: now, cmd: "start", args: { order: "o1", socket: 1, limit: { kind: "full" } } }))
        await until(() => replies.some(r => r.id === "c1"), 20000, "the start reply")
        assert.equal(replies.find(r => r.id === "c1").ok, true, JSON.stringify(replies))
        await until(() => out.includes("relay-on"), 30000, "the relay on")
        // pay (signed start published) to relay closed, as the backend sees it (VM polls every 50 ms)
        console.log(`pay-to-relay-ms: ${Date.now() - payT}`)
        backend.publish("shed/B1/cmd", sign({ id: "c1", ts: now, cmd: "start", args: { order: "o1", socket: 1, limit: { kind: "full" } } }))
        await until(() => replies.filter(r => r.id === "c1").length === 2, 20000, "the replay's reply")
        assert.equal(replies.filter(r => r.id === "c1")[1].error, "replayed")
        backend.publish("shed/B1/cmd", sign({ id: "c2", ts: Date.now(), cmd: "stop", args: { socket: 1 } }))
        await until(() => events.some(e => e.t === "ended"), 30000, "the billing record")
        const rec = events.find(e => e.t === "ended")
        assert.equal(rec.order, "o1")
        assert.equal(rec.reason, "remote_stop")
        backend.publish("shed/B1/cmd", sign({ id: "c3", ts: Date.now(), cmd: "ack", args: { ids: [rec.eid] } }))
        await until(() => replies.some(r => r.id === "c3"), 20000, "the ack reply")
        assert.equal(replies.find(r => r.id === "c3").ok, true)
        const code = await new Promise<number>(res => vm.on("exit", c => res(c ?? 1)))
        assert.equal(code, 0, out.slice(-3000))
        // billed once: every ended event carried the same eid
        assert.equal(new Set(events.filter(e => e.t === "ended").map(e => e.eid)).size, 1)
        assert.match(rec.eid, /^b[0-9a-f]{12}$/)
        assert.deepEqual(unsigned, [], "every message but online is signed")
    } finally {
        vm.kill()
        await backend.endAsync()
        await broker.close()
    }
})
