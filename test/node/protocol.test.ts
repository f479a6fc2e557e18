import { test } from "node:test"
import assert from "node:assert/strict"
import fc from "fast-check"
import { canonicalJson } from "../../fleet/canonical"
import { macHex, openMessage, signCommand, signMessage } from "../../host/board-command"
import { Backend } from "../../sim/cloud/backend"
import { ServerClock } from "../../src/core/protocol/server-clock"
import { ReplayGuard } from "../../src/core/protocol/replay-guard"
import { parseCommand, ParseContext, commandErrors, replyJson } from "../../src/core/protocol/command"
import { configDiff, configHash, defaultConfig, applyConfigPatch } from "../../src/core/config"
import { Outbox, OUTBOX_SLOTS, FlashOp } from "../../src/core/protocol/outbox"
import { endedEvent, BILLING_BODY_MAX } from "../../src/core/protocol/events"

const KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
const T0 = 1_800_000_000_000
const BOOT = "00aa11bb22cc33dd"

function ctx(over: Partial<ParseContext> = {}): ParseContext {
    return { topic: "shed/B1/cmd", keyHex: KEY, boot: BOOT, nowMs: 1000, sockets: 10, maxBytes: 512, staleMs: 300000, mac: macHex, clock: new ServerClock(0), replay: new ReplayGuard(64), ...over }
}

/** a command as the backend signs it (with this boot's nonce unless it names one) */
function sign(cmd: any, key = KEY, board = "B1"): string {
    return signCommand(board, key, { boot: BOOT, ...cmd })
}

const parse = (text: string | Buffer, c: ParseContext) => parseCommand(Buffer.isBuffer(text) ? text : Buffer.from(text), c)

const start = (id = "c1", ts = T0, args: any = { order: "o1", socket: 3, limit: { kind: "full" } }) => ({ id, ts, cmd: "start", args })

test("canonical JSON sorts keys at every level and never depends on key order", () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, "x"], c: true } }), '{"a":{"c":true,"d":[1,"x"]},"b":1}')
    fc.assert(
        fc.property(
            fc.dictionary(fc.string(), fc.jsonValue()).map(o => JSON.parse(JSON.stringify(o))),
            obj => {
                // rebuilt through JSON text so keys like "__proto__" stay own keys, as on the wire
                const rev = JSON.parse(
                    "{" +
                        Object.keys(obj)
                            .reverse()
                            .map(k => JSON.stringify(k) + ":" + JSON.stringify((obj as any)[k]))
                            .join(",") +
                        "}"
                )
                assert.equal(canonicalJson(obj), canonicalJson(rev))
                // canonical text is JSON for the same value
                assert.deepEqual(JSON.parse(canonicalJson(obj)), JSON.parse(JSON.stringify(obj)))
            }
        )
    )
})

test("a signed, fresh start is accepted; the reply names the id", () => {
    const r = parse(sign(start()), ctx())
    assert.ok(r.ok, r.detail)
    assert.equal(r.command!.cmd, "start")
    assert.equal(JSON.parse(replyJson(r.id!, true, null, null, { state: "reserved" }, BOOT)).state, "reserved")
})

test("each refusal has its named error", () => {
    const c = ctx()
    assert.equal(parse("x".repeat(600), c).error, "too_large")
    assert.equal(parse("{nope", c).error, "bad_signature")
    assert.equal(parse(signMessage("shed/B1/cmd", KEY, '{"id":"m",nope}'), c).error, "malformed")
    assert.equal(parse(signMessage("shed/B1/cmd", KEY, '{"id":5}'), c).error, "malformed")
    assert.equal(parse(JSON.stringify({ id: "a", ts: T0, cmd: "start", args: {} }), c).error, "bad_signature")
    assert.equal(parse(sign({ id: "nb", ts: T0, boot: "ffffffffffffffff", cmd: "status", args: {} }), c).error, "wrong_boot")
    assert.equal(parse(signCommand("B1", KEY, { id: "nb2", ts: T0, cmd: "status", args: {} }), c).error, "wrong_boot")
    assert.equal(parse(sign(start(), "ff".repeat(32)), c).error, "bad_signature")
    assert.equal(parse(sign(start(), KEY, "B2"), c).error, "bad_signature")
    assert.equal(parse(sign({ id: "u", ts: T0, cmd: "explode", args: {} }), c).error, "unknown_command")
    assert.equal(parse(sign(start("s11", T0, { order: "o", socket: 11, limit: { kind: "full" } })), c).error, "unknown_socket")
    assert.equal(parse(sign(start("s0", T0, { order: "o", socket: 0, limit: { kind: "full" } })), c).error, "unknown_socket")
    assert.equal(parse(sign(start("l", T0, { order: "o", socket: 1, limit: { kind: "forever" } })), c).error, "bad_limit")
    assert.equal(parse(sign(start("l2", T0, { order: "o", socket: 1, limit: { kind: "minutes", value: -5 } })), c).error, "bad_limit")
    assert.equal(parse(sign(start("a", T0, { order: "o", socket: 1, limit: { kind: "full" }, extra: 1 })), c).error, "bad_args")
    assert.equal(parse(sign({ id: "k", ts: T0, cmd: "ack", args: { ids: [] } }), c).error, "bad_args")
    for (const e of ["malformed", "too_large", "bad_signature", "wrong_boot", "stale", "replayed", "unknown_command", "unknown_socket", "bad_limit", "bad_args", "socket_busy", "socket_faulted"])
        assert.ok(commandErrors().includes(e))
})

