// The protocol core in the VM with the board's native HMAC: a command signed by node's crypto
// (host/board-command.ts, the same key as test/node/protocol.test.ts) verifies here on its
// bytes; a tampered, unsigned or deeply nested one is refused before anything parses it.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { parseCommand } from "../../src/core/protocol/command"
import { ServerClock } from "../../src/core/protocol/server-clock"
import { ReplayGuard } from "../../src/core/protocol/replay-guard"
import { Outbox } from "../../src/core/protocol/outbox"
import { macHex, signed } from "../../src/shell/hmac"
import { fnv1a } from "../../src/core/config"

const KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
const BOOT = "0123456789abcdef"
// signed in node (signCommand of host/board-command.ts) for topic shed/B1/cmd
const SIGNED =
    '{"id":"vm1","ts":1800000000000,"boot":"0123456789abcdef","cmd":"start","args":{"order":"o-42","socket":3,"limit":{"kind":"minutes","value":90}},"sig":"8a03cf7e827a5c5da9b7d63c2583f22ff10ab2e2c50f6f4cc6a9e131f61bb695"}'
// numbers JSON writes in more than one way, and a non-ASCII order: the bytes are signed, not a re-serialisation
const AWKWARD =
    '{"id":"vm2","ts":1800000000000,"boot":"0123456789abcdef","cmd":"start","args":{"order":"Zürich-€-ø","socket":2,"limit":{"kind":"wh","value":1e-7},"powerCapW":1.0000000000000002},"sig":"2a24bfcf803e8b5316f4d2a2a2597706a4a32cec7aae408b1ee4a19edc46180a"}'
// signed right, for another boot of the board
const OTHER_BOOT = '{"id":"vm3","ts":1800000000000,"boot":"fedcba9876543210","cmd":"status","args":{},"sig":"7b170e93b347f7ffec75e0553a2f71bbda3e9c07b4ebdbad06a6348c276c3e8c"}'

function ctx() {
    return { topic: "shed/B1/cmd", keyHex: KEY, boot: BOOT, nowMs: 1000, sockets: 10, maxBytes: 1024, staleMs: 300000, mac: macHex, clock: new ServerClock(0), replay: new ReplayGuard(64) }
}

const ZEROS = "0000000000000000000000000000000000000000000000000000000000000000"
const ABS = "abababababababababababababababababababababababababababababababab"

function parse(text: string, c: any) {
    return parseCommand(Buffer.from(text), c)
}

/** `n` levels of arrays around 1, as args, padded with `pad` nesting in a string-free run */
function nested(n: number): string {
    let open = ""
    let close = ""
    for (let i = 0; i < n; i++) {
        open += "["
        close += "]"
    }
    return '{"id":"deep","ts":1800000000000,"boot":"' + BOOT + '","cmd":"config","args":{"patch":' + open + "1" + close + "}"
}

describe("protocol in the VM", () => {
    test("FNV-1a matches the published vectors (32-bit arithmetic in the VM)", () => {
        expect(fnv1a("")).toBe("811c9dc5")
        expect(fnv1a("a")).toBe("e40c292c")
        expect(fnv1a("foobar")).toBe("bf9cf968")
    })
    test("a node-signed command verifies with the native HMAC", () => {
        const r = parse(SIGNED, ctx())
        expect(r.ok).toBe(true)
        expect(r.command.args.socket).toBe(3)
    })
    test("honest commands with 1e-7, 1.0000000000000002 and a non-ASCII order are accepted", () => {
        const r = parse(AWKWARD, ctx())
        expect(r.error).toBe(undefined)
        expect(r.ok).toBe(true)
        expect(r.command.args.order).toBe("Zürich-€-ø")
        expect(r.command.args.powerCapW > 1).toBe(true)
    })
    test("a tampered command is refused with bad_signature, a replay with replayed", () => {
        const c = ctx()
        const tampered = SIGNED.split('"socket":3').join('"socket":4')
        expect(parse(tampered, c).error).toBe("bad_signature")
        expect(parse(SIGNED, c).ok).toBe(true)
        expect(parse(SIGNED, c).error).toBe("replayed")
    })
    test("a command for another boot is refused with wrong_boot", () => {
        const r = parse(OTHER_BOOT, ctx())
        expect(r.error).toBe("wrong_boot")
        expect(r.id).toBe("vm3")
    })
    // each payload gets a slice of its own, as on the board (a command a tick): the VM allows a
    // slice 128K opcodes
    test("deeply nested 1 KB payloads with a wrong sig: bad_signature, unparsed, the VM stands", async () => {
        const c = ctx()
        const sigs = ['"sig":"' + ZEROS + '"}', '"sig":"' + ABS + '"}', '"sig":"x"}']
        for (let k = 0; k < 3; k++) {
            const text = nested(420) + "," + sigs[k]
            expect(Buffer.from(text).length > 900 && Buffer.from(text).length <= 1024).toBe(true)
            const r = parse(text, c)
            expect(r.error).toBe("bad_signature")
            expect(r.id).toBe(null)
            await ds.sleep(1)
        }
        // objects too, and a payload of nothing but brackets
        let objs = ""
        for (let i = 0; i < 120; i++) objs += '{"a":'
        expect(parse(objs + "1" + ',"sig":"' + ZEROS + '"}', c).error).toBe("bad_signature")
        await ds.sleep(1)
        let brackets = ""
        for (let i = 0; i < 1000; i++) brackets += "["
        expect(parse(brackets, c).error).toBe("bad_signature")
        await ds.sleep(1)
        // the board still obeys a good command afterwards
        expect(parse(SIGNED, c).ok).toBe(true)
    })
    test("signed right but nested deeper than the commands need: malformed, before JSON.parse", async () => {
        await ds.sleep(1)
        const r = parse(signed(KEY, "shed/B1/cmd", nested(300)), ctx())
        expect(r.error).toBe("malformed")
    })
    test("malformed input never throws", () => {
        const c = ctx()
        expect(parse("{", c).error).toBe("bad_signature")
        expect(parse("null", c).error).toBe("bad_signature")
        expect(parse(signed(KEY, "shed/B1/cmd", '{"id":"x"}').slice(0, 4) + "}", c).error).toBe("bad_signature")
        expect(parse(signed(KEY, "shed/B1/cmd", '{"id":"m1","ts":"soon"}'), c).error).toBe("malformed")
    })
    test("too_large counts UTF-8 bytes, not characters", () => {
        let euros = ""
        for (let i = 0; i < 400; i++) euros += "€"
        // 400 characters, 1200 bytes: over the 1024-byte limit
        expect(parse(euros, ctx()).error).toBe("too_large")
        expect(parse(euros.slice(0, 300), ctx()).error).toBe("bad_signature")
    })
    test("outbox restores from settings text", () => {
        const box = new Outbox()
        const r = box.restore(k => (k === "ob3" ? '{"t":"ended","eid":"b7"}' : k === "ob4" ? "{bad" : null), 0)
        expect(box.pending()[0]).toBe("b7")
        expect(r.corrupt[0]).toBe("ob4")
    })
})
