// Each protection: a case where it must trip and a case where it must not.
import { test } from "node:test"
import assert from "node:assert/strict"
import { applyConfigPatch, defaultConfig, ShedConfig } from "../../src/core/config"
import { Supervisor } from "../../src/core/supervisor"
import { MainsGuard } from "../../src/core/mains"
import { ThermalGuard } from "../../src/core/thermal"
import { lastEnded } from "../shared/events"
import { lithiumFullS, lithiumW, twoStageAtS, twoStageW } from "../shared/scenarios"

type Wave = (t: number) => { p: number; v: number }

/** Drive socket 1 of a one-socket board from t0 to t1 (s), returning relay transitions. */
function drive(sup: Supervisor, wave: Wave, t0: number, t1: number, relay: boolean[]) {
    const transitions: { t: number; on: boolean }[] = []
    for (let t = t0; t <= t1; t++) {
        const w = wave(t)
        const next = sup.tick(t * 1000, [relay[0] ? w.p : 0], [w.v], relay)
        if (next[0] !== relay[0]) transitions.push({ t, on: next[0] })
        relay[0] = next[0]
    }
    return transitions
}

function board(patch: Partial<ShedConfig> = {}) {
    return new Supervisor({ ...defaultConfig(), sockets: 1, ...patch })
}

const plateau = (t: number) => ({ p: t < 3 ? 0 : 250, v: 230 })

test("mains: one meter whose voltage channel reads garbage does not hold its socket's end of charge; a brownout every meter sees does", () => {
    // a brownout (under brownoutV) holds the judgement of full; it was judged on each socket's
    // own meter, so a voltage channel reading 0 V or 150 V held that socket's charge to its paid
    // limit or the maximum duration. One mains feeds the board: its voltage is the meters' median
    const full = lithiumFullS(200, 3600, 1500, 0.05)
    const run = (v1: number, others: (t: number) => number) => {
        const sup = new Supervisor({ ...defaultConfig(), sockets: 3 })
        sup.start(1, "o", { kind: "full", value: 0 }, {}, 0)
        const relay = [false, false, false]
        for (let t = 0; t <= full + 3600 && sup.sockets[0].state !== "ended"; t++) {
            const w = lithiumW(t, 200, 3600, 1500, 0.05, 0.7)
            const next = sup.tick(t * 1000, [relay[0] ? w : 0, 0, 0], [v1, others(t), others(t)], relay)
            for (let i = 0; i < 3; i++) relay[i] = next[i]
        }
        return lastEnded(sup, 1, [])
    }
    for (const v1 of [0, -230, 150, 180]) {
        const r = run(v1, () => 230)
        assert.equal(r?.reason, "full", `socket 1's meter at ${v1} V`)
        assert.ok(r.durationS >= full && r.durationS <= full + 300, `socket 1's meter at ${v1} V: ended at ${r.durationS} s, full at ${full}`)
    }
    // every meter at 185 V from before full until 20 min after it (within the mains guard's
    // range): the judgement waits for the mains
    const held = run(185, t => (t >= full - 600 && t < full + 1200 ? 185 : 230))
    assert.equal(held?.reason, "full")
    assert.ok(held.durationS >= full + 1200, `ended at ${held.durationS} s, the brownout until ${full + 1200}`)
})

test("mains: a 5 s dip to 90 V changes nothing", () => {
    const sup = board()
    sup.start(1, "o", { kind: "full", value: 0 }, {}, 0)
    const relay = [false]
    const tr = drive(sup, t => (t >= 600 && t < 605 ? { p: 0, v: 90 } : plateau(t)), 0, 1800, relay)
    assert.deepEqual(tr, [{ t: 0, on: true }])
    assert.equal(sup.sockets[0].state, "charging")
})

test("mains: 60 s at 90 V pauses the session (relay off), then resumes it after recovery", () => {
    const sup = board()
    sup.start(1, "o", { kind: "full", value: 0 }, {}, 0)
    const relay = [false]
    const tr = drive(sup, t => (t >= 600 && t < 660 ? { p: 0, v: 90 } : plateau(t)), 0, 1800, relay)
    assert.equal(tr.length, 3, JSON.stringify(tr))
    assert.equal(tr[1].on, false)
    assert.ok(tr[1].t >= 600 + defaultConfig().mainsHoldS)
    assert.equal(tr[2].on, true)
    assert.ok(tr[2].t >= 660 + defaultConfig().mainsRecoverS)
    assert.equal(sup.sockets[0].state, "charging", "a paused session is not ended")
    const faults = sup
        .takeEvents()
        .filter(e => e.kind === "fault")
        .map(e => e.fault)
    assert.deepEqual(faults, ["mains_voltage", "mains_ok"])
})