test("replayed ids and stale times are refused; the clock anchors on verified commands", () => {
    const c = ctx()
    assert.ok(parse(sign(start("c1", T0)), c).ok)
    assert.equal(parse(sign(start("c1", T0)), c).error, "replayed")
    assert.equal(c.clock.now(1000), T0)
    c.nowMs = 61000 // a minute later on the board
    assert.equal(parse(sign(start("c2", T0 + 60000 - 400000)), c).error, "stale")
    assert.equal(parse(sign(start("c3", T0 + 60000 + 400000)), c).error, "stale")
    assert.ok(parse(sign(start("c4", T0 + 61000)), c).ok)
    // after a reboot, the persisted high-water mark refuses old commands before any anchor
    const fresh = ctx({ clock: new ServerClock(T0 + 61000) })
    assert.equal(parse(sign(start("c5", T0 - 3600000)), fresh).error, "stale")
})

test("the replay guard stays bounded and never forgets into a replay window", () => {
    const g = new ReplayGuard(4)
    for (let i = 0; i < 10; i++) g.remember("id" + i, T0 + i, 0)
    assert.ok(g.seen("id0", T0), "a forgotten id is still refused by the time floor")
    assert.ok(g.seen("id9", T0 + 9))
    assert.ok(!g.seen("new", T0 + 100))
})

test("the replay guard keeps ids as hashes: every remembered id is refused, 20,000 others pass", () => {
    const g = new ReplayGuard(64)
    for (let i = 0; i < 64; i++) g.remember("c-" + i, T0 + i, 0)
    for (let i = 0; i < 64; i++) assert.ok(g.seen("c-" + i, T0 + 1000), `c-${i} replayed`)
    for (let i = 64; i < 20000; i++) assert.ok(!g.seen("c-" + i, T0 + 1000), `c-${i} is new`)
})

test("fuzz: thousands of mutated commands never throw, never get accepted, always get a named error", () => {
    const c = ctx()
    const original = sign(start("fz", T0))
    assert.ok(parse(original, c).ok)
    let n = 0
    fc.assert(
        fc.property(fc.integer({ min: 0, max: original.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 }), (pos, ch, op) => {
            let m: string
            if (op === 0) m = original.slice(0, pos) + String.fromCharCode(ch) + original.slice(pos + 1)
            else if (op === 1) m = original.slice(0, pos) + original.slice(pos + 1)
            else if (op === 2) m = original.slice(0, pos) + String.fromCharCode(ch) + original.slice(pos)
            else m = original.slice(0, pos)
            const r = parse(m, c)
            n++
            assert.equal(r.ok, false)
            assert.ok(commandErrors().includes(r.error!), r.error)
        }),
        { numRuns: 3000 }
    )
    assert.equal(n, 3000)
})

/** Apply flash ops to a fake settings store. */
function applyOps(store: Map<string, string>, ops: FlashOp[]) {
    for (const o of ops) {
        if (o.value === null) store.delete(o.key)
        else {
            assert.ok(o.key.length + 1 + o.value.length <= 232, `setting ${o.key} too large`)
            store.set(o.key, o.value)
        }
    }
}

