// Thousands of bad commands through the broker into the firmware in the VM, while a socket
// charges: forged, stale, replayed, oversized, random bytes, byte-mutated signed commands
// (based on a `stop` that would end the charge if it slipped through), deeply nested ones, and correctly signed
// commands whose arguments the protocol's JSON Schemas reject. Each must get one error reply;
// no relay may move, the board must not restart, and it must still obey a good command after.
import { describe, test, before, after } from "node:test"
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { isDeepStrictEqual } from "node:util"
import Ajv2020 from "ajv/dist/2020"
import fc from "fast-check"
import { ShedSim, until } from "../../sim/shed-sim"
import { ROOT } from "../../host/root"
import { Backend } from "../../sim/cloud/backend"

const TOTAL = 3000
const BATCH = 8

function commandSchema() {
    const dir = join(ROOT, "docs/schemas")
    const ajv = new Ajv2020({ strict: false })
    for (const f of readdirSync(dir).filter(f => f.endsWith(".schema.json"))) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), "utf8")))
    return ajv.getSchema("command.schema.json")!
}

/** A small seeded generator, so a failing run can be replayed (seed printed on failure). */
function rng(seed: number) {
    let s = seed >>> 0 || 1
    return () => {
        s ^= s << 13
        s >>>= 0
        s ^= s >>> 17
        s ^= s << 5
        s >>>= 0
        return s / 0x100000000
    }
}