test("mains: out of range too long ends the session with mains_voltage; no start meanwhile", () => {
    const sup = board({ mainsMaxOutMin: 5 })
    sup.start(1, "o", { kind: "full", value: 0 }, {}, 0)
    const relay = [false]
    drive(sup, t => (t >= 600 ? { p: 0, v: 285 } : plateau(t)), 0, 1200, relay)
    assert.equal(lastEnded(sup, 1, [])!.reason, "mains_voltage")
    assert.equal(sup.start(1, "o2", { kind: "full", value: 0 }, {}, 1201000).error, "mains_out_of_range")
})

test("mains guard: high but legal mains (253 V) is fine", () => {
    const g = new MainsGuard(defaultConfig())
    for (let t = 0; t < 3600; t++) g.update(t * 1000, 253)
    assert.equal(g.state, "ok")
})

test("socket health: three no-load starts under 7 W flag the socket; clear lifts it", () => {
    const sup = board()
    const relay = [false]
    let t = 0
    for (let i = 0; i < 3; i++) {
        assert.ok(sup.start(1, "o" + i, { kind: "full", value: 0 }, {}, t * 1000).ok)
        drive(sup, () => ({ p: 0.3, v: 230 }), t, t + defaultConfig().noLoadS + 5, relay)
        assert.equal(lastEnded(sup, 1, [])!.reason, "no_load")
        t += defaultConfig().noLoadS + 10
    }
    assert.ok(sup.sockets[0].suspect())
    assert.equal(sup.start(1, "o9", { kind: "full", value: 0 }, {}, t * 1000).error, "socket_suspect")
    assert.ok(sup.sockets[0].clear(0).ok)
    assert.ok(sup.start(1, "o9", { kind: "full", value: 0 }, {}, t * 1000).ok)
})

test("socket health: no-load starts of a charger idling at 10 W are not a broken socket", () => {
    const sup = board()
    const relay = [false]
    let t = 0
    for (let i = 0; i < 3; i++) {
        sup.start(1, "o" + i, { kind: "full", value: 0 }, {}, t * 1000)
        drive(sup, () => ({ p: 10, v: 230 }), t, t + defaultConfig().noLoadS + 5, relay)
        t += defaultConfig().noLoadS + 10
    }
    assert.equal(sup.sockets[0].suspect(), false)
})

test("overload: a single noisy sample over the limit does not trip; a warning precedes a sustained cut", () => {
    const sup = board()
    sup.start(1, "o", { kind: "full", value: 0 }, {}, 0)
    const relay = [false]
    drive(sup, t => (t === 300 ? { p: 1400, v: 230 } : plateau(t)), 0, 600, relay)
    assert.equal(sup.sockets[0].state, "charging")
    sup.takeEvents()
    drive(sup, t => ({ p: 1300, v: 230 }), 601, 700, relay)
    const ev = sup.takeEvents()
    const warn = ev.findIndex(e => e.kind === "warning")
    const end = ev.findIndex(e => e.kind === "ended")
    assert.ok(warn >= 0 && end > warn, "warning before the cut")
    assert.equal(lastEnded(sup, 1, ev)!.reason, "overload")
    assert.equal(sup.sockets[0].state, "faulted")
})

test("per-order power cap: a lower cap trips overload above it; out-of-bounds caps are refused", () => {
    const sup = board()
    assert.equal(sup.start(1, "o", { kind: "full", value: 0 }, { powerCapW: 5000 }, 0).error, "bad_power_cap")
    assert.equal(sup.start(1, "o", { kind: "full", value: 0 }, { topOffMin: -1 }, 0).error, "bad_top_off")
    assert.equal(sup.start(1, "o", { kind: "full", value: 0 }, { profile: "nickel" }, 0).error, "bad_profile")
    assert.equal(sup.sockets[0].state, "idle")
    assert.ok(sup.start(1, "o", { kind: "full", value: 0 }, { powerCapW: 200 }, 0).ok)
    const relay = [false]
    drive(sup, plateau, 0, 600, relay)
    assert.equal(lastEnded(sup, 1, [])!.reason, "overload")
})

