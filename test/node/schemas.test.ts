// The cloud protocol's JSON Schemas (docs/schemas/) against the doc and the code: every schema
// compiles in ajv's strict mode; every example in docs/protocol.md validates (parsed from the
// markdown, so the doc cannot drift); what the real code produces validates (event builders fed
// by the core's own sessions, replies, commands signed and sent by the backend simulator); and
// the firmware's own validation and the schemas agree on generated commands.
import { describe, test } from "node:test"
import assert from "node:assert/strict"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import Ajv2020 from "ajv/dist/2020"
import fc from "fast-check"
import { ROOT } from "../../host/root"
import { BOARDS } from "../../boards/catalogue"
import { Backend } from "../../sim/cloud/backend"
import { macHex, openMessage, signMessage } from "../../host/board-command"
import { commandErrors, COMMANDS, parseCommand, ParseContext, ParseResult, replyJson } from "../../src/core/protocol/command"
import { ServerClock } from "../../src/core/protocol/server-clock"
import { ReplayGuard } from "../../src/core/protocol/replay-guard"
import * as events from "../../src/core/protocol/events"
import { Outbox, OUTBOX_SLOTS } from "../../src/core/protocol/outbox"
import { statusResult } from "../../src/core/protocol/status"
import { stopReasons } from "../../src/core/reasons"
import { applyConfigPatch, configBound, configHash, copyConfig, defaultConfig, ShedConfig } from "../../src/core/config"
import { Supervisor } from "../../src/core/supervisor"
import { PROFILES } from "../../src/core/session"
import { lithiumW } from "../shared/scenarios"
import { payCodeError } from "../../src/core/paycode"
import { renderPayCode } from "../../src/core/paycode-render"
import { planLayout } from "../../src/core/screen-layout"

const SCHEMAS = join(ROOT, "docs/schemas")
const DOC = join(ROOT, "docs/protocol.md")
/** the doc's example key and board (docs/protocol.md, test/vm/protocol.test.ts) */
const KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
const BOARD = "B1"
/** the doc's boot nonce */
const BOOT = "5ca1ab1e0ddba115"
const T0 = 1_800_000_000_000
/** a socket's pay code as the renderer makes it (the 10-socket board's OLED) */
const payCode = (url: string) => renderPayCode(url, { width: 128, height: 64, lines: 11, plan: planLayout })
const CODE = payCode("https://pay.example.com/B1/3")

const schemaFiles = readdirSync(SCHEMAS)
    .filter(f => f.endsWith(".schema.json"))
    .sort()
const schemaJson = (f: string) => JSON.parse(readFileSync(join(SCHEMAS, f), "utf8"))

function newAjv(): Ajv2020 {
    const ajv = new Ajv2020({ strict: true, allErrors: true })
    for (const f of schemaFiles) ajv.addSchema(schemaJson(f))
    return ajv
}
const ajv = newAjv()

/** ajv's errors for `value` against schema file `file`, or null when it is valid */
function errorsOf(file: string, value: unknown): string | null {
    const v = ajv.getSchema(file)
    assert.ok(v, `no schema ${file}`)
    return v(value) ? null : ajv.errorsText(v.errors)
}
function assertValid(file: string, value: unknown, what = "") {
    const e = errorsOf(file, value)
    assert.equal(e, null, `${what} ${JSON.stringify(value)} against ${file}: ${e}`)
}
function assertInvalid(file: string, value: unknown, what = "") {
    assert.notEqual(errorsOf(file, value), null, `${what} ${JSON.stringify(value)} must not validate against ${file}`)
}

/** The schema of one message: commands by `cmd`, events by `t`, replies by `ok`. */
function schemaOfMessage(m: any): string {
    if (m && typeof m === "object" && "cmd" in m) return `command-${m.cmd}.schema.json`
    if (m && typeof m === "object" && "t" in m) return m.t === "tm" ? "telemetry.schema.json" : `event-${m.t}.schema.json`
    if (m && typeof m === "object" && "ok" in m) return "reply.schema.json"
    throw new Error(`not a protocol message: ${JSON.stringify(m)}`)
}
/** The dispatching schema of the message's topic. */
function topicSchemaOf(file: string): string {
    if (file.startsWith("command-")) return "command.schema.json"
    if (file.startsWith("event-")) return "event.schema.json"
    return file
}
/** A message against its own schema and its topic's. */
function assertMessage(m: any, what = "") {
    const file = schemaOfMessage(m)
    assertValid(file, m, what)
    assertValid(topicSchemaOf(file), m, what)
}

// ---- the firmware side -------------------------------------------------------------------

/** The board's parse context as src/shell/cloud.ts builds it (1024 bytes, 5 min), fresh. */
function boardCtx(sockets: number, over: Partial<ParseContext> = {}): ParseContext {
    return { topic: `shed/${BOARD}/cmd`, keyHex: KEY, boot: BOOT, nowMs: 1000, sockets, maxBytes: 1024, staleMs: 300000, mac: macHex, clock: new ServerClock(0), replay: new ReplayGuard(64), ...over }
}

/** The widest configuration the bounds allow for the per-order checks (minutes, power cap). */
function widestConfig(sockets: number): ShedConfig {
    const c = copyConfig(defaultConfig())
    c.sockets = sockets
    c.maxDurationMin = configBound("maxDurationMin").max
    c.socketLimitW = configBound("socketLimitW").max
    c.shortW = configBound("shortW").max
    assert.ok(applyConfigPatch(defaultConfig(), c).ok)
    return c
}

/**
 * What the firmware's validation says of a command's text: parseCommand, then for `start` the
 * supervisor and session checks (a fresh board) and for `config` the configuration patch check.
 * null: accepted; otherwise the named error.
 */
function firmwareVerdict(text: string, sockets = 16, cfg = widestConfig(sockets)): string | null {
    const r: ParseResult = parseCommand(Buffer.from(text), boardCtx(sockets))
    if (!r.ok) return r.error
    const a = r.command.args
    if (r.command.cmd === "start") {
        const s = new Supervisor(cfg).start(a.socket, a.order, a.limit, a, 0)
        return s.ok ? null : s.error
    }
    if (r.command.cmd === "config") {
        const c = applyConfigPatch(cfg, a.patch)
        return c.ok ? null : "bad_config"
    }
    return null
}

// ---- the backend side: its own signing code -------------------------------------------------

/** a backend that has heard the board's boot event (its nonce BOOT) */
function backendAfterBoot(): Backend {
    const b = new Backend("mqtt://unused", BOARD, KEY)
    b.receive("event", Buffer.from(signMessage(`shed/${BOARD}/event`, KEY, { t: "boot", boot: BOOT, ver: "dev", board: "shed2_esp32c3", sockets: 2, cfg: "00000000", resumed: 0 })))
    assert.equal(b.boot, BOOT)
    return b
}
const backend = backendAfterBoot()
/** A command signed by the backend simulator (sim/cloud/backend.ts `sign`). */
const signed = (cmd: object): string => backend.sign(cmd)

// ---- (a) ------------------------------------------------------------------------------------

