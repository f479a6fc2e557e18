// The service button's decisions (src/core/button.ts) on a core supervisor.
import { test } from "node:test"
import assert from "node:assert/strict"
import { servicePress, PRESS_CLEAR_MIN_MS } from "../../src/core/button"
import { Supervisor } from "../../src/core/supervisor"
import { defaultConfig } from "../../src/core/config"

function board() {
    return new Supervisor({ ...defaultConfig(), sockets: 3, staggerS: 0 })
}

test("short presses step through the sockets and wrap; each says what the socket does", () => {
    const sup = board()
    let r = servicePress(sup, 0, 150)
    assert.deepEqual(r, { focus: 1, message: "S1 idle" })
    r = servicePress(sup, r.focus, 150)
    r = servicePress(sup, r.focus, 150)
    assert.equal(r.focus, 3)
    assert.equal(servicePress(sup, r.focus, 150).focus, 1)
})

test("a hesitant press (1-2 s) does nothing; a long press with nothing picked asks for a pick", () => {
    const sup = board()
    assert.deepEqual(servicePress(sup, 2, 1500), { focus: 2, message: "" })
    assert.equal(servicePress(sup, 0, PRESS_CLEAR_MIN_MS).message, "press briefly to pick a socket")
})

/** the three sockets' mains voltage */
const V = [230, 230, 230]

test("a long press clears a faulted socket only when it draws nothing", () => {
    const sup = board()
    assert.ok(sup.start(2, "o", { kind: "full", value: 0 }, {}, 0).ok)
    let relays = [false, false, false]
    for (let t = 0; t <= 20; t++) relays = sup.tick(t * 1000, [0, relays[1] ? (t < 10 ? 150 : 6000) : 0, 0], V, relays)
    assert.equal(sup.socket(2).state, "faulted")
    assert.match(servicePress(sup, 1, 150).message, /^S2 faulted short/)
    // the contacts still pass current (a welded relay): refused
    sup.tick(21000, [0, 80, 0], V, relays)
    assert.equal(servicePress(sup, 2, 3000).message, "S2 not cleared: socket_drawing")
    assert.equal(sup.socket(2).state, "faulted")
    sup.tick(22000, [0, 0, 0], V, relays)
    assert.equal(servicePress(sup, 2, 3000).message, "S2 cleared")
    assert.notEqual(sup.socket(2).state, "faulted")
    assert.equal(servicePress(sup, 2, 3000).message, "S2 not cleared: not_faulted")
})