test("outbox property: no billing record is ever lost across acks, restarts and a full queue", () => {
    fc.assert(
        fc.property(fc.array(fc.oneof(fc.constant("bill"), fc.constant("fault"), fc.constant("ack"), fc.constant("reboot"), fc.constant("send")), { maxLength: 120 }), ops => {
            const store = new Map<string, string>()
            let box = new Outbox()
            const billed = new Set<string>()
            const acked = new Set<string>()
            let k = 0
            let now = 0
            for (const op of ops) {
                now += 1000
                if (op === "bill") {
                    if (!box.canAcceptBilling(0)) continue // the board refuses new sessions then
                    const eid = "b" + k++
                    const r = box.enqueue(eid, "billing", JSON.stringify({ t: "ended", eid }), now)
                    assert.ok(r.ok, r.error)
                    applyOps(store, r.ops)
                    billed.add(eid)
                } else if (op === "fault") {
                    const eid = "f" + k++
                    applyOps(store, box.enqueue(eid, "fault", JSON.stringify({ t: "fault", eid }), now).ops)
                } else if (op === "send") box.nextToSend(now + 1e9)
                else if (op === "ack") {
                    const p = box
                        .pending()
                        .filter(e => e.startsWith("b"))
                        .slice(0, 2)
                    p.forEach(e => acked.add(e))
                    applyOps(store, box.ack(p))
                } else {
                    box = new Outbox()
                    applyOps(store, box.restore(key => store.get(key) ?? null, now).ops)
                }
                const pending = new Set(box.pending())
                for (const b of billed) assert.ok(acked.has(b) || pending.has(b), `billing record ${b} lost`)
            }
        }),
        { numRuns: 300 }
    )
})

test("outbox: a full outbox refuses faults but makes room for billing", () => {
    const box = new Outbox()
    for (let i = 0; i < OUTBOX_SLOTS; i++) assert.ok(box.enqueue("f" + i, "fault", "{}", 0).ok)
    assert.equal(box.enqueue("f99", "fault", "{}", 0).ok, false)
    assert.ok(box.canAcceptBilling(0))
    const displacing = box.enqueue("b1", "billing", "{}", 0)
    assert.ok(displacing.ok, "billing replaces the oldest fault")
    assert.equal(displacing.displaced, "f0", "the fault given up is named so the board can report it")
    assert.ok(box.pending().includes("b1"))
    assert.ok(!box.pending().includes("f0"))
})

test("outbox: resends with back-off, the same eid every time, until acked", () => {
    const box = new Outbox()
    box.enqueue("b1", "billing", '{"t":"ended"}', 0)
    const sends: number[] = []
    for (let t = 0; t < 120000; t += 1000) {
        const it = box.nextToSend(t)
        if (it) {
            assert.equal(it.eid, "b1")
            sends.push(t)
        }
    }
    assert.deepEqual(sends.slice(0, 4), [0, 5000, 15000, 35000])
    box.ack(["b1"])
    assert.equal(box.nextToSend(1e9), null)
})

test("outbox: a record in flash leaves RAM and is sent from its slot; restored records stay in flash", () => {
    const box = new Outbox()
    const r = box.enqueue("b1", "billing", '{"t":"ended","eid":"b1"}', 0)
    assert.deepEqual(r.ops, [{ key: "ob0", value: '{"t":"ended","eid":"b1"}' }])
    // until the shell says the write went through, the text stays in RAM
    assert.equal(box.nextToSend(0)!.body, '{"t":"ended","eid":"b1"}')
    box.inFlash("b1")
    const it = box.nextToSend(1e9)!
    assert.equal(it.body, null)
    assert.equal(it.slot, 0)
    const again = new Outbox()
    again.restore(k => (k === "ob3" ? '{"t":"fault","eid":"f2"}' : null), 0)
    const back = again.nextToSend(0)!
    assert.deepEqual([back.eid, back.kind, back.body, back.slot], ["f2", "fault", null, 3])
})

test("outbox: a corrupt record is reported and freed at boot, never crashes", () => {
    const store = new Map<string, string>([
        ["ob0", '{"t":"ended","eid":"b1"}'],
        ["ob1", "{garbage"],
        ["ob2", '{"eid":5}'],
    ])
    const box = new Outbox()
    const r = box.restore(k => store.get(k) ?? null, 0)
    assert.deepEqual(r.corrupt, ["ob1", "ob2"])
    assert.deepEqual(box.pending(), ["b1"])
    assert.equal(box.nextToSend(0)!.slot, 0)
})