describe("the schemas", () => {
    test("every schema compiles in ajv's strict mode, with its file name as $id, draft 2020-12", () => {
        assert.ok(schemaFiles.length >= 20, `${schemaFiles.length} schema files`)
        for (const f of schemaFiles) {
            const s = schemaJson(f)
            assert.equal(s.$id, f)
            assert.equal(s.$schema, "https://json-schema.org/draft/2020-12/schema", f)
            // compiled on its own ajv: a reference to a missing file fails here
            const fresh = newAjv()
            assert.doesNotThrow(() => fresh.getSchema(f), f)
            assert.equal(typeof fresh.getSchema(f), "function", f)
        }
        // strict mode is on: an unknown keyword or a keyword on the wrong type is refused
        assert.throws(() => new Ajv2020({ strict: true }).compile({ type: "object", propertys: {} }))
        assert.throws(() => new Ajv2020({ strict: true }).compile({ minimum: 1, properties: {} }))
    })

    test("the enums are the code's lists", () => {
        const common = schemaJson("common.schema.json").$defs
        assert.deepEqual(common.stopReason.enum, stopReasons())
        assert.deepEqual(common.envelope.properties.cmd.enum, COMMANDS)
        assert.deepEqual(schemaJson("command-start.schema.json").properties.args.properties.profile.enum, PROFILES)
        // board definitions the firmware reports on boot: each catalogue entry's board, which has
        // its definition file, and a name the schema takes
        const boot = new Ajv2020({ strict: true }).compile(schemaJson("event-boot.schema.json").properties.board)
        for (const b of Object.values(BOARDS)) {
            assert.equal(/ShedHardware = \{ name: "([^"]+)"/.exec(readFileSync(join(ROOT, b.entry), "utf8"))?.[1], b.name, b.entry)
            assert.ok(readdirSync(join(ROOT, "boards")).includes(b.name + ".board.json"), b.name)
            assert.ok(boot(b.name), b.name)
        }
        // the config patch: every config key with its type and bounds, nothing else
        const patch = schemaJson("command-config.schema.json").properties.args.properties.patch
        assert.equal(patch.additionalProperties, false)
        assert.deepEqual(Object.keys(patch.properties), Object.keys(defaultConfig()))
        for (const k of Object.keys(defaultConfig())) {
            const b = configBound(k)
            assert.ok(b, `${k} has bounds`)
            const p = patch.properties[k]
            assert.deepEqual([p.type, p.minimum, p.maximum, p.default], [b.integer ? "integer" : "number", b.min, b.max, (defaultConfig() as any)[k]], k)
        }
    })

    test("reply errors: every error name the code can reply with, and no other", () => {
        const names: string[] = schemaJson("reply.schema.json").$defs.error.properties.error.enum
        // every error literal in the firmware's sources (refuse(...), refused(...), bad(...), error: "...")
        const found = new Set<string>()
        const walk = (dir: string) => {
            for (const e of readdirSync(dir, { withFileTypes: true })) {
                const p = join(dir, e.name)
                if (e.isDirectory()) walk(p)
                else if (p.endsWith(".ts")) {
                    const text = readFileSync(p, "utf8")
                    for (const m of text.matchAll(/(?:\brefused?\(|\bbad\(|\berror: |reply\([^,]*, false, )"([a-z_]+)"/g)) found.add(m[1])
                }
            }
        }
        walk(join(ROOT, "src"))
        assert.deepEqual([...found].sort(), names.slice().sort())
        // all of them are listed by the firmware; the one it lists but no longer sends is `not_supported`
        for (const n of names) assert.ok(commandErrors().includes(n), n)
        assert.deepEqual(
            commandErrors().filter(e => !names.includes(e)),
            ["not_supported"]
        )
    })
})

// ---- (b) ------------------------------------------------------------------------------------

interface Example {
    line: number
    lang: string
    /** `<!-- schema: file -->` right before the block */
    schema: string | null
    text: string
}

/** Fenced code blocks of the doc, with the line they start on and an optional schema marker. */
function docExamples(): Example[] {
    const lines = readFileSync(DOC, "utf8").split("\n")
    const out: Example[] = []
    for (let i = 0; i < lines.length; i++) {
        const open = /^```(\w*)\s*$/.exec(lines[i])
        if (!open) continue
        let j = i + 1
        while (j < lines.length && !/^```\s*$/.test(lines[j])) j++
        const before = i > 0 ? /<!--\s*schema:\s*(\S+)\s*-->/.exec(lines[i - 1]) : null
        out.push({ line: i + 1, lang: open[1], schema: before ? before[1] : null, text: lines.slice(i + 1, j).join("\n") })
        i = j
    }
    return out
}

describe("docs/protocol.md", () => {
    const examples = docExamples()
    const json = examples.filter(e => e.lang === "json")

    test("every JSON example validates against its message's schema, and only while whole", () => {
        assert.ok(json.length >= 15, `${json.length} JSON examples`)
        for (const e of json) {
            let m: any
            assert.doesNotThrow(() => (m = JSON.parse(e.text)), `example at line ${e.line} is not JSON`)
            const file = e.schema ?? schemaOfMessage(m)
            assertValid(file, m, `line ${e.line}:`)
            assertValid(topicSchemaOf(file), m, `line ${e.line}:`)
            // every top-level field of every message is required: the example without it fails
            // (but for a reply's only result field: what is left is the plain ok reply)
            for (const k of Object.keys(m)) {
                const { [k]: _, ...rest } = m
                if (m.ok === true && Object.keys(rest).length === 3 && "id" in rest && "ok" in rest && "boot" in rest) continue
                assertInvalid(file, rest, `line ${e.line} without ${k}:`)
            }
        }
    })

    test("every example marked with a schema validates against it (the online payload is text)", () => {
        const marked = examples.filter(e => e.schema && e.lang !== "json")
        assert.ok(marked.some(e => e.schema === "online.schema.json"))
        for (const e of marked) for (const payload of e.text.split("\n")) assertValid(e.schema, payload, `line ${e.line}:`)
        assertInvalid("online.schema.json", '"online"')
    })

    test("every message has an example and its section links its schema", () => {
        const doc = readFileSync(DOC, "utf8")
        const covered = new Set(examples.map(e => e.schema ?? (e.lang === "json" ? schemaOfMessage(JSON.parse(e.text)) : null)))
        const messages = schemaFiles.filter(f => !["common.schema.json", "command.schema.json", "event.schema.json"].includes(f))
        for (const f of messages) assert.ok(covered.has(f), `no example for ${f}`)
        // and every shape of reply
        const replies = json.map(e => JSON.parse(e.text)).filter(m => schemaOfMessage(m) === "reply.schema.json")
        for (const d of Object.keys(schemaJson("reply.schema.json").$defs))
            assert.ok(
                replies.some(r => errorsOf(`reply.schema.json#/$defs/${d}`, r) === null),
                `no example of a reply ${d}`
            )
        for (const f of schemaFiles) assert.ok(doc.includes(`(schemas/${f})`), `docs/protocol.md does not link schemas/${f}`)
        for (const m of doc.matchAll(/\(schemas\/([^)]+)\)/g)) assert.ok(schemaFiles.includes(m[1]), `link to a missing schema ${m[1]}`)
    })

    test("every command example is signed with the doc's key for board B1 and accepted by the firmware", () => {
        const cmds = json.filter(e => "cmd" in JSON.parse(e.text))
        assert.deepEqual([...new Set(cmds.map(e => JSON.parse(e.text).cmd))].sort(), COMMANDS.slice().sort())
        for (const e of cmds) {
            const c = JSON.parse(e.text)
            // the example's own bytes verify, and the backend simulator signs the same
            assert.ok(openMessage(`shed/${BOARD}/cmd`, KEY, e.text), `signature of example ${c.id}`)
            const { sig: _, ...body } = c
            assert.equal(signed(body), e.text, `example ${c.id} as the backend simulator signs it`)
            const verdict = firmwareVerdict(e.text, 10, defaultConfig())
            assert.equal(verdict, null, `example ${c.id}: ${verdict}`)
        }
    })
})

// ---- (c) ------------------------------------------------------------------------------------

/** The event builders, counted as they are used: every one of them must be exercised. */
const used = new Set<string>()
const ev = new Proxy(events, {
    get(target, key: string) {
        used.add(key)
        return (target as any)[key]
    },
}) as typeof events

type Draw = (t: number) => number

/**
 * A board as src/shell/cloud.ts runs it, without the network: the core's supervisor fed with
 * readings, its events turned into messages by the builders of events.ts the way the shell
 * does (eids `b` and `f` with 12 hex digits, server time or -1, the explanation and the trace
 * after each billing record).
 */
class Board {
    readonly sup: Supervisor
    readonly cfg: ShedConfig
    readonly messages: any[] = []
    relays: boolean[] = []
    anchored = true
    voltage = 230
    private seq = 0
    private draws: Draw[] = []
    private since: number[] = []
    welded: boolean[] = []
    silent: boolean[] = []

    constructor(
        readonly sockets: number,
        patch: Partial<ShedConfig> = {}
    ) {
        const r = applyConfigPatch(defaultConfig(), { ...patch, sockets })
        assert.ok(r.ok, r.error)
        this.cfg = r.config
        this.sup = new Supervisor(this.cfg)
        for (let i = 0; i < sockets; i++) {
            this.relays.push(false)
            this.draws.push(null)
            this.since.push(0)
            this.welded.push(false)
            this.silent.push(false)
        }
    }

    toServer(ms: number): number {
        return this.anchored ? T0 + ms : -1
    }

    start(n: number, now: number, draw: Draw, order = `o${n}-${now}`, limit: any = { kind: "full" }, opts: any = null) {
        this.draws[n - 1] = draw
        this.since[n - 1] = now
        const r = this.sup.start(n, order, limit, opts, now)
        this.flush(now)
        return r
    }

    tick(now: number) {
        const watts = this.relays.map((on, i) => {
            if (this.silent[i]) return NaN
            const d = this.draws[i]
            return (on || this.welded[i]) && d ? Math.max(0, d((now - this.since[i]) / 1000)) : 0
        })
        const volts = this.relays.map((on, i) => (this.silent[i] ? NaN : this.voltage))
        this.relays = this.sup.tick(now, watts, volts, this.relays)
        this.flush(now)
    }

    /** ticks every `stepS` from `fromS` until `toS` (s), calling `at(t)` first on each */
    run(fromS: number, toS: number, stepS = 1, at: (t: number) => void = () => {}) {
        for (let t = fromS; t <= toS; t += stepS) {
            at(t)
            this.tick(t * 1000)
        }
    }

    flush(now: number) {
        const ts = this.toServer(now)
        for (const e of this.sup.takeEvents()) {
            if (e.kind === "ended") {
                const eid = "b" + (++this.seq).toString(16).padStart(12, "0")
                this.emit(ev.endedEvent(eid, e.record, ms => this.toServer(ms)))
                this.emit(ev.explainEvent(eid, e.record.detail))
                const tr = e.trace
                const chunks = tr ? tr.chunks() : []
                for (let k = 0; k < chunks.length; k++) this.emit(ev.traceEvent(eid, k, chunks.length, tr.minutesPerRow(), chunks[k]))
            } else if (e.kind === "fault") this.emit(ev.faultEvent("f" + (++this.seq).toString(16).padStart(12, "0"), e.socket, e.fault, e.detail, ts))
            else if (e.kind === "started") this.emit(ev.startedEvent(this.sup.socket(e.socket).order, e.socket, ts))
            else if (e.kind === "state") this.emit(ev.stateEvent(e.socket, e.state, ts))
            else if (e.kind === "warning") this.emit(ev.warningEvent(e.socket, e.fault, e.detail, ts))
        }
    }

    /** one telemetry message per charging socket, as the shell's nextTelemetry sends them */
    telemetry(now: number) {
        this.sup.sockets.forEach((s, i) => {
            if (s.state === "charging") this.emit(ev.telemetryEvent(i + 1, s.levelW(), s.energy(), this.sup.mains.voltage, this.toServer(now)))
        })
    }

    emit(body: string) {
        this.messages.push(JSON.parse(body))
    }

    ended(): any[] {
        return this.messages.filter(m => m.t === "ended")
    }
}

const li: Draw = t => lithiumW(t, 200, 600, 300, 0.08, 0.7)
const flat =
    (w: number): Draw =>
    () =>
        w

/** Errors the core answered in the scenarios, with their details (replies are built below). */
const refusals = new Map<string, string>()
function refusal(r: { ok: boolean; error?: string; detail?: string }) {
    assert.equal(r.ok, false)
    refusals.set(r.error, r.detail)
}

/** Every scenario's board, run once; each test below reads their messages. */
const boards: Board[] = []
function scenarios() {
    if (boards.length) return boards
    // charges that end by themselves: full, full after a top-off, paid time, paid energy
    const a = new Board(4)
    assert.ok(a.start(1, 0, li).ok)
    assert.ok(a.start(2, 0, li, "o-topoff", { kind: "full" }, { topOffMin: 3, profile: "lithium" }).ok)
    assert.ok(a.start(3, 0, flat(150), "o-minutes", { kind: "minutes", value: 5 }, { powerCapW: 500 }).ok)
    assert.ok(a.start(4, 0, flat(200), "o-wh", { kind: "wh", value: 5 }).ok)
    refusal(a.start(1, 0, li, "o-other"))
    refusal(a.start(2, 0, li, "o-topoff"))
    a.run(0, 3 * 3600, 1, t => {
        if (t === 60 || t === 120) a.telemetry(t * 1000)
    })
    refusal(a.sup.stop(1, 4 * 3600 * 1000, "remote_stop", "stopped by the backend"))
    refusal(a.sup.socket(1).clear(0))
    refusal(a.sup.start(1, "o-cap", { kind: "full", value: 0 }, { powerCapW: 20 }, 0))
    refusal(a.sup.start(1, "o-top", { kind: "full", value: 0 }, { topOffMin: 500 }, 0))
    refusal(a.sup.start(1, "o-prof", { kind: "full", value: 0 }, { profile: "nimh" }, 0))
    refusal(a.sup.start(1, "o-min", { kind: "minutes", value: 721 }, null, 0))
    boards.push(a)

    // protections: unplugged, overload, short, a meter gone silent
    const b = new Board(4)
    b.start(1, 0, t => (t < 400 ? 200 : 0))
    b.start(2, 0, t => (t < 300 ? 200 : 1500))
    b.start(3, 0, t => (t < 200 ? 200 : 5000))
    b.start(4, 0, flat(200))
    b.run(0, 600, 1, t => {
        if (t === 200) b.silent[3] = true
    })
    refusal(b.start(2, 700 * 1000, li))
    boards.push(b)

    // remote stop of a welded socket, clock not anchored (ts -1): a welded-relay fault
    const c = new Board(2)
    c.anchored = false
    c.start(1, 0, flat(200))
    c.run(0, 300)
    refusal(c.start(2, 300 * 1000, flat(100), "o1-0"))
    c.welded[0] = true
    assert.ok(c.sup.stop(1, 300 * 1000, "remote_stop", "stopped by the backend").ok)
    c.flush(300 * 1000)
    c.run(301, 320)
    refusal(c.sup.socket(1).clear(c.sup.socket(1).drawW()))
    // unplugged: the socket draws nothing and its fault is cleared
    c.welded[0] = false
    c.run(321, 325)
    assert.ok(c.sup.socket(1).clear(c.sup.socket(1).drawW()).ok)
    c.flush(325 * 1000)
    boards.push(c)

    // three starts that draw nothing: no load, then the socket is suspect
    const d = new Board(1)
    for (let k = 0; k < 3; k++) {
        d.start(1, k * 400 * 1000, flat(2))
        d.run(k * 400, k * 400 + 399)
    }
    refusal(d.start(1, 1300 * 1000, flat(2)))
    boards.push(d)

    // the longest session: 24 hours, its trace in one chunk of 32-minute rows
    const e = new Board(1, { maxDurationMin: 1440 })
    e.start(1, 0, t => 150 + 10 * Math.sin(t / 600), "o-long", { kind: "full" }, { profile: "lithium" })
    e.run(0, 24 * 3600 + 60, 10)
    boards.push(e)

    // over the board's cap: the newest session is shed
    const f = new Board(2, { socketLimitW: 1000, boardCapW: 1000, boardStartW: 1000 })
    f.start(1, 0, flat(600))
    f.start(2, 0, flat(600))
    f.run(0, 60)
    boards.push(f)

    // over the start threshold: a new start waits
    const g = new Board(3, { boardStartW: 500 })
    g.start(1, 0, flat(300))
    g.start(2, 0, flat(300))
    g.run(0, 10)
    refusal(g.start(3, 11 * 1000, flat(300)))
    boards.push(g)

    // mains out of range: paused and back, then out for too long: sessions ended
    const h = new Board(2)
    h.start(1, 0, flat(200))
    h.run(0, 2400, 1, t => {
        h.voltage = (t >= 100 && t < 200) || (t >= 400 && t < 2300) ? 300 : 230
        if (t === 150) refusal(h.start(2, t * 1000, flat(200)))
    })
    boards.push(h)

    // a paused session (mains out) whose socket still draws through the open relay: welded
    const w = new Board(1)
    w.welded[0] = true
    w.start(1, 0, flat(200))
    w.run(0, 120, 1, t => {
        w.voltage = t >= 50 ? 300 : 230
    })
    boards.push(w)

    // board temperature: warning, no new starts, all off, back to normal; the sensor read open
    // for 20 s, then mended
    const k = new Board(2)
    k.start(1, 0, flat(200))
    k.run(0, 500, 1, t => {
        const c = t < 100 ? 40 : t < 200 ? 65 : t < 300 ? 75 : t < 400 ? 85 : t >= 420 && t < 440 ? NaN : 20
        k.sup.temperature(t * 1000, c)
        if (t === 250) refusal(k.start(2, t * 1000, flat(200)))
    })
    boards.push(k)

    // no meter reports a mains voltage: telemetry says null
    const m = new Board(1)
    m.voltage = NaN
    m.start(1, 0, flat(120))
    m.run(0, 60, 1, t => {
        if (t === 60) m.telemetry(t * 1000)
    })
    boards.push(m)
    return boards
}

function allEvents(): any[] {
    return scenarios().flatMap(b => b.messages)
}

describe("messages the code produces", () => {
    test("every event of the scenarios validates; every type, state, stop reason and fault kind is seen", () => {
        const all = allEvents()
        for (const m of all) assertMessage(m)
        const common = schemaJson("common.schema.json").$defs
        const seen = (f: (m: any) => any) => [...new Set(all.map(f).filter(x => x !== undefined))].sort()
        assert.deepEqual(
            seen(m => m.t),
            [...schemaJson("event.schema.json").properties.t.enum.filter((t: string) => !["boot", "lost", "quiet"].includes(t)), "tm"].sort()
        )
        assert.deepEqual(
            seen(m => (m.t === "state" ? m.state : undefined)),
            common.socketState.enum.slice().sort()
        )
        // every stop reason but the two this firmware never uses
        assert.deepEqual(
            seen(m => (m.t === "ended" ? m.reason : undefined)),
            stopReasons()
                .filter(r => r !== "power_loss" && r !== "update")
                .sort()
        )
        const fault = schemaJson("event-fault.schema.json")
        assert.deepEqual(
            seen(m => (m.t === "fault" ? m.kind : undefined)),
            fault.properties.kind.enum.slice().sort()
        )
        assert.deepEqual(
            seen(m => (m.t === "fault" && m.socket === 0 ? m.kind : undefined)),
            fault.then.properties.kind.enum.slice().sort()
        )
        assert.deepEqual(
            seen(m => (m.t === "fault" && m.socket > 0 ? m.kind : undefined)),
            fault.else.properties.kind.enum.slice().sort()
        )
        // the details of these scenarios: ts -1 unanchored, a top-off, a 24 h trace in one chunk of 32-minute rows, null volts
        assert.ok(all.some(m => m.t === "ended" && m.end === -1))
        assert.ok(all.some(m => m.t === "ended" && m.reason === "full" && m.top === 180))
        // without a top-off, full is detected the moment the session ends (as docs/protocol.md says)
        for (const m of all.filter(m => m.t === "ended" && m.reason === "full" && m.top === 0)) assert.equal(m.full, m.s)
        assert.ok(all.some(m => m.t === "trace" && m.n === 1 && m.i === 0 && m.min === 32))
        assert.ok(all.some(m => m.t === "tm" && m.v === null))
        assert.ok(all.some(m => m.t === "tm" && m.v === 230))
    })

    test("boot, lost and the truncated texts validate", () => {
        for (const b of Object.values(BOARDS)) {
            const cfg = copyConfig(defaultConfig())
            cfg.sockets = b.sockets
            for (const ver of ["v1.2.0", "v0.1.1-d398324-2026.11.25.17.41", "dev"])
                for (const resumed of [0, b.sockets]) assertMessage(JSON.parse(ev.bootEvent(ver, b.name, b.sockets, configHash(cfg), resumed, BOOT)))
        }
        assertInvalid("event-boot.schema.json", JSON.parse(ev.bootEvent("v1.2.0", "test", 1, configHash(defaultConfig()), 0, BOOT)), "a test build's board name")
        assertInvalid("event-boot.schema.json", JSON.parse(ev.bootEvent("v1.2.0", "shed2_esp32c3", 2, configHash(defaultConfig()), 0, "not a nonce")), "a boot nonce not of 16 hex digits")
        // the outbox gives up the oldest fault to keep a billing record: `lost` names it
        const box = new Outbox()
        for (let i = 1; i <= OUTBOX_SLOTS; i++)
            assert.ok(box.enqueue(`f000001${String(i).padStart(6, "0")}`, "fault", ev.faultEvent(`f000001${String(i).padStart(6, "0")}`, 0, "mains_voltage", "mains at 290 V", T0), 0).ok)
        const rec = allEvents().find(m => m.t === "ended")
        const r = box.enqueue(rec.eid, "billing", JSON.stringify(rec), 0)
        assert.equal(r.displaced, "f000001000001")
        assertMessage(JSON.parse(ev.lostEvent(r.displaced, T0 + 5)))
        assertMessage(JSON.parse(ev.lostEvent(r.displaced, -1)))
        // an update window: the command's windowS, or the default
        for (const w of [30, 300, 3600]) assertMessage(JSON.parse(ev.quietEvent(w, T0)))
        assertInvalid("event-quiet.schema.json", JSON.parse(ev.quietEvent(20, T0)))
        // texts over the limits are cut by the builders
        assertMessage(JSON.parse(ev.explainEvent("b000001000001", "x".repeat(500))))
        assertMessage(JSON.parse(ev.faultEvent("f000001000001", 3, "short", "y".repeat(500), T0)))
        assertInvalid("event-why.schema.json", { t: "why", eid: "b000001000001", detail: "x".repeat(201) })
        assertInvalid("event-fault.schema.json", { t: "fault", eid: "f000001000001", socket: 3, kind: "short", detail: "y".repeat(101), ts: T0 })
        // every builder of events.ts has been exercised
        const builders = Object.keys(events).filter(k => typeof (events as any)[k] === "function")
        assert.deepEqual(
            builders.filter(k => !used.has(k)),
            []
        )
    })

    test("the event schemas refuse what the builders never produce", () => {
        const all = allEvents()
        const pick = (t: string) => ({ ...all.find(m => m.t === t) })
        const bad: [string, any][] = [
            ["an unknown reason", { ...pick("ended"), reason: "bored" }],
            ["a fault eid on a billing record", { ...pick("ended"), eid: "f000001000002" }],
            ["fractional seconds", { ...pick("ended"), s: 12.5 }],
            ["full below -1", { ...pick("ended"), full: -2 }],
            ["an extra field", { ...pick("ended"), cost: 3 }],
            ["an unknown state", { ...pick("state"), state: "sleeping" }],
            ["server time 0", { ...pick("state"), ts: 0 }],
            ["socket 0 on a state", { ...pick("state"), socket: 0 }],
            ["upper-case trace", { ...pick("trace"), hex: "A0A1A2" }],
            ["a trace of half a minute", { ...pick("trace"), hex: "a0a1" }],
            ["61 rows in a chunk", { ...pick("trace"), hex: "a0a1a2".repeat(61) }],
            ["rows of 3 minutes", { ...pick("trace"), min: 3 }],
            ["a socket fault on the board", { t: "fault", eid: "f000001000001", socket: 0, kind: "short", detail: "", ts: T0 }],
            ["a board condition on a socket", { t: "fault", eid: "f000001000001", socket: 2, kind: "mains_ok", detail: "", ts: T0 }],
            ["a billing eid on a lost record", { t: "lost", eid: "b000001000001", ts: T0 }],
            ["volts as text", { ...pick("tm"), v: "230" }],
            ["negative power", { ...pick("tm"), w: -1 }],
        ]
        for (const [what, m] of bad) assert.notEqual(errorsOf(schemaOfMessage(m), m), null, what)
        for (const [what, m] of bad) assert.notEqual(errorsOf(topicSchemaOf(schemaOfMessage(m)), m), null, what)
        assertInvalid("event.schema.json", { t: "hello" })
        assertInvalid("telemetry.schema.json", { ...pick("tm"), t: "state" })
    })

    test("replyJson: ok with each result, and every error the firmware names, from the code that refuses", () => {
        scenarios()
        // the parse errors, from parseCommand itself
        const parseErrors: [string, string, Partial<ParseContext>?][] = [
            ["x".repeat(1025), "too_large"],
            ["{nope", "bad_signature"],
            [signed({ id: "x".repeat(33), ts: T0, cmd: "status", args: {} }), "malformed"],
            [signed({ id: "c8", ts: T0, boot: "0".repeat(16), cmd: "status", args: {} }), "wrong_boot"],
            [JSON.stringify({ id: "c1", ts: T0, cmd: "status", args: {}, sig: "0".repeat(64) }), "bad_signature"],
            [signed({ id: "c2", ts: T0 - 3600000, cmd: "status", args: {} }), "stale", { clock: anchored() }],
            [signed({ id: "c3", ts: T0, cmd: "status", args: {} }), "replayed", { replay: seen("c3") }],
            [signed({ id: "c4", ts: T0, cmd: "reboot", args: {} }), "unknown_command"],
            [signed({ id: "c5", ts: T0, cmd: "stop", args: { socket: 11 } }), "unknown_socket"],
            [signed({ id: "c6", ts: T0, cmd: "start", args: { order: "o", socket: 1, limit: { kind: "forever" } } }), "bad_limit"],
            [signed({ id: "c7", ts: T0, cmd: "start", args: { order: "o", socket: 1, limit: { kind: "full" }, colour: "red" } }), "bad_args"],
        ]
        const replies: any[] = []
        for (const [text, error, over] of parseErrors) {
            const r = parseCommand(Buffer.from(text), boardCtx(10, over ?? {}))
            assert.equal(r.error, error, text)
            replies.push(JSON.parse(replyJson(r.id, false, r.error, r.detail, null, BOOT)))
        }
        assert.ok(replies.some(r => r.id === null) && replies.some(r => typeof r.id === "string"))
        // the core's refusals from the scenarios, the configuration's, and the shell's own
        const config = applyConfigPatch(defaultConfig(), { shortW: 500 })
        refusals.set("bad_config", config.error)
        const cloud = readFileSync(join(ROOT, "src/shell/cloud.ts"), "utf8")
        // the shell's own refusals (refused(...) or an error literal): their detail's text parts,
        // figures as 2
        for (const m of cloud.matchAll(/error: "([a-z_]+)", detail: (.+?) \}|\brefused\("([a-z_]+)", (.+)\)$/gm)) {
            const [error, detail] = m[1] ? [m[1], m[2]] : [m[3], m[4]]
            if (!refusals.has(error)) refusals.set(error, [...detail.matchAll(/"([^"]*)"/g)].map(x => x[1]).join("2"))
        }
        for (const [error, detail] of refusals) replies.push(JSON.parse(replyJson("c9", false, error, detail, null, BOOT)))
        const names: string[] = schemaJson("reply.schema.json").$defs.error.properties.error.enum
        assert.deepEqual([...new Set(replies.map(r => r.error))].sort(), names.slice().sort())
        for (const r of replies) assertMessage(r)
        // a long detail is cut to 160 characters
        assertMessage(JSON.parse(replyJson("c10", false, "bad_config", "z".repeat(400), null, BOOT)))
        // ok: the results src/shell/cloud.ts returns
        const a = boards[0]
        const b = new Board(2)
        assert.ok(b.start(2, 0, flat(100)).ok)
        const box = new Outbox()
        box.enqueue("b000001000001", "billing", JSON.stringify(a.ended()[0]), 0)
        const oks = [
            replyJson("c11", true, null, null, { socket: 2, state: b.sup.socket(2).state }, BOOT),
            replyJson("c12", true, null, null, statusResult(a.sup, box.pending().length), BOOT),
            replyJson("c17", true, null, null, { socket: 3, gain: 1.02, offsetW: -0.5 }, BOOT),
            replyJson("c13", true, null, null, { cfg: configHash(applyConfigPatch(defaultConfig(), { telemetryS: 30 }).config) }, BOOT),
            replyJson("c14", true, null, null, null, BOOT),
            replyJson("c16", true, null, null, { windowS: 300, live: 0 }, BOOT),
            replyJson("c15", true, undefined, undefined, undefined, BOOT),
        ]
        for (const o of oks) assertMessage(JSON.parse(o))
        // and what it never answers
        assertInvalid("reply.schema.json", { id: "c1", boot: BOOT, ok: false, error: "not_supported", detail: "" })
        assertInvalid("reply.schema.json", { id: "c1", ok: false, error: "bad_args", detail: "" })
        assertInvalid("reply.schema.json", { id: "c1", boot: "nonce", ok: true })
        assertInvalid("reply.schema.json", { id: "c1", boot: BOOT, ok: true, error: "bad_args", detail: "" })
        assertInvalid("reply.schema.json", { id: null, boot: BOOT, ok: true })
        assertInvalid("reply.schema.json", { id: "c1", boot: BOOT, ok: true, socket: 2, state: "charging" })
        assertInvalid("reply.schema.json", { id: "c1", boot: BOOT, ok: false, error: "bad_args", detail: "z".repeat(161) })
        assertInvalid("reply.schema.json", { id: "c1", boot: BOOT, ok: true, states: [], draw: [], w: 0, pending: 0 })
        assertInvalid("reply.schema.json", { id: "c1", boot: BOOT, ok: true, states: ["idle"], w: 0, pending: 0 })
        assertInvalid("reply.schema.json", { id: "c1", boot: BOOT, ok: true, socket: 1, gain: 3, offsetW: 0 })
        assertInvalid("reply.schema.json", { id: "c1", boot: BOOT, ok: true, windowS: 10, live: 0 })
    })

    test("commands as the backend simulator signs and sends them, with the board's replies", async () => {
        const sent: string[] = []
        const replies: any[] = []
        const b = new Backend("mqtt://unused", BOARD, KEY)
        const board = new Board(4)
        const ctx = boardCtx(4)
        const box = new Outbox()
        const quiet: any[] = []
        // the board: verify, apply, reply (src/shell/cloud.ts without the network)
        const answer = (text: string): string => {
            const r = parseCommand(Buffer.from(text), ctx)
            if (!r.ok) return replyJson(r.id, false, r.error, r.detail, null, BOOT)
            const a = r.command.args
            const sup = board.sup
            let res: any = { ok: true }
            if (r.command.cmd === "start") {
                const s = sup.start(a.socket, a.order, { kind: a.limit.kind, value: a.limit.value ?? 0 }, a, 0)
                res = { ...s, result: s.ok ? { socket: a.socket, state: sup.socket(a.socket).state } : null }
            } else if (r.command.cmd === "stop") res = sup.stop(a.socket, 1000, "remote_stop", "stopped by the backend")
            else if (r.command.cmd === "clear") res = sup.socket(a.socket).clear(sup.socket(a.socket).drawW())
            else if (r.command.cmd === "status") res = { ok: true, result: statusResult(sup, box.pending().length) }
            else if (r.command.cmd === "calibrate") res = { ok: true, result: { socket: a.socket, gain: a.gain, offsetW: a.offsetW } }
            else if (r.command.cmd === "paycode") res = { ok: true }
            else if (r.command.cmd === "config") {
                const c = applyConfigPatch(sup.config(), a.patch)
                res = c.ok ? { ok: true, result: { cfg: configHash(c.config) } } : { ok: false, error: "bad_config", detail: c.error }
            } else if (r.command.cmd === "ack") box.ack(a.ids)
            else {
                const live = sup.liveCount()
                if (live > 0 && a.force !== true) res = { ok: false, error: "busy", detail: live + " sessions running" }
                else {
                    res = { ok: true, result: { windowS: a.windowS ?? 300, live } }
                    quiet.push(JSON.parse(ev.quietEvent(res.result.windowS, T0)))
                }
            }
            return replyJson(r.id, res.ok, res.error, res.detail, res.result, BOOT)
        }
        ;(b as any).client = {
            publishAsync: async (topic: string, payload: string) => {
                assert.equal(topic, `shed/${BOARD}/cmd`)
                sent.push(payload)
                const reply = answer(payload)
                replies.push(JSON.parse(reply))
                setImmediate(() => b.receive("reply", Buffer.from(signMessage(`shed/${BOARD}/reply`, KEY, reply))))
            },
        }
        const o1 = await b.pay(1)
        const o2 = await b.pay(2, { kind: "minutes", value: 90 }, { powerCapW: 500, profile: "lithium", topOffMin: 5 })
        const o3 = await b.pay(3, { kind: "wh", value: 500 })
        assert.deepEqual(
            [o1, o2, o3].map(o => o.startReply.ok),
            [true, true, true]
        )
        const dup = await b.send("start", { order: o1.order, socket: 4, limit: { kind: "full" } })
        assert.equal(dup.error, "duplicate_order")
        assert.equal((await b.send("status", {})).states.length, 4)
        assert.equal((await b.send("config", { patch: { telemetryS: 30, topOffMin: 10 } })).ok, true)
        assert.equal((await b.send("config", { patch: { telemetryS: 5 } })).error, "bad_config")
        assert.equal((await b.send("stop", { socket: 1, order: o1.order })).ok, true)
        assert.equal((await b.send("clear", { socket: 4 })).error, "not_faulted")
        assert.equal((await b.send("update", { windowS: 600 })).error, "busy")
        const { id: _id, boot: _boot, ...cal } = await b.send("calibrate", { socket: 2, gain: 1.02, offsetW: -0.5 })
        assert.deepEqual(cal, { ok: true, socket: 2, gain: 1.02, offsetW: -0.5 })
        assert.equal((await b.send("calibrate", { socket: 2, gain: 3, offsetW: 0 })).error, "bad_calibration")
        assert.equal((await b.send("paycode", { socket: 3, code: CODE })).ok, true)
        assert.deepEqual(await b.send("update", { force: true, windowS: 600 }), { id: replies[replies.length - 1].id, ok: true, boot: BOOT, windowS: 600, live: 2 })
        assert.equal(quiet.length, 1)
        for (const q of quiet) assertMessage(q)
        // a billing record arrives: the backend bills it and acks it by itself
        board.flush(0)
        const rec = board.ended()[0]
        box.enqueue(rec.eid, "billing", JSON.stringify(rec), 0)
        b.receive("event", Buffer.from(signMessage(`shed/${BOARD}/event`, KEY, rec)))
        const t0 = Date.now()
        while (!sent.some(s => JSON.parse(s).cmd === "ack") && Date.now() - t0 < 2000) await new Promise(r => setTimeout(r, 5))
        assert.equal(box.pending().length, 0, "the backend's ack reached the board")
        assert.deepEqual([...new Set(sent.map(s => JSON.parse(s).cmd))].sort(), COMMANDS.slice().sort())
        for (const s of sent) {
            // two of them the board refuses (a configuration, a calibration): the schema refuses them too
            const v = firmwareVerdict(s, 4, defaultConfig())
            // and the first, sent before the backend knew the board's boot nonce
            if (v === "bad_config" || v === "bad_calibration" || v === "wrong_boot") assertInvalid("command.schema.json", JSON.parse(s), "the refused command:")
            else assertMessage(JSON.parse(s), "sent by the backend:")
        }
        assert.equal(sent.filter(s => errorsOf("command.schema.json", JSON.parse(s)) !== null).length, 3)
        // the first command learnt the nonce from its wrong_boot reply and went again, once
        assert.deepEqual(
            replies.filter(r => r.error === "wrong_boot").map(r => r.boot),
            [BOOT]
        )
        assert.equal(JSON.parse(sent[0]).boot, "")
        assert.equal(JSON.parse(sent[1]).id, JSON.parse(sent[0]).id)
        assert.equal(JSON.parse(sent[1]).boot, BOOT)
        for (const r of replies) assertMessage(r, "the board's reply:")
    })
})

function anchored(): ServerClock {
    const c = new ServerClock(0)
    c.learn(T0, 1000)
    return c
}

function seen(id: string): ReplayGuard {
    const g = new ReplayGuard(64)
    g.remember(id, T0, 0)
    return g
}

// ---- (d) ------------------------------------------------------------------------------------

/** any JSON value of the wrong kind, to put where a field belongs */
const junk = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -1000, max: 1000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 6 }),
    fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 2 }),
    fc.constant({})
)
/** mostly a valid value, sometimes one at or past the edges, sometimes anything */
const field = <T>(valid: fc.Arbitrary<T>, ...edges: fc.Arbitrary<unknown>[]) =>
    fc.oneof({ arbitrary: valid as fc.Arbitrary<unknown>, weight: 12 }, ...edges.map(arbitrary => ({ arbitrary, weight: 2 })), { arbitrary: junk as fc.Arbitrary<unknown>, weight: 1 })