test("top-off: charging continues after full for the ordered minutes, reported apart", () => {
    const sup = board()
    sup.start(1, "o", { kind: "full", value: 0 }, { topOffMin: 30 }, 0)
    const relay = [false]
    // plateau 250 W for an hour, taper, terminate to 0.5 W
    const wave = (t: number) => {
        if (t < 3600) return plateau(t)
        const p = 250 * Math.exp(-(t - 3600) / 900)
        return { p: p > 20 ? p : 0.5, v: 230 }
    }
    drive(sup, wave, 0, 4 * 3600, relay)
    const r = lastEnded(sup, 1, [])!
    assert.equal(r.reason, "full")
    assert.ok(r.fullAtS > 0)
    assert.ok(Math.abs(r.topOffS - 30 * 60) <= 1, `top-off ${r.topOffS}`)
    assert.ok(r.durationS >= r.fullAtS + 30 * 60)
})

test("temperature: warning, no new starts, all off, each with hysteresis", () => {
    const g = new ThermalGuard(defaultConfig())
    assert.equal(g.update(50), 0)
    assert.equal(g.update(62), 1)
    assert.equal(g.update(71), 2)
    assert.equal(g.update(68), 2, "hysteresis holds the level")
    assert.equal(g.update(81), 3)
    assert.equal(g.update(76), 3)
    assert.equal(g.update(74), 2)
    assert.equal(g.update(40), 0)
    const sup = board()
    sup.start(1, "o", { kind: "full", value: 0 }, {}, 0)
    drive(sup, plateau, 0, 100, [false])
    sup.temperature(100000, 85)
    assert.equal(lastEnded(sup, 1, [])!.reason, "over_temperature")
    assert.equal(sup.start(1, "o2", { kind: "full", value: 0 }, {}, 101000).error, "over_temperature")
})

test("temperature: a sensor read open or shorted for 10 s is reported, and again once it reads for 10 s; a loose contact is not; the sockets charge on", () => {
    const sup = board()
    sup.start(1, "o", { kind: "full", value: 0 }, {}, 0)
    const relay = [false]
    const boardFaults = () =>
        sup
            .takeEvents()
            .filter(e => e.kind === "fault" && e.socket === 0)
            .map(e => e.fault)
    // a loose contact: broken every other second for a minute
    for (let t = 0; t < 60; t++) {
        drive(sup, plateau, t, t, relay)
        sup.temperature(t * 1000, t % 2 ? NaN : 30)
    }
    assert.deepEqual(boardFaults(), [])
    // broken for good: reported once, 10 s after it began
    for (let t = 60; t < 200; t++) {
        drive(sup, plateau, t, t, relay)
        sup.temperature(t * 1000, NaN)
    }
    assert.deepEqual(boardFaults(), ["temperature_sensor"])
    assert.equal(relay[0], true, "the socket charges on")
    // mended
    for (let t = 200; t < 220; t++) {
        drive(sup, plateau, t, t, relay)
        sup.temperature(t * 1000, 30)
    }
    assert.deepEqual(boardFaults(), ["temperature_ok"])
})

test("profile: a taper flattening onto a low floor is full for every order, a lithium one too; one flattening at a third of the plateau (an aged pack) never is", () => {
    // a taper decaying onto a floor at 6 % of the plateau, no step: a two-stage lead-acid shape,
    // or a lithium charger ending at its own draw without a step (a lithium order once kept
    // charging it for ever)
    const low = (t: number) => ({ p: t < 3600 ? 200 : 12 + 188 * Math.exp(-(t - 3600) / 1500), v: 230 })
    // an aged pack: the taper flattens at a third of the plateau, still taking real charge
    const aged = (t: number) => ({ p: t < 3600 ? 200 : 66 + 134 * Math.exp(-(t - 3600) / 1500), v: 230 })
    for (const profile of ["auto", "lithium", "lead_acid"]) {
        const sup = board()
        sup.start(1, "a", { kind: "full", value: 0 }, { profile }, 0)
        drive(sup, low, 0, 6 * 3600, [false])
        assert.equal(lastEnded(sup, 1, [])?.reason, "full", profile)
        const old = board()
        old.start(1, "b", { kind: "full", value: 0 }, { profile }, 0)
        drive(old, aged, 0, 6 * 3600, [false])
        assert.equal(old.sockets[0].state, "charging", `${profile}: an aged pack keeps charging`)
    }
})

