// The protocol core in the VM with the board's native HMAC: a command signed by node's crypto
// (test/node/protocol.test.ts uses the same key) verifies here, a tampered one does not.
import { describe, test, expect } from "@devicescript/test"
import { parseCommand } from "../../src/core/protocol/command"
import { ServerClock } from "../../src/core/protocol/server-clock"
import { ReplayGuard } from "../../src/core/protocol/replay-guard"
import { Outbox } from "../../src/core/protocol/outbox"
import { canonicalJson } from "../../src/core/protocol/canonical"
import { hmacHex } from "../../src/shell/hmac"
import { fnv1a } from "../../src/core/config"

const KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
// signed in node with crypto.createHmac over signedText("B1", cmd)
const SIGNED =
    '{"id":"vm1","ts":1800000000000,"cmd":"start","args":{"order":"o-42","socket":3,"limit":{"kind":"minutes","value":90}},"sig":"da7f186194221dceee4439ae3fe76cfc799a1b15be5f8f98e9463c1952326e52"}'

function ctx() {
    return { boardId: "B1", keyHex: KEY, nowMs: 1000, sockets: 10, maxBytes: 512, staleMs: 300000, hmacHex: hmacHex, clock: new ServerClock(0), replay: new ReplayGuard(64) }
}

describe("protocol in the VM", () => {
    test("FNV-1a matches the published vectors (32-bit arithmetic in the VM)", () => {
        expect(fnv1a("")).toBe("811c9dc5")
        expect(fnv1a("a")).toBe("e40c292c")
        expect(fnv1a("foobar")).toBe("bf9cf968")
    })
    test("canonical JSON sorts keys", () => {
        expect(canonicalJson({ b: 1, a: [true, "x"] })).toBe('{"a":[true,"x"],"b":1}')
    })
    test("a node-signed command verifies with the native HMAC", () => {
        const r = parseCommand(SIGNED, ctx())
        expect(r.ok).toBe(true)
        expect(r.command.args.socket).toBe(3)
    })
    test("a tampered command is refused with bad_signature, a replay with replayed", () => {
        const c = ctx()
        const tampered = SIGNED.split('"socket":3').join('"socket":4')
        expect(parseCommand(tampered, c).error).toBe("bad_signature")
        expect(parseCommand(SIGNED, c).ok).toBe(true)
        expect(parseCommand(SIGNED, c).error).toBe("replayed")
    })
    test("malformed input never throws", () => {
        const c = ctx()
        expect(parseCommand("{", c).error).toBe("malformed")
        expect(parseCommand("null", c).error).toBe("malformed")
    })
    test("too_large counts UTF-8 bytes, not characters", () => {
        let euros = ""
        for (let i = 0; i < 200; i++) euros += "€"
        // 200 characters, 600 bytes: over the 512-byte limit
        expect(parseCommand(euros, ctx()).error).toBe("too_large")
        expect(parseCommand(euros.slice(0, 170), ctx()).error).toBe("malformed")
    })
    test("outbox restores from settings text", () => {
        const box = new Outbox()
        const r = box.restore(k => (k === "ob3" ? '{"t":"ended","eid":"b7"}' : k === "ob4" ? "{bad" : null), 0)
        expect(box.pending()[0]).toBe("b7")
        expect(r.corrupt[0]).toBe("ob4")
    })
})