/** absent (undefined) mostly, one time in `odds` the arbitrary's value */
const rarely = <T>(arb: fc.Arbitrary<T>, odds = 12) => fc.oneof({ arbitrary: fc.constant(undefined), weight: odds - 1 }, { arbitrary: arb, weight: 1 })
const text = (minLength: number, maxLength: number) => fc.string({ minLength, maxLength })
const num = (min: number, max: number) =>
    Math.ceil(min) <= Math.floor(max) ? fc.oneof(fc.double({ min, max, noNaN: true }), fc.integer({ min: Math.ceil(min), max: Math.floor(max) })) : fc.double({ min, max, noNaN: true })
const socketArb = field(fc.integer({ min: 1, max: 16 }), fc.integer({ min: -1, max: 20 }), num(0, 17))
/** args with the required keys mostly present, the optional ones half of the time, and now and then an extra */
function argsOf(model: Record<string, fc.Arbitrary<unknown>>, required: string[]) {
    return fc
        .tuple(
            fc.oneof({ arbitrary: fc.record(model, { requiredKeys: required as any }), weight: 5 }, { arbitrary: fc.record(model, { requiredKeys: [] }), weight: 1 }),
            rarely(fc.constantFrom("extra", "Socket", "limitW"), 10)
        )
        .map(([a, extra]) => (extra ? { ...a, [extra]: 1 } : { ...a }))
}