test("top-off: a lead_acid order without topOffMin takes the board's lead-acid default, reported apart; others keep topOffMin", () => {
    // a three-stage lead-acid end: plateau, absorption taper, step to float at 3 % of the plateau
    const wave = (t: number) => {
        if (t < 3600) return plateau(t)
        const p = 250 * Math.exp(-(t - 3600) / 1500)
        return { p: p > 35 ? p : 7.5, v: 230 }
    }
    const run = (opts: any) => {
        const sup = board({ topOffLeadAcidMin: 45, topOffMin: 5 })
        sup.start(1, "o", { kind: "full", value: 0 }, opts, 0)
        drive(sup, wave, 0, 5 * 3600, [false])
        return lastEnded(sup, 1, [])!
    }
    const la = run({ profile: "lead_acid" })
    assert.equal(la.reason, "full")
    assert.ok(Math.abs(la.topOffS - 45 * 60) <= 1, `lead-acid top-off ${la.topOffS}`)
    assert.ok(Math.abs(run({}).topOffS - 5 * 60) <= 1, "auto: topOffMin")
    assert.ok(Math.abs(run({ profile: "lead_acid", topOffMin: 0 }).topOffS) <= 1, "the order's own topOffMin wins")
    const bad = applyConfigPatch(defaultConfig(), { topOffLeadAcidMin: 300 })
    assert.equal(bad.ok, false)
    assert.equal(bad.key, "topOffLeadAcidMin")
})

test("defaultProfile: an order that does not say takes the board's profile (its rules and its top-off); one that says keeps its own", () => {
    // a two-stage lead-acid taper pulled where it draws 12 W: a pull only for a lead-acid order
    const pullS = twoStageAtS(200, 3600, 1500, 8, 12)
    const pulled = (t: number) => ({ p: t < pullS ? twoStageW(t, 200, 3600, 1500, 8) : 0.2, v: 230 })
    const run = (patch: Partial<ShedConfig>, opts: any) => {
        const sup = board(patch)
        sup.start(1, "o", { kind: "full", value: 0 }, opts, 0)
        drive(sup, pulled, 0, pullS + 3600, [false])
        return lastEnded(sup, 1, [])!
    }
    assert.equal(run({}, {}).reason, "full", "auto: a step from under a quarter of the plateau")
    const la = run({ defaultProfile: 2, topOffLeadAcidMin: 30 }, {})
    assert.equal(la.reason, "unplugged")
    assert.equal(run({ defaultProfile: 2 }, { profile: "auto" }).reason, "full", "the order's own profile wins")
    // the record keeps the profile resolved at start: resumed after a power cut on a board
    // whose default changed meanwhile, the session is still a lead-acid one
    const cut = board({ defaultProfile: 2 })
    cut.start(1, "p", { kind: "full", value: 0 }, {}, 0)
    drive(cut, pulled, 0, 600, [false])
    const rec = cut.sockets[0].persisted(600000)!
    assert.equal(rec.profile, "lead_acid")
    const after = board()
    after.sockets[0].resume(JSON.parse(JSON.stringify(rec)), 600000, null)
    assert.equal(after.sockets[0].profile, "lead_acid")
    // the board's lead-acid default takes the lead-acid top-off too
    const sup = board({ defaultProfile: 2, topOffLeadAcidMin: 30, topOffMin: 5 })
    sup.start(1, "t", { kind: "full", value: 0 }, {}, 0)
    const threeStage = (t: number) => {
        const p = 250 * Math.exp(-(t - 3600) / 1500)
        return { p: t < 3600 ? 200 : p > 35 ? p : 7.5, v: 230 }
    }
    drive(sup, threeStage, 0, 5 * 3600, [false])
    const topped = lastEnded(sup, 1, [])!
    assert.equal(topped.reason, "full")
    assert.ok(Math.abs(topped.topOffS - 30 * 60) <= 1, `top-off ${topped.topOffS}`)
    for (const v of [3, -1, 1.5]) {
        const bad = applyConfigPatch(defaultConfig(), { defaultProfile: v })
        assert.equal(bad.ok, false, String(v))
        assert.equal(bad.key, "defaultProfile")
    }
})