describe("bad commands through the broker (firmware in the VM)", { timeout: 900000 }, () => {
    const sim = new ShedSim({ board: "shed2", speed: 1 })
    before(async () => {
        await sim.start()
    })
    after(async () => {
        if (process.env.SHED_LOG) require("node:fs").writeFileSync(process.env.SHED_LOG, sim.vm.log.join("\n"))
        // the firmware's alarms, with the stack under each exception
        const log = sim.vm.log
        log.forEach((l, i) => {
            if (/Exception|PANIC|dropped/.test(l)) console.log(log.slice(i, i + (/Exception/.test(l) ? 8 : 1)).join("\n"))
        })
        await sim.stop()
    })

    test(`${TOTAL} mutated commands: an error reply each, no relay change, no restart`, async () => {
        const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 100000)
        const rand = rng(seed)
        const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]
        const validate = commandSchema()
        const b = sim.backend
        // the backend simulator's own signing; a forger signs the same way with another key
        const forger = new Backend("mqtt://unused", sim.boardId, randomBytes(32).toString("hex"))
        const sign = (cmd: object) => b.sign(cmd)
        let n = 0
        const id = () => `z${++n}-${seed}`

        // socket 1 charges throughout; socket 2 stays free
        sim.shed.plug(1, { model: "li", soc0: 0.2, seed: 9 })
        const o = await b.pay(1)
        assert.equal(o.startReply?.ok, true, JSON.stringify(o.startReply))
        await until(() => sim.shed.socket(1).relayOn, 20000, "relay 1 on")
        // an accepted command whose exact bytes are replayed later
        const accepted = sign({ id: id(), ts: Date.now(), cmd: "status", args: {} })
        const before0 = b.replies.length
        await b.sendRaw(accepted)
        await until(() => b.replies.length > before0, 10000, "the status reply")
        assert.equal(b.replies[b.replies.length - 1].ok, true)
        const boots = b.events.filter(e => e.t === "boot").length
        const events0 = b.events.length
        const changes = [sim.shed.socket(1).changes.length, sim.shed.socket(2).changes.length]

        const jsonValues = fc.sample(fc.jsonValue({ maxDepth: 2 }), { numRuns: 400, seed })
        const validArgs: Record<string, any> = {
            start: { order: "ofuzz", socket: 2, limit: { kind: "minutes", value: 30 } },
            stop: { socket: 1 },
            clear: { socket: 1 },
            config: { patch: { telemetryS: 30 } },
            update: { windowS: 60, force: true },
            ack: { ids: ["b9-9"] },
            status: {},
        }
        const families: Record<string, () => string | Buffer | null> = {
            // a stop for the charging socket, signed right, then bytes flipped, cut or inserted
            bytes: () => {
                const good = sign({ id: id(), ts: Date.now(), cmd: "stop", args: { socket: 1 } })
                const buf = Buffer.from(good)
                const k = Math.floor(rand() * buf.length)
                const how = pick(["flip", "cut", "insert"])
                const out = how === "flip" ? Buffer.from(buf) : how === "cut" ? buf.subarray(0, k) : Buffer.concat([buf.subarray(0, k), Buffer.from([Math.floor(rand() * 256)]), buf.subarray(k)])
                if (how === "flip") out[k] ^= 1 << Math.floor(rand() * 8)
                // a change JSON ignores (whitespace) leaves a valid command: not a bad one
                try {
                    if (isDeepStrictEqual(JSON.parse(out.toString()), JSON.parse(good))) return null
                } catch {}
                return out
            },
            // signed right, arguments the schema refuses (a field removed, retyped or added)
            args: () => {
                const cmd = pick(Object.keys(validArgs))
                const args: any = structuredClone(validArgs[cmd])
                const keys = Object.keys(args)
                const op = pick(["delete", "retype", "add", "nest"])
                if (op === "delete" && keys.length) delete args[pick(keys)]
                else if (op === "retype" && keys.length) args[pick(keys)] = pick(jsonValues)
                else if (op === "nest" && args.limit) args.limit = { kind: pick(["full", "minutes", "wh", "soc", ""]), value: pick(jsonValues) }
                else args[pick(["x", "socket2", "__proto__x", "extra"])] = pick(jsonValues)
                const signed = sign({ id: id(), ts: Date.now(), cmd, args })
                // a mutation the schema still accepts is a good command, not a bad one
                if (validate(JSON.parse(signed))) return null
                return signed
            },
            forged: () => forger.sign({ id: id(), ts: Date.now(), cmd: "stop", args: { socket: 1 } }),
            stale: () => sign({ id: id(), ts: Date.now() - 600000 - Math.floor(rand() * 1e7), cmd: "stop", args: { socket: 1 } }),
            replayed: () => accepted,
            unsigned: () => JSON.stringify({ id: id(), ts: Date.now(), cmd: "stop", args: { socket: 1 } }),
            // over the board's 1 KB, under what the broker forwards (bigger never reaches a board)
            oversized: () => JSON.stringify({ id: id(), ts: Date.now(), cmd: "status", args: {}, pad: "x".repeat(1000 + Math.floor(rand() * 3000)) }),
            random: () => randomBytes(1 + Math.floor(rand() * 300)),
            // up to 1 KB of nested brackets with a wrong or no signature: refused on the HMAC
            // before anything parses it (its canonical form once overflowed the VM's stack)
            nested: () => {
                const arrays = rand() < 0.5
                const n = arrays ? 100 + Math.floor(rand() * 330) : 50 + Math.floor(rand() * 110)
                const [o, c] = arrays ? ["[", "]"] : ['{"a":', "}"]
                const body = `{"id":"${id()}","ts":${Date.now()},"cmd":"stop","args":{"socket":1,"x":${o.repeat(n)}1${c.repeat(n)}}`
                const text = body + (rand() < 0.8 ? `,"sig":"${randomBytes(32).toString("hex")}"}` : "}")
                return Buffer.byteLength(text) <= 1024 ? text : body.slice(0, 1000)
            },
            json: () => JSON.stringify(pick(jsonValues)),
        }
        const names = Object.keys(families)
        const sent: Record<string, number> = {}
        let total = 0
        // the board queues at most 3 KB of commands (larger ones aside) and drops the rest
        // unanswered (docs/protocol.md): a batch stays within that, the next takes what is left
        const queued = (p: string | Buffer) => (Buffer.byteLength(p) <= 1024 ? Buffer.byteLength(p) : 0)
        let carried: { f: string; p: string | Buffer } | null = null
        while (total < TOTAL) {
            const batch: (string | Buffer)[] = []
            let bytes = 0
            while (batch.length < BATCH) {
                const next = carried ?? { f: pick(names), p: null as string | Buffer | null }
                carried = null
                if (next.p === null) next.p = families[next.f]()
                if (next.p === null) continue
                if (batch.length > 0 && bytes + queued(next.p) > 3 * 1024) {
                    carried = next
                    break
                }
                sent[next.f] = (sent[next.f] ?? 0) + 1
                bytes += queued(next.p)
                batch.push(next.p)
            }
            const from = b.replies.length
            // the backend's own commands (its acks of records) are answered on the same topic
            const fuzzed = () => b.replies.slice(from).filter(r => !b.sentIds.has(r.id))
            for (const p of batch) await b.sendRaw(p)
            await until(() => fuzzed().length >= batch.length, 20000, `replies to commands ${total}..${total + batch.length} (seed ${seed})`)
            const got = fuzzed()
            assert.equal(got.length, batch.length, `one reply each (seed ${seed})`)
            for (const r of got) {
                assert.equal(r.ok, false, `refused: ${JSON.stringify(r)} (seed ${seed})`)
                assert.equal(typeof r.error, "string")
            }
            total += batch.length
            // a record or a fault is the board acting on something: none may come of bad commands
            const acted = b.events.slice(events0).filter(e => e.t === "ended" || e.t === "fault")
            assert.deepEqual(acted, [], `the board acted during commands ${total - batch.length}..${total} (seed ${seed})`)
        }
        console.log(`fuzz seed ${seed}: ${JSON.stringify(sent)}`)
        // a 100 KB command is not forwarded to the board at all: no reply, nothing changes
        const before = b.replies.length
        await b.sendRaw(JSON.stringify({ id: id(), ts: Date.now(), cmd: "stop", args: { socket: 1 }, pad: "x".repeat(100000) }))
        await new Promise(r => setTimeout(r, 1500))
        assert.equal(b.replies.length, before)
        assert.deepEqual([sim.shed.socket(1).changes.length, sim.shed.socket(2).changes.length], changes, "no relay moved")
        assert.equal(sim.shed.socket(1).relayOn, true)
        assert.equal(b.events.filter(e => e.t === "boot").length, boots, "the board never restarted")
        assert.ok(!sim.vm.log.some(l => /PANIC/.test(l)))
        // and a good command still works
        const s = await b.send("stop", { socket: 1 })
        assert.equal(s.ok, true, JSON.stringify(s))
        await until(() => !sim.shed.socket(1).relayOn, 10000, "relay 1 off")
    })
})