const limitArb = field(
    fc.constantFrom("full", "minutes", "wh", "forever", "Full").chain(kind =>
        argsOf(
            {
                kind: field(fc.constant(kind)),
                value: kind === "minutes" ? field(num(1, 1440), num(0, 1500)) : kind === "wh" ? field(num(1, 100000), num(0, 110000)) : field(num(0, 100)),
            },
            kind === "full" ? ["kind"] : ["kind", "value"]
        )
    )
)
const patchArb = fc
    .array(
        fc.oneof(fc.constantFrom(...Object.keys(defaultConfig())), fc.constantFrom("nope", "Sockets", "socketlimitw")).chain(k => {
            const b = configBound(k)
            const v = b ? field(num(b.min, b.max), num(b.min - 10, b.max + 10), fc.constant(b.max + (b.integer ? 1 : 0.001))) : field(num(0, 100))
            return fc.tuple(fc.constant(k), v)
        }),
        { maxLength: 4 }
    )
    .map(kv => Object.fromEntries(kv))

const ARGS: Record<string, fc.Arbitrary<any>> = {
    start: argsOf(
        {
            order: field(text(1, 32), text(0, 40), fc.string({ minLength: 1, maxLength: 20, unit: "binary" })),
            socket: socketArb,
            limit: limitArb,
            powerCapW: field(num(50, 3680), num(0, 4000)),
            profile: field(fc.constantFrom(...PROFILES), fc.constantFrom("nimh", "Auto", "")),
            topOffMin: field(num(0, 240), num(-10, 300)),
        },
        ["order", "socket", "limit"]
    ),
    stop: argsOf({ socket: socketArb, order: field(text(0, 40)) }, ["socket"]),
    clear: argsOf({ socket: socketArb }, ["socket"]),
    status: argsOf({}, []),
    config: argsOf({ patch: field(patchArb) }, ["patch"]),
    update: argsOf({ force: field(fc.boolean()), windowS: field(fc.integer({ min: 30, max: 3600 }), fc.integer({ min: 0, max: 4000 }), num(29, 3601)) }, []),
    calibrate: argsOf({ socket: socketArb, gain: field(num(0.5, 2), num(0, 3)), offsetW: field(num(-20, 20), num(-30, 30)) }, ["socket", "gain", "offsetW"]),
    paycode: argsOf(
        {
            socket: socketArb,
            code: field(
                fc.constantFrom(CODE, payCode("https://p.ex/{1}"), payCode("https://pay.example.com/a-rather-long-path/S1a2b3c/1")),
                // a digit changed (the check value refuses it, which a schema cannot see), cut, or upper-case
                fc.tuple(fc.integer({ min: 0, max: CODE.length - 1 }), fc.constantFrom(..."0af9G")).map(([i, c]) => CODE.slice(0, i) + c + CODE.slice(i + 1)),
                fc.integer({ min: 0, max: CODE.length }).map(n => CODE.slice(0, n)),
                fc.constant(CODE.toUpperCase())
            ),
        },
        ["socket", "code"]
    ),
    ack: argsOf(
        {
            ids: field(fc.array(field(fc.constantFrom("b000001000001", "f000002000003"), text(0, 33)), { minLength: 1, maxLength: 16 }), fc.array(field(text(0, 33)), { minLength: 0, maxLength: 17 })),
        },
        ["ids"]
    ),
}

