// The update channel's crypto and framing against an independent board side written from the
// protocol description (jacdac services/wssk.md): a session key both ends derive, sealed frames
// that open only with the right key and nonce, one command byte per frame.
import { test } from "node:test"
import assert from "node:assert/strict"
import { createCipheriv, hkdfSync, randomBytes } from "node:crypto"
import { clientRandom, frame, open, seal, sessionKey } from "../../fleet/wssk"
import { scheduledWindowDue } from "../../src/core/update-schedule"

test("session key: HKDF-SHA256 of the board key over client random then server random", () => {
    const key = randomBytes(32)
    const c = randomBytes(16)
    const s = randomBytes(16)
    const expect = Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), Buffer.concat([c, s]), 32))
    assert.deepEqual(sessionKey(key, c, s), expect)
    assert.notDeepEqual(sessionKey(key, s, c), expect, "the order of the randoms matters")
})

test("sealed frames: AES-256-CCM with a 4-byte tag; a wrong key, nonce or flipped bit does not open", () => {
    const k = randomBytes(32)
    const nonce = Buffer.alloc(13)
    nonce[0] = 1
    const plain = frame(0x93)
    const sealed = seal(k, nonce, plain)
    assert.equal(sealed.length, plain.length + 4)
    // what a board would send: the same cipher, written independently
    const c = createCipheriv("aes-256-ccm", k, nonce, { authTagLength: 4 })
    const board = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()])
    assert.deepEqual(sealed, board)
    assert.deepEqual(open(k, nonce, sealed), plain)
    assert.equal(open(randomBytes(32), nonce, sealed), null)
    const n2 = Buffer.from(nonce)
    n2[12] = 1
    assert.equal(open(k, n2, sealed), null)
    for (let i = 0; i < sealed.length; i++) {
        const bad: Buffer = Buffer.from(sealed)
        bad[i] ^= 0x10
        assert.equal(open(k, nonce, bad), null, "bit flipped in byte " + i)
    }
    assert.equal(open(k, nonce, Buffer.alloc(3)), null, "shorter than a tag")
})

test("frames carry one command byte, then the payload", () => {
    assert.deepEqual(frame(0x94, Buffer.from([1, 2, 3, 4])), Buffer.from([0x94, 1, 2, 3, 4]))
    assert.deepEqual(frame(0x96), Buffer.from([0x96]))
})

test("the board's sub-protocol names its random: 32 hex digits, nothing else", () => {
    assert.deepEqual(clientRandom("devs-key-" + "ab".repeat(16)), Buffer.from("ab".repeat(16), "hex"))
    for (const bad of ["", "devs-key-", "devs-key-" + "ab".repeat(15), "devs-key-" + "zz".repeat(16), "jacdac-key-" + "ab".repeat(16), "devs-key-" + "ab".repeat(17)])
        assert.equal(clientRandom(bad), null, bad)
})

test("scheduled update windows: only when idle, every everyH hours, never with 0", () => {
    const h = 3600000
    assert.equal(scheduledWindowDue(24 * h, 0, 24, 0), true)
    assert.equal(scheduledWindowDue(24 * h - 1, 0, 24, 0), false)
    assert.equal(scheduledWindowDue(100 * h, 0, 24, 1), false, "a charging socket holds it off")
    assert.equal(scheduledWindowDue(100 * h, 0, 0, 0), false, "0: no schedule")
    assert.equal(scheduledWindowDue(30 * h, 24 * h, 24, 0), false, "counted from the last window")
})