describe("a corrupt session record in flash (firmware in the VM)", { timeout: 300000 }, () => {
    // a paid session's record whose limit is not one: written as the board would have, but bad
    const corrupt = { order: "o-corrupt", limit: "sixty", elapsedS: 600, energyWh: 12.5, peakW: 250, refW: 250, drew: true, powerCapW: 0, topOffMin: 0, profile: "auto", fullAtS: -1 }
    const sim = new ShedSim({ board: "shed2", speed: 1, settings: { sess1: corrupt } })
    before(async () => {
        await sim.start()
    })
    after(async () => {
        await sim.stop()
    })

    test("is not resumed: the board boots, ends it at once as a fault with the order and energy it states, never closes the relay, and leaves nothing to resume", async () => {
        await sim.until(() => sim.backend.events.some(e => e.t === "ended" && e.order === "o-corrupt"), 30000, "the corrupt record's billing record")
        const rec = sim.backend.events.find(e => e.t === "ended" && e.order === "o-corrupt")
        assert.equal(rec.reason, "fault")
        // the detail follows the billing record in its own event
        await sim.until(() => sim.backend.events.some(e => e.t === "why" && e.eid === rec.eid), 20000, "the record's detail")
        assert.match(sim.backend.events.find(e => e.t === "why" && e.eid === rec.eid).detail, /persisted record refused: limit/)
        assert.equal(rec.wh, 12.5)
        assert.equal(sim.shed.socket(1).relayOn, false)
        assert.ok(!sim.vm.log.some(l => /Exception|PANIC|SAFE MODE/.test(l)), "no crash at boot")
        const boots = sim.backend.events.filter(e => e.t === "boot").length
        await sim.powerCut(500)
        await sim.waitOnline()
        await sim.until(() => sim.backend.events.filter(e => e.t === "boot").length > boots, 20000, "the next boot event")
        assert.equal(sim.backend.events.filter(e => e.t === "boot").pop().resumed, 0)
        assert.equal(sim.backend.events.filter(e => e.t === "ended" && e.order === "o-corrupt").length >= 1, true)
        assert.equal(new Set(sim.backend.events.filter(e => e.t === "ended" && e.order === "o-corrupt").map(e => e.eid)).size, 1, "one record")
    })
})