test("a billing record with the longest order id fits one settings record", () => {
    const body = endedEvent(
        "b12345-99999",
        {
            order: "x".repeat(32),
            socket: 10,
            reason: "over_temperature",
            detail: "",
            energyWh: 12345.67,
            durationS: 43200,
            peakW: 999.9,
            startT: 1,
            endT: 2,
            fullAtS: 43000,
            topOffS: 14400,
            levelW: 123.4,
            refW: 999,
        },
        ms => T0 + ms
    )
    assert.ok(body.length <= BILLING_BODY_MAX, `${body.length} bytes`)
    const box = new Outbox()
    const r = box.enqueue("b12345-99999", "billing", body, 0)
    assert.ok(r.ok, r.error)
})

test("outbox: a start is refused when the running sessions' records would not all fit", () => {
    const box = new Outbox()
    for (let i = 0; i < OUTBOX_SLOTS - 2; i++) box.enqueue("b" + i, "billing", JSON.stringify({ t: "ended", eid: "b" + i }), 0)
    assert.ok(box.canAcceptBilling(1), "two free slots, one session running: room for a second")
    assert.equal(box.canAcceptBilling(2), false, "two free slots, two running: a third start would lose a record")
})

test("too_large counts bytes on the wire, not UTF-16 units", () => {
    // 200 three-byte characters: 200 string units, 600 bytes, over a 512-byte limit
    const cmd = sign(start("c1", T0, { order: "€".repeat(200), socket: 3, limit: { kind: "full" } }))
    assert.ok(cmd.length < 512 + 100)
    const r = parse(cmd, ctx())
    assert.equal(r.error, "too_large")
})

test("after a reboot, a replay of a command seen before it is refused (boot nonce, persisted high-water mark)", () => {
    const c1 = ctx()
    const cmd = sign(start("c1", T0))
    assert.ok(parse(cmd, c1).ok)
    // reboot: a new nonce, a new clock and guard seeded from the persisted high-water mark, as the cloud link does
    const hw = c1.clock.highWater
    const guard = new ReplayGuard(64)
    guard.floorTs = hw
    const c2 = ctx({ boot: "99887766554433cc", clock: new ServerClock(hw), replay: guard })
    assert.equal(parse(cmd, c2).error, "wrong_boot")
    assert.ok(parse(sign({ ...start("c2", T0 + 1000), boot: c2.boot }), c2).ok, "a newer command for this boot is accepted")
})

test("a command signed before a reboot that never reached the board is refused after it (wrong_boot), before the clock is anchored", () => {
    // the board ran, saw commands up to T0 (persisted high-water mark), and rebooted; a start
    // signed at T0 + 60 s for the boot before was held back (the backend gave up and refunded)
    const held = sign(start("held", T0 + 60000))
    const later = ctx({ boot: "1234567890abcdef", nowMs: 5000, clock: new ServerClock(T0), replay: Object.assign(new ReplayGuard(64), { floorTs: T0 }) })
    assert.equal(later.clock.anchored, false)
    const r = parse(held, later)
    assert.equal(r.ok, false)
    assert.equal(r.error, "wrong_boot")
    assert.equal(later.clock.anchored, false, "a refused command teaches the clock nothing")
    // the same order sent anew with the nonce of this boot is accepted
    assert.ok(parse(sign({ ...start("again", T0 + 300000), boot: later.boot }), later).ok)
})

test("signatures cover the bytes and the topic: any change, another topic or another key is refused", () => {
    const body = '{"id":"n1","ts":1800000000000,"boot":"00aa11bb22cc33dd","cmd":"start","args":{"order":"Zürich-€","socket":2,"limit":{"kind":"wh","value":1e-7},"powerCapW":1.0000000000000002}}'
    const msg = signMessage("shed/B1/cmd", KEY, body)
    assert.ok(msg.startsWith(body.slice(0, -1) + ',"sig":"'), "sig is the last member")
    assert.deepEqual(openMessage("shed/B1/cmd", KEY, msg), JSON.parse(body))
    assert.ok(parse(msg, ctx()).ok)
    assert.equal(openMessage("shed/B2/cmd", KEY, msg), null)
    assert.equal(openMessage("shed/B1/reply", KEY, msg), null)
    assert.equal(openMessage("shed/B1/cmd", "ff".repeat(32), msg), null)
    assert.equal(openMessage("shed/B1/cmd", KEY, msg.replace("1e-7", "1E-7")), null)
    assert.equal(parse(msg.replace("1e-7", "1.0e-7"), ctx()).error, "bad_signature")
    assert.equal(parse(signMessage("shed/B2/cmd", KEY, body), ctx()).error, "bad_signature")
    assert.equal(parse(msg.replace('"}', '" }'), ctx()).error, "bad_signature", "a space in the suffix")
    // white space JSON ignores is a change too: the bytes are signed
    assert.equal(parse(msg.replace('"cmd":', '"cmd": '), ctx()).error, "bad_signature")
})

