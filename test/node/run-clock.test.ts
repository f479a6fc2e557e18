// The clock a board judges its meters' silence on (src/core/run-clock.ts).
import { test } from "node:test"
import assert from "node:assert/strict"
import { newRunClock, runClock, REBIND_MS, RUN_STEP_MS } from "../../src/core/run-clock"

/** The clock after the program ran at each of `times` (ms, wall time), from a clock started at 0. */
function after(times: number[]): number {
    const c = newRunClock(0)
    let t = 0
    for (const real of times) t = runClock(c, real)
    return t
}

test("a tick that waits on the flash: the other meters' readings keep the clock at wall time", () => {
    // ticks 400 ms apart (the flash), readings every 50 ms between them, for 10 s
    const times: number[] = []
    for (let real = 50; real <= 10000; real += 50) times.push(real)
    assert.equal(after(times), 10000)
    // the same ticks alone (a clock moved by the tick only) ran at half speed: 200 ms a 400 ms tick
    const ticks: number[] = []
    for (let real = 400; real <= 10000; real += 400) ticks.push(real)
    assert.equal(after(ticks), 25 * RUN_STEP_MS)
})

test("a stall is not counted: the clock takes one step, stands still while the bus binds again, then runs", () => {
    const c = newRunClock(0)
    for (let real = 100; real <= 1000; real += 100) runClock(c, real)
    assert.equal(runClock(c, 1000), 1000)
    // the program stalls 5 s: nothing of it counts, and the clock stands for REBIND_MS after
    assert.equal(runClock(c, 6000), 1000)
    assert.equal(runClock(c, 6000 + REBIND_MS), 1000)
    // then runs again at wall time, never back
    assert.equal(runClock(c, 6000 + REBIND_MS + 100), 1100)
    assert.equal(runClock(c, 6000 + REBIND_MS + 200), 1200)
})

test("a program starved again and again (1.2 s stopped of every 1.4 s) still counts time: a silent meter is cut", () => {
    const c = newRunClock(0)
    let t = 0
    for (let cycle = 0; cycle < 20; cycle++) {
        const start = cycle * 1400 + 1200
        // it runs 200 ms, its readings and ticks every 50 ms
        for (let real = start; real <= start + 200; real += 50) t = runClock(c, real)
    }
    // 28 s of wall time: at least a second of the program's running time passed
    assert.ok(t >= 1000, `clock ${t} ms`)
    // and never more than the time the program ran
    assert.ok(t <= 20 * 200, `clock ${t} ms`)
})

test("the clock never runs backwards, whatever the order of the times it is given", () => {
    const c = newRunClock(0)
    let prev = 0
    let real = 0
    for (let k = 0; k < 2000; k++) {
        real += Math.floor(((k * 7919) % 1733) - 200)
        const t = runClock(c, real)
        assert.ok(t >= prev, `clock went back: ${prev} -> ${t}`)
        prev = t
    }
})