type SigMode = "good" | "wrong" | "upper" | "short" | "junk" | "none"

/** A command as a backend might get it wrong: every envelope field mostly right, sometimes not. */
const commandArb = fc.record({
    cmdArgs: fc.constantFrom(...COMMANDS).chain(cmd => ARGS[cmd].map(args => ({ cmd, args }))),
    id: field(text(1, 32), text(0, 40)),
    ts: field(fc.integer({ min: 1, max: 4e12 }), fc.integer({ min: -3, max: 3 }), num(1, 1e6)),
    cmd: rarely(field(fc.constantFrom("reboot", "Start", ""))),
    args: rarely(junk),
    drop: rarely(fc.constantFrom("id", "ts", "cmd", "args")),
    extraTop: rarely(fc.constantFrom("meta", "sig2"), 10),
    sig: fc.oneof({ arbitrary: fc.constant<SigMode>("good"), weight: 12 }, fc.constantFrom<SigMode>("wrong", "upper", "short", "junk", "none")),
})

function buildCommand(c: any): { text: string; sig: SigMode } {
    const m: any = { id: c.id, ts: c.ts, cmd: c.cmd !== undefined ? c.cmd : c.cmdArgs.cmd, args: c.args !== undefined ? c.args : c.cmdArgs.args }
    if (c.drop) delete m[c.drop]
    if (c.extraTop) m[c.extraTop] = "x"
    const whole = JSON.parse(signed(m))
    const good = whole.sig as string
    const sig = { good, wrong: good.replace(/^./, good[0] === "0" ? "1" : "0"), upper: good.toUpperCase(), short: good.slice(2), junk: 42, none: undefined }[c.sig as SigMode]
    // the signed text again (JSON's own round trip: the same bytes), its sig as chosen
    return { text: JSON.stringify({ ...whole, sig }), sig: c.sig }
}