test("a deeply nested 1 KB payload with a wrong sig is refused as bad_signature before anything parses it", () => {
    const deep = '{"id":"d","ts":1800000000000,"boot":"' + BOOT + '","cmd":"config","args":{"patch":' + "[".repeat(420) + "1" + "]".repeat(420) + '},"sig":"' + "0".repeat(64) + '"}'
    const parsed: string[] = []
    const orig = JSON.parse
    JSON.parse = ((t: string, ...rest: any[]) => (parsed.push(t), orig(t, ...rest))) as typeof JSON.parse
    try {
        for (let k = 0; k < 3; k++) assert.equal(parse(deep, ctx({ maxBytes: 1024 })).error, "bad_signature")
    } finally {
        JSON.parse = orig
    }
    assert.deepEqual(parsed, [], "JSON.parse never ran on it")
    // signed right but deeper than any command: malformed, still before JSON.parse
    const signedDeep = signMessage("shed/B1/cmd", KEY, deep.slice(0, deep.indexOf(',"sig"')) + "}")
    assert.equal(parse(signedDeep, ctx({ maxBytes: 1024 })).error, "malformed")
})

test("the backend simulator refuses a forged billing record, a forged reply and a forged boot: nothing billed, acked or believed", async () => {
    const b = new Backend("mqtt://unused", "B1", KEY)
    const logged: string[] = []
    b.log = l => logged.push(l)
    const acks: any[] = []
    ;(b as any).send = async (cmd: string, args: any) => acks.push({ cmd, args })
    b.orders.set("o-forged", { order: "o-forged", socket: 1, limit: { kind: "full" }, paidCents: 300 })
    const ended = { t: "ended", eid: "b0123456789ab", order: "o-forged", socket: 1, reason: "full", wh: 0, s: 60, peak: 0, end: -1, full: -1, top: 0, lvl: 0, ref: 0 }
    // unsigned, signed with another key, signed for another board's topic, a forged reply, a boot signed for the wrong topic
    b.receive("event", Buffer.from(JSON.stringify(ended)))
    b.receive("event", Buffer.from(signMessage("shed/B1/event", "ff".repeat(32), ended)))
    b.receive("event", Buffer.from(signMessage("shed/B2/event", KEY, ended)))
    b.receive("reply", Buffer.from(JSON.stringify({ id: "c1", ok: false, error: "socket_busy", boot: "f00f" })))
    b.receive("event", Buffer.from(signMessage("shed/B1/reply", KEY, { t: "boot", boot: "f00f", ver: "x", board: "shed2_esp32c3", sockets: 2, cfg: "0", resumed: 0 })))
    assert.equal(b.orders.get("o-forged")!.billed, undefined, "not billed")
    assert.deepEqual(acks, [], "not acked")
    assert.deepEqual([b.events.length, b.replies.length, b.billedEids.size], [0, 0, 0])
    assert.equal(b.boot, undefined, "no nonce learned from a forged message")
    assert.equal(logged.length, 5)
    assert.match(logged[0], /refused a message on event not signed by board B1/)
    // the board's own record is billed and acked
    b.receive("event", Buffer.from(signMessage("shed/B1/event", KEY, ended)))
    assert.equal(b.orders.get("o-forged")!.billed?.eid, "b0123456789ab")
    assert.deepEqual(acks, [{ cmd: "ack", args: { ids: ["b0123456789ab"] } }])
})

test("config in flash: only keys that differ from the defaults; the hash is FNV-1a and follows every value", () => {
    const r = applyConfigPatch(defaultConfig(), { noLoadS: 240, telemetryS: 30 })
    assert.ok(r.ok)
    assert.deepEqual(configDiff(r.config!), { noLoadS: 240, telemetryS: 30 })
    assert.deepEqual(configDiff(defaultConfig()), {})
    const reference = (c: any) => {
        let h = 0x811c9dc5
        for (const k of Object.keys(defaultConfig())) for (const b of Buffer.from(k + "=" + c[k] + ";")) h = Math.imul(h ^ b, 0x01000193) >>> 0
        return h.toString(16).padStart(8, "0")
    }
    assert.equal(configHash(defaultConfig()), reference(defaultConfig()))
    assert.equal(configHash(r.config!), reference(r.config))
    assert.notEqual(configHash(r.config!), configHash(defaultConfig()))
})
