// The charging core inside the DeviceScript VM: the same scenarios as test/node/session.test.ts.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { lithiumW, lithiumFullS, runSocket, twoStageW, twoStageFullS } from "../shared/scenarios"
import { Supervisor } from "../../src/core/supervisor"
import { defaultConfig } from "../../src/core/config"
import { persistedError } from "../../src/core/persisted"

async function pause() {
    await ds.sleep(0)
}

describe("charging core in the VM", () => {
    test("a lithium charge ends as full after the charger terminates", async () => {
        const r = await runSocket(t => lithiumW(t, 200, 3600, 1200, 0.08, 0.7), 4 * 3600, 1, null, false, pause)
        const full = lithiumFullS(200, 3600, 1200, 0.08)
        expect(r.reason).toBe("full")
        expect(r.stopS >= full).toBe(true)
        expect(r.stopS - full <= 300).toBe(true)
    })
    test("a step to zero mid-plateau is unplugged", async () => {
        const r = await runSocket(t => (t < 1800 ? lithiumW(t, 200, 3600, 1200, 0.08, 0.7) : 0.2), 3600, 1, null, false, pause)
        expect(r.reason).toBe("unplugged")
        expect(r.stopS >= 1800).toBe(true)
    })
    test("a last step from a quarter of the plateau to standby is full; to nothing, unplugged", async () => {
        const full = lithiumFullS(200, 3600, 1200, 0.27)
        const r = await runSocket(t => lithiumW(t, 200, 3600, 1200, 0.27, 4), 4 * 3600, 1, null, false, pause)
        expect(r.reason).toBe("full")
        expect(r.stopS >= full && r.stopS - full <= 300).toBe(true)
        const pulled = await runSocket(t => (t < full ? lithiumW(t, 200, 3600, 1200, 0.27, 4) : 0.2), 4 * 3600, 1, null, false, pause)
        expect(pulled.reason).toBe("unplugged")
    })
    test("a charger switching itself off to nothing is full while the meter reads its filter's current; pulled out, or no current read, unplugged", async () => {
        const full = lithiumFullS(200, 3600, 1200, 0.27)
        const off = (t: number) => lithiumW(t, 200, 3600, 1200, 0.27, 0.05)
        // 20 mA of an X capacitor, beside the charging current (the VM has no Math.hypot)
        const plugged = (t: number) => Math.sqrt((off(t) / 230) * (off(t) / 230) + 0.0004)
        const r = await runSocket(off, 4 * 3600, 1, null, false, pause, undefined, plugged)
        expect(r.reason).toBe("full")
        expect(r.stopS >= full && r.stopS - full <= 300).toBe(true)
        const pulled = await runSocket(
            t => (t < full ? off(t) : 0.2),
            4 * 3600,
            1,
            null,
            false,
            pause,
            undefined,
            t => (t < full ? plugged(t) : 0.001)
        )
        expect(pulled.reason).toBe("unplugged")
        const none = await runSocket(off, 4 * 3600, 1, null, false, pause, undefined, t => NaN)
        expect(none.reason).toBe("unplugged")
    })
    test("pulled late in its taper: unplugged when the meter read its filter before it started; full when it read none then", async () => {
        const off = (t: number) => lithiumW(t, 200, 3600, 1200, 0.08, 0.05)
        const pullS = Math.round(3600 + 1200 * Math.log(1 / 0.09))
        const pulled = (t: number) => (t < pullS ? off(t) : 0.2)
        const amps = (t: number) => (t < pullS + 1 ? Math.sqrt((off(t) / 230) * (off(t) / 230) + 0.0004) : 0.001)
        const seen = await runSocket(pulled, 4 * 3600, 1, null, false, pause, undefined, amps)
        expect(seen.reason).toBe("unplugged")
        expect(seen.stopS >= pullS).toBe(true)
        const unseen = await runSocket(pulled, 4 * 3600, 1, null, false, pause, undefined, t => (t < 3 ? NaN : amps(t)))
        expect(unseen.reason).toBe("full")
    })
    test("a lead-acid order's taper pulled where it draws 12 W is unplugged; an auto order's is full", async () => {
        // where the taper draws 12 W (8 W float + 172 W excess decaying over 1200 s)
        const pullS = Math.ceil(7200 + 1200 * Math.log(172 / 4))
        const pulled = (t: number) => (t < pullS ? twoStageW(t, 180, 7200, 1200, 8) : 0.2)
        const la = await runSocket(pulled, pullS + 900, 2, null, false, pause, "lead_acid")
        expect(la.reason).toBe("unplugged")
        expect(la.stopS >= pullS).toBe(true)
        const auto = await runSocket(pulled, pullS + 900, 2, null, false, pause)
        expect(auto.reason).toBe("full")
    })
    test("a two-stage lead-acid taper flattening onto float is full once flat, not before", async () => {
        const full = twoStageFullS(180, 7200, 1200, 8)
        const r = await runSocket(t => twoStageW(t, 180, 7200, 1200, 8), 6 * 3600, 2, null, false, pause)
        expect(r.reason).toBe("full")
        expect(r.stopS >= full && r.stopS - full <= 1800).toBe(true)
    })
    test("a battery already full on a two-stage charger (flat float after a short top-up) is full, not before", async () => {
        // a noiseless flat draw: the fit's time constant from its history is infinite, the
        // slowest taper (2 h) judges it
        const full = twoStageFullS(100, 3, 450, 6)
        const r = await runSocket(t => twoStageW(t, 100, 3, 450, 6), 3 * 3600, 2, null, false, pause)
        expect(r.reason).toBe("full")
        expect(r.stopS >= full && r.stopS - full <= 2700).toBe(true)
    })
    test("a short circuit is cut on the first reading", async () => {
        const r = await runSocket(t => (t < 100 ? 200 : 5000), 200, 1, null, false, pause)
        expect(r.reason).toBe("short")
        expect(r.stopS).toBe(100)
        expect(r.faulted).toBe(true)
    })
    test("a charger that never draws is no load", async () => {
        const r = await runSocket(t => 2, 900, 1, null, false, pause)
        expect(r.reason).toBe("no_load")
    })
    test("a welded relay is a fault", async () => {
        const r = await runSocket(t => (t < 100 ? 200 : 5000), 200, 1, null, true, pause)
        expect(r.faulted).toBe(true)
    })
    test("a persisted record read back from flash resumes when whole, and ends at once as a fault when not", () => {
        const whole = '{"order":"o1","limit":{"kind":"minutes","value":60},"elapsedS":60,"energyWh":4.2,"peakW":250,"refW":250,"drew":true,"powerCapW":0,"topOffMin":0,"profile":"auto","fullAtS":-1}'
        expect(persistedError(JSON.parse(whole))).toBe("")
        const a = new Supervisor(defaultConfig())
        a.socket(1).resume(JSON.parse(whole), 0)
        expect(a.socket(1).state).toBe("charging")
        const bad = JSON.parse(whole)
        bad.elapsedS = "sixty"
        expect(persistedError(bad)).toBe("elapsedS must be a number")
        const b = new Supervisor(defaultConfig())
        b.socket(1).resume(bad, 0)
        expect(b.socket(1).state).toBe("ended")
        const ended = b.takeEvents().filter(e => e.kind === "ended")
        expect(ended.length).toBe(1)
        expect(ended[0].record.reason).toBe("fault")
        expect(ended[0].record.energyWh).toBe(4.2)
    })
    test("lockouts read back from flash (one number for ten sockets) lock the same sockets; a checkpoint ahead of the record is resumed from", () => {
        const a = new Supervisor(defaultConfig())
        a.socket(1).trip(0, "short", "t")
        a.socket(10).trip(0, "welded_relay", "t")
        a.socket(10).restoreLock(1)
        a.socket(5).restoreLock(1)
        const k = JSON.parse(JSON.stringify(a.locks()))
        expect(k).toBe(7000010002)
        const b = new Supervisor(defaultConfig())
        expect(b.restoreLocks(k)).toBe(true)
        expect(b.socket(1).fault).toBe("short")
        expect(b.socket(10).fault).toBe("welded_relay")
        expect(b.socket(10).suspect()).toBe(true)
        expect(b.socket(5).refusal().error).toBe("socket_suspect")
        expect(b.socket(2).refusal()).toBe(null)
        expect(b.start(1, "o", { kind: "full", value: 0 }, {}, 0).error).toBe("socket_faulted")
        expect(b.locks()).toBe(k)
        const c = new Supervisor(defaultConfig())
        expect(c.restoreLocks("7")).toBe(false)
        expect(c.socket(3).refusal().error).toBe("socket_suspect")
        const whole = '{"order":"o1","limit":{"kind":"minutes","value":60},"elapsedS":60,"energyWh":4.2,"peakW":250,"refW":250,"drew":true,"powerCapW":0,"topOffMin":0,"profile":"auto","fullAtS":-1}'
        const d = new Supervisor(defaultConfig())
        d.socket(2).resume(JSON.parse(whole), 0, JSON.parse("[1200,80.5,-1]"))
        expect(d.socket(2).durationS()).toBe(1200)
        expect(d.socket(2).energy()).toBe(80.5)
        expect(d.socket(2).checkpointDue(59000)).toBe(false)
        expect(d.socket(2).checkpointDue(60000)).toBe(true)
        // the mains gone: due at once; an idle socket never
        expect(d.socket(2).checkpointDue(1000, true)).toBe(true)
        expect(d.socket(3).checkpointDue(1000, true)).toBe(false)
    })
})