const hasAstral = (v: unknown): boolean => /[\ud800-\udfff]/.test(JSON.stringify(v) ?? "")

describe("the schemas and the firmware agree", () => {
    test("property: a command the firmware accepts validates; one the schema refuses the firmware refuses by name; and the reverse, but for what a schema cannot know", () => {
        const tally = { accepted: 0, refused: 0, gaps: 0 }
        const byCmd = new Map<string, number>()
        fc.assert(
            fc.property(commandArb, c => {
                const { text, sig } = buildCommand(c)
                const fw = firmwareVerdict(text)
                const schema = errorsOf("command.schema.json", JSON.parse(text))
                if (fw === null) {
                    tally.accepted++
                    byCmd.set(JSON.parse(text).cmd, (byCmd.get(JSON.parse(text).cmd) ?? 0) + 1)
                    assert.equal(schema, null, `accepted by the firmware, refused by the schema: ${text}`)
                    // its own schema agrees with the dispatching one
                    assertValid(schemaOfMessage(JSON.parse(text)), JSON.parse(text))
                } else {
                    tally.refused++
                    assert.ok(commandErrors().includes(fw), `unnamed refusal ${fw}`)
                }
                if (schema !== null) assert.notEqual(fw, null, `refused by the schema (${schema}), accepted by the firmware: ${text}`)
                // the reverse: schema-valid means accepted, outside the schema's known blind spots
                // a broken relation between keys (a single key's error reads "<key>: ...")
                const cfgErr = fw === "bad_config" ? applyConfigPatch(widestConfig(16), JSON.parse(text).args.patch) : null
                const relation = cfgErr !== null && !cfgErr.error.startsWith(cfgErr.key + ": ")
                // a pay code's check value
                const args = JSON.parse(text).args
                const check = JSON.parse(text).cmd === "paycode" && typeof args?.code === "string" && payCodeError(args.code) === "check value does not match"
                const blind = sig === "wrong" || Buffer.byteLength(text) > 1024 || hasAstral(JSON.parse(text).args) || hasAstral(JSON.parse(text).id) || relation || check
                if (schema === null && fw !== null) {
                    assert.ok(blind, `valid by the schema, refused by the firmware with ${fw}: ${text}`)
                    tally.gaps++
                }
            }),
            { numRuns: 6000, seed: 20260101 }
        )
        // both sides of the property were exercised, for every command
        assert.ok(tally.accepted > 600 && tally.refused > 600, JSON.stringify(tally))
        for (const c of COMMANDS) assert.ok((byCmd.get(c) ?? 0) > 20, `${c}: ${byCmd.get(c)} accepted`)
    })

    test("schema-invalid mutations of valid commands are refused by the firmware, each with its named error", () => {
        const base: Record<string, any> = {
            start: { order: "o-42", socket: 3, limit: { kind: "minutes", value: 90 }, powerCapW: 500, profile: "lithium", topOffMin: 30 },
            stop: { socket: 3, order: "o-42" },
            status: {},
            config: { patch: { telemetryS: 30 } },
            clear: { socket: 2 },
            update: { force: true, windowS: 600 },
            ack: { ids: ["b000001000001"] },
            calibrate: { socket: 4, gain: 1.01, offsetW: -0.5 },
            paycode: { socket: 3, code: CODE },
        }
        const env = (cmd: string, args: any) => ({ id: "m1", ts: T0, cmd, args })
        // [what, message without its signature, the firmware's error]
        const set = (cmd: string, k: string, v: any) => env(cmd, { ...base[cmd], [k]: v })
        const del = (cmd: string, k: string) => {
            const { [k]: _, ...rest } = base[cmd]
            return env(cmd, rest)
        }
        const limit = (l: any) => set("start", "limit", l)
        const mutations: [string, any, string][] = [
            ["no id", (({ id: _, ...m }) => m)(env("status", {})), "malformed"],
            ["empty id", { ...env("status", {}), id: "" }, "malformed"],
            ["33-character id", { ...env("status", {}), id: "i".repeat(33) }, "malformed"],
            ["numeric id", { ...env("status", {}), id: 7 }, "malformed"],
            ["no ts", (({ ts: _, ...m }) => m)(env("status", {})), "malformed"],
            ["ts 0", { ...env("status", {}), ts: 0 }, "malformed"],
            ["fractional ts", { ...env("status", {}), ts: T0 + 0.5 }, "malformed"],
            ["ts as text", { ...env("status", {}), ts: String(T0) }, "malformed"],
            ["no cmd", (({ cmd: _, ...m }) => m)(env("status", {})), "malformed"],
            ["cmd as a number", { ...env("status", {}), cmd: 1 }, "malformed"],
            ["unknown cmd", env("reboot", {}), "unknown_command"],
            ["no args", (({ args: _, ...m }) => m)(env("status", {})), "malformed"],
            ["args a list", env("status", []), "malformed"],
            ["args null", env("status", null), "malformed"],
            ["start: unknown argument", set("start", "colour", "red"), "bad_args"],
            ["start: no order", del("start", "order"), "bad_args"],
            ["start: empty order", set("start", "order", ""), "bad_args"],
            ["start: 33-character order", set("start", "order", "o".repeat(33)), "bad_args"],
            ["start: numeric order", set("start", "order", 42), "bad_args"],
            ["start: no socket", del("start", "socket"), "bad_args"],
            ["start: socket as text", set("start", "socket", "3"), "bad_args"],
            ["start: fractional socket", set("start", "socket", 1.5), "bad_args"],
            ["start: socket 0", set("start", "socket", 0), "unknown_socket"],
            ["start: socket 17", set("start", "socket", 17), "unknown_socket"],
            ["start: no limit", del("start", "limit"), "bad_limit"],
            ["start: limit as text", limit("full"), "bad_limit"],
            ["start: limit without kind", limit({ value: 5 }), "bad_limit"],
            ["start: unknown limit kind", limit({ kind: "forever" }), "bad_limit"],
            ["start: minutes without value", limit({ kind: "minutes" }), "bad_limit"],
            ["start: minutes as text", limit({ kind: "minutes", value: "90" }), "bad_limit"],
            ["start: 0 minutes", limit({ kind: "minutes", value: 0 }), "bad_limit"],
            ["start: half a minute", limit({ kind: "minutes", value: 0.5 }), "bad_limit"],
            ["start: 1441 minutes", limit({ kind: "minutes", value: 1441 }), "bad_limit"],
            ["start: 0 Wh", limit({ kind: "wh", value: 0 }), "bad_limit"],
            ["start: 100001 Wh", limit({ kind: "wh", value: 100001 }), "bad_limit"],
            ["start: power cap as text", set("start", "powerCapW", "500"), "bad_args"],
            ["start: power cap 49 W", set("start", "powerCapW", 49), "bad_power_cap"],
            ["start: power cap 3681 W", set("start", "powerCapW", 3681), "bad_power_cap"],
            ["start: top-off as text", set("start", "topOffMin", "5"), "bad_args"],
            ["start: negative top-off", set("start", "topOffMin", -1), "bad_top_off"],
            ["start: top-off 241 min", set("start", "topOffMin", 241), "bad_top_off"],
            ["start: unknown profile", set("start", "profile", "nimh"), "bad_profile"],
            ["start: profile as a number", set("start", "profile", 1), "bad_args"],
            ["stop: no socket", del("stop", "socket"), "bad_args"],
            ["stop: socket 0", set("stop", "socket", 0), "unknown_socket"],
            ["stop: numeric order", set("stop", "order", 42), "bad_args"],
            ["stop: unknown argument", set("stop", "reason", "x"), "bad_args"],
            ["status: an argument", set("status", "verbose", true), "bad_args"],
            ["clear: no socket", del("clear", "socket"), "bad_args"],
            ["clear: an order", set("clear", "order", "o-42"), "bad_args"],
            ["clear: socket as text", set("clear", "socket", "2"), "bad_args"],
            ["config: no patch", del("config", "patch"), "bad_args"],
            ["config: patch a list", set("config", "patch", [1]), "bad_args"],
            ["config: unknown argument", set("config", "reboot", true), "bad_args"],
            ["config: unknown key", set("config", "patch", { nope: 1 }), "bad_config"],
            ["config: value as text", set("config", "patch", { telemetryS: "30" }), "bad_config"],
            ["config: fractional whole number", set("config", "patch", { telemetryS: 30.5 }), "bad_config"],
            ["config: under its bound", set("config", "patch", { socketLimitW: 49 }), "bad_config"],
            ["config: over its bound", set("config", "patch", { crossTalk: 0.06 }), "bad_config"],
            ["update: force as text", set("update", "force", "yes"), "bad_args"],
            ["update: window 29 s", set("update", "windowS", 29), "bad_args"],
            ["update: window 3601 s", set("update", "windowS", 3601), "bad_args"],
            ["update: fractional window", set("update", "windowS", 60.5), "bad_args"],
            ["update: unknown argument", set("update", "now", true), "bad_args"],
            ["ack: no ids", del("ack", "ids"), "bad_args"],
            ["ack: no id in the list", set("ack", "ids", []), "bad_args"],
            [
                "ack: 17 ids",
                set(
                    "ack",
                    "ids",
                    Array.from({ length: 17 }, (_, i) => `b000001${String(i + 1).padStart(6, "0")}`)
                ),
                "bad_args",
            ],
            ["ack: a numeric id", set("ack", "ids", [5]), "bad_args"],
            ["ack: a 33-character id", set("ack", "ids", ["b".repeat(33)]), "bad_args"],
            ["ack: ids as text", set("ack", "ids", "b000001000001"), "bad_args"],
            ["calibrate: gain 2.5", set("calibrate", "gain", 2.5), "bad_calibration"],
            ["calibrate: offset -21 W", set("calibrate", "offsetW", -21), "bad_calibration"],
            ["calibrate: gain as text", set("calibrate", "gain", "1"), "bad_calibration"],
            ["calibrate: no offset", del("calibrate", "offsetW"), "bad_calibration"],
            ["calibrate: socket 0", set("calibrate", "socket", 0), "unknown_socket"],
            ["calibrate: unknown argument", set("calibrate", "phase", 1), "bad_args"],
            ["paycode: no code", del("paycode", "code"), "bad_args"],
            ["paycode: no socket", del("paycode", "socket"), "bad_args"],
            ["paycode: socket 0", set("paycode", "socket", 0), "unknown_socket"],
            ["paycode: code as a number", set("paycode", "code", 15), "bad_args"],
            ["paycode: code cut short", set("paycode", "code", CODE.slice(0, -2)), "bad_args"],
            ["paycode: code upper-case", set("paycode", "code", CODE.toUpperCase()), "bad_args"],
            ["paycode: size 33 (version 4)", set("paycode", "code", "21" + CODE.slice(2)), "bad_args"],
            ["paycode: a letter past f", set("paycode", "code", CODE.slice(0, 9) + "g" + CODE.slice(10)), "bad_args"],
            ["paycode: unknown argument", set("paycode", "url", "https://x"), "bad_args"],
        ]
        for (const cmd of COMMANDS) {
            const m = signed(env(cmd, base[cmd]))
            assertValid("command.schema.json", JSON.parse(m), `base ${cmd}`)
            assert.equal(firmwareVerdict(m), null, `base ${cmd}`)
        }
        for (const [what, m, error] of mutations) {
            const text = signed(m)
            assertInvalid("command.schema.json", JSON.parse(text), what)
            if (typeof m.cmd === "string" && COMMANDS.includes(m.cmd)) assertInvalid(`command-${m.cmd}.schema.json`, JSON.parse(text), what)
            assert.equal(firmwareVerdict(text), error, what)
        }
        // the signature's form: refused by both, as bad_signature
        const good = JSON.parse(signed(env("status", {})))
        for (const sig of [good.sig.toUpperCase(), good.sig.slice(1), 7, undefined]) {
            const m = { ...good, sig }
            assertInvalid("command.schema.json", m, `sig ${sig}`)
            assert.equal(firmwareVerdict(JSON.stringify(m)), "bad_signature")
        }
    })

    test("what the schema cannot know: the board's own socket count and configuration, the signature's match", () => {
        // socket 12 on a 10-socket board
        const m = signed({ id: "n1", ts: T0, cmd: "stop", args: { socket: 12 } })
        assertValid("command.schema.json", JSON.parse(m))
        assert.equal(firmwareVerdict(m, 10), "unknown_socket")
        // 721 minutes, a 1001 W cap on a board with the default configuration
        for (const args of [
            { order: "o", socket: 1, limit: { kind: "minutes", value: 721 } },
            { order: "o", socket: 1, limit: { kind: "full" }, powerCapW: 1001 },
        ]) {
            const s = signed({ id: "n2", ts: T0, cmd: "start", args })
            assertValid("command.schema.json", JSON.parse(s))
            assert.equal(firmwareVerdict(s, 10, defaultConfig()), args.powerCapW ? "bad_power_cap" : "bad_limit")
        }
        // a pay code whose check value does not match
        const flipped = CODE.slice(0, 20) + (CODE[20] === "0" ? "1" : "0") + CODE.slice(21)
        const pc = signed({ id: "n4", ts: T0, cmd: "paycode", args: { socket: 3, code: flipped } })
        assertValid("command.schema.json", JSON.parse(pc))
        assert.equal(firmwareVerdict(pc), "bad_args")
        assert.match(parseCommand(Buffer.from(pc), boardCtx(10)).detail!, /check value does not match/)
        // a well-formed signature that does not match
        const bad = { ...JSON.parse(signed({ id: "n3", ts: T0, cmd: "status", args: {} })), sig: "0".repeat(64) }
        assertValid("command.schema.json", bad)
        assert.equal(firmwareVerdict(JSON.stringify(bad)), "bad_signature")
    })

    test("config bounds: a key that only spans two lines of the bounds table finds none", () => {
        for (const k of ["16,1]\nsocketLimitW", "sockets:[1", "Sockets", "socket", "hortW", "1"]) assert.equal(configBound(k), null, JSON.stringify(k))
        assert.deepEqual(configBound("weldHoldS"), { min: 0.2, max: 60, integer: false })
    })

    test("a config patch naming an Object.prototype member is refused like any unknown key", () => {
        for (const k of ["constructor", "toString", "__proto__"]) {
            const text = signed({ id: "p-" + k, ts: T0, cmd: "config", args: { patch: JSON.parse(`{"${k}": 5}`) } })
            assertInvalid("command.schema.json", JSON.parse(text), k)
            assert.equal(firmwareVerdict(text), "bad_config", k)
        }
    })
})
