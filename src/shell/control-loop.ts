// The firmware shell: wires the board's relays and meters to the core supervisor and runs the
// control loop. Decisions are the core's; this file owns roles, timers and flash.
import * as ds from "@devicescript/core"
import { defaultConfig, ShedConfig, validateConfig } from "../core/config"
import { Supervisor } from "../core/supervisor"
import { PersistedSession, SocketEvent } from "../core/session"
import { applyCal, ChannelCal, checkCal, cleanReadings, IDENTITY_CAL } from "../core/metering"
import { loadJson, remove, saveJson } from "./persist"
import { countBoot, HEALTHY_MS, markHealthy, retryAfter, SAFE_HOLD_MS, SAFE_MODE_AFTER } from "./safemode"
import { coreNow, loadTimeScale, timeScale } from "./time-scale"
import { ntcCelsius } from "../core/ntc"
import { MAINS_LOST_V } from "../core/mains"
import { firmwareVersion } from "../version"
import { REPORT_READING, watchSensor } from "./sensor-watch"
import { MeterStart } from "./meters"
import { newRunClock, runClock } from "../core/run-clock"

/** A meter that has not reported for this long (ms) of the program's running time (core/run-clock.ts) is silent: its socket is cut. */
const METER_SILENT_MS = 1000
/** A temperature sensor (streaming every 1 s on the 10-socket board) silent this long (ms, running time) reads as none. */
const TEMP_SILENT_MS = 5000
const BOOT_WAIT_MS = 5000
/**
 * Readings for this long (ms) after a relay was told to open are not judged: the contacts'
 * release, the meter's averaging window and a command still on its way read as current through
 * an open relay (a false weld). A weld is still caught, this much later.
 */
const RELAY_SETTLE_MS = 1000

/** Control loop period (ms): a short circuit is cut within one period plus the bus latency. */
export const TICK_MS = 100

export interface ShedHardware {
    /** board definition id, reported on the boot event */
    name: string
    relays: ds.Relay[]
    /** the sockets' meters, in socket order (src/shell/meters.ts) */
    meters: MeterStart
    /** toggled every healthy tick for an external watchdog (null: none) */
    heartbeat: (on: boolean) => void
    /** the service button (null: none) */
    button?: ds.Button
    /** the board's NTC divider, served as a potentiometer (null: the board has no sensor) */
    temperature?: ds.Potentiometer
    /** per-channel calibration in use, filled by runShed (the cloud's calibrate command edits it) */
    cals?: ChannelCal[]
    /** run the control loop's tick now, filled by runShed (the cloud calls it on an accepted start) */
    tickNow?: () => void
}

/**
 * Where the supervisor's events go. Until the board has settled who takes them (`to`), they wait
 * in the core: a billing record taken before the cloud link is up would be lost. `to(null)`:
 * nobody takes them (an unprovisioned board).
 */
export class EventRoute {
    private settled = false
    private taker: (e: SocketEvent, now: number) => Promise<void> = null
    to(taker: (e: SocketEvent, now: number) => Promise<void>) {
        this.taker = taker
        this.settled = true
    }
    ready(): boolean {
        return this.settled
    }
    async deliver(e: SocketEvent, now: number) {
        if (this.taker) await this.taker(e, now)
    }
}

function sessionKey(socket: number): string {
    return "sess" + socket
}

export async function loadConfig(sockets: number): Promise<ShedConfig> {
    const stored = await loadJson("config")
    const r = validateConfig(stored ? stored : {})
    const cfg = r.ok ? r.config : defaultConfig()
    if (!r.ok) console.log("config in flash refused (" + r.error + "): using defaults")
    cfg.sockets = sockets
    return cfg
}

export async function runShed(hw: ShedHardware, route: EventRoute): Promise<Supervisor> {
    const n = hw.relays.length
    const boots = await countBoot(firmwareVersion())
    // relays first: off until a persisted session says otherwise
    for (let i = 0; i < n; i++) await hw.relays[i].enabled.write(false)
    await loadTimeScale()
    if (boots >= SAFE_MODE_AFTER) {
        console.log("SAFE MODE: " + boots + " restarts in a row; relays off, network left free; next try in " + SAFE_HOLD_MS / 60000 + " min")
        retryAfter(firmwareVersion(), SAFE_HOLD_MS / timeScale())
        return null
    }
    const cfg = await loadConfig(n)
    const sup = new Supervisor(cfg)
    // per-channel calibration ("cal1".."calN"), refused with a message when out of bounds
    const cals: ChannelCal[] = []
    for (let s = 1; s <= n; s++) {
        const c = await loadJson("cal" + s)
        const err = c ? checkCal(c) : null
        if (err) console.log("calibration of socket " + s + " refused: " + err)
        // copied into a literal: the parsed object's keys are strings in the heap, a literal's
        // live in the program image
        cals.push(c && !err ? { gain: c.gain, offsetW: c.offsetW } : IDENTITY_CAL)
    }
    hw.cals = cals
    const raw: number[] = []
    // the voltages the core is given: a silent meter's NaN, the last one heard else
    const volts: number[] = []
    // last reading of each meter: power (W), voltage (V) and current (A), numbers in arrays (an
    // object per socket costs ~100 B of heap, a number 8). The current is only wanted of a socket
    // that draws nothing (the core asks whether a charger is still plugged in): NaN while it
    // draws, so a current read in an earlier spell is never taken for this one's
    const latestP: number[] = []
    const latestV: number[] = []
    const latestA: number[] = []
    const relayState: boolean[] = []
    /**
     * when (ms) each relay was last told to open, -1 while closed; set with its relay still
     * closed in relayState: opened at once on a short, ahead of the core's verdict
     */
    const openAt: number[] = []
    // no decisions before every meter has reported once (role binding takes about a second),
    // or BOOT_WAIT_MS have passed: a meter still silent then keeps its socket off. When each
    // meter was last heard, on loopT's clock; NaN: never
    const seen: number[] = []
    const held: boolean[] = []
    for (let i = 0; i < n; i++) {
        latestP.push(0)
        latestV.push(NaN)
        latestA.push(NaN)
        relayState.push(false)
        openAt.push(0)
        held.push(false)
        seen.push(NaN)
        volts.push(NaN)
    }
    let reported = 0
    let armed = true
    const bootT = ds.millis()
    // the clock meter silence is judged on (ms): wall time, never the program's own stall
    let loopT = 0
    const clock = newRunClock(ds.millis())
    /** Writes the progress of every running session the core says is due (all of them once the mains is lost); how many. */
    const checkpoints = async (now: number, mainsLost: boolean) => {
        let k = 0
        for (let i = 0; i < n; i++) {
            const s = sup.sockets[i]
            if (s.checkpointDue(now, mainsLost)) {
                await saveJson("ck" + (i + 1), s.checkpoint(now))
                k++
            }
        }
        return k
    }
    await hw.meters({
        power: async (i, p) => {
            // a short's reading waits for the core's tick: the readings after the contacts opened
            // (nothing drawn) would otherwise reach it first and read as an unplug
            if (!held[i]) latestP[i] = p
            // a short circuit does not wait for the next tick: the contacts open on the reading
            // itself, whichever way its clamp faces; the core still judges it on its tick (it sees
            // its relay as closed)
            if (relayState[i] && openAt[i] < 0 && Math.abs(applyCal(p, cals[i])) > sup.config().shortW) {
                openAt[i] = ds.millis()
                held[i] = true
                latestP[i] = p
                await hw.relays[i].enabled.write(false)
            }
            if (seen[i] !== seen[i]) reported++
            seen[i] = loopT = runClock(clock, ds.millis())
        },
        voltage: (i, v) => {
            latestV[i] = v
            if (v >= MAINS_LOST_V) armed = true
        },
        current: (i, a) => {
            latestA[i] = a
        },
        // of a socket whose draw fell to nothing, its relay closed: a charger switched off, or pulled out
        wantsCurrent: i => relayState[i] && !(latestP[i] >= sup.config().meterFloorW),
        // the mains went: every running session's progress now, on the supply's hold-up, so a
        // power cut loses nothing (the periodic checkpoint is for a cut without this warning).
        // Once a loss: the mains read back first arms it again; and at most once a minute (a
        // flapping mains wore the flash out, sup.mainsLostDue)
        mainsLost: async () => {
            if (!armed) return
            armed = false
            if (!sup.mainsLostDue(coreNow())) return
            const t0 = ds.millis()
            const k = await checkpoints(coreNow(), true)
            console.log("mains lost: " + k + " checkpoints written in " + (ds.millis() - t0) + " ms")
        },
    })
    // board temperature: warning, no new starts, all off (src/core/thermal.ts); none without a sensor
    // (NaN: a sensor read open or shorted, or silent on the loop's running time, which the core reports;
    // judged from the loop's start: a sensor never heard since boot is no guard either)
    let tempC = NaN
    let tempSeen = 0
    if (hw.temperature)
        watchSensor(hw.temperature, 0, async (cmd, payload) => {
            if (cmd === REPORT_READING) {
                tempC = ntcCelsius(payload.getAt(0, "u16") / 65536)
                tempSeen = loopT
            }
        })
    // lockouts first, before any order can be taken: a socket locked before the restart stays
    // locked, its relay open (a corrupt setting marks every socket suspect)
    if (!sup.restoreLocks(await loadJson("locks"))) console.log("lock setting refused: every socket suspect")
    let locks = sup.locks()
    // resume persisted sessions (power cut, crash, update) from their last checkpoint
    const now0 = coreNow()
    for (let s = 1; s <= n; s++) {
        const p: PersistedSession = await loadJson(sessionKey(s))
        if (p && p.order) {
            sup.socket(s).resume(p, now0, await loadJson("ck" + s))
            console.log("socket " + s + ": resumed order " + p.order + " at " + p.elapsedS + " s " + p.energyWh + " Wh")
        }
    }
    let beat = false
    const healthySince = ds.millis()
    let healthy = false
    const tick = async () => {
        try {
            const now = coreNow()
            const real = ds.millis()
            loopT = runClock(clock, real)
            if (reported < n && real - bootT < BOOT_WAIT_MS) return
            for (let i = 0; i < n; i++) {
                raw[i] = latestP[i]
                held[i] = false
            }
            const c = sup.config()
            const watts = cleanReadings(raw, cals, c.crossTalk, c.meterFloorW)
            for (let i = 0; i < n; i++) {
                // never heard (NaN) is silent too
                const silent = !(loopT - seen[i] <= METER_SILENT_MS)
                // an open relay's settling readings: none (a socket with its relay open ignores NaN)
                const settling = !relayState[i] && real - openAt[i] < RELAY_SETTLE_MS
                if (silent || settling) watts[i] = NaN
                volts[i] = silent ? NaN : latestV[i]
                if (watts[i] > 0) latestA[i] = NaN
            }
            if (hw.temperature) sup.temperature(now, loopT - tempSeen <= TEMP_SILENT_MS ? tempC : NaN)
            const want = sup.tick(now, watts, volts, relayState, latestA)
            for (let i = 0; i < n; i++) {
                // an early opening stands until the core itself wants the relay open
                if (want[i] !== relayState[i]) {
                    relayState[i] = want[i]
                    if (!want[i] && openAt[i] < 0) openAt[i] = real
                    if (want[i]) openAt[i] = -1
                    await hw.relays[i].enabled.write(want[i])
                } else if (!want[i] && watts[i] > c.weldW) {
                    // current through a relay told to open: say it again (a command lost on the
                    // bus looks like a weld) while the core times the weld
                    await hw.relays[i].enabled.write(false)
                }
            }
            // a lockout set or cleared is written first (its relay is already open)
            const lk = sup.locks()
            if (lk !== locks) {
                locks = lk
                await saveJson("locks", lk)
            }
            const events = route.ready() ? sup.takeEvents() : []
            for (let k = 0; k < events.length; k++) {
                const e = events[k]
                const kind = e.kind
                const sk = e.socket
                if (kind === "state" || kind === "started" || kind === "ended") {
                    // the whole record supersedes the checkpoint; a checkpoint left over from an
                    // earlier session would be taken over the new one's record
                    await remove("ck" + sk)
                    const p = sup.socket(sk).persisted(now)
                    const key = sessionKey(sk)
                    if (p) await saveJson(key, p)
                    else await remove(key)
                }
                await route.deliver(e, now)
                if (kind === "ended") console.log("socket " + sk + " ended: " + e.record.reason + " " + e.record.energyWh + " Wh")
                if (kind === "fault") console.log("fault socket " + sk + ": " + e.fault + " " + e.detail)
            }
            // running sessions' progress, when the core says it is due
            await checkpoints(now, false)
            beat = !beat
            if (hw.heartbeat) hw.heartbeat(beat)
            if (!healthy && real - healthySince > HEALTHY_MS) {
                healthy = true
                await markHealthy(firmwareVersion())
            }
        } catch (err) {
            // never let a handler die silently with relays on: open them all, report
            console.log("control loop error: " + err)
            for (let i = 0; i < n; i++) {
                relayState[i] = false
                if (openAt[i] < 0) openAt[i] = ds.millis()
                await hw.relays[i].enabled.write(false)
            }
        }
    }
    // one tick at a time: a tick that waits on flash must not overlap the next one
    let ticking = false
    let again = false
    const runTick = async () => {
        if (ticking) return
        ticking = true
        // (DeviceScript has no do-while)
        again = true
        while (again) {
            again = false
            await tick()
        }
        ticking = false
    }
    setInterval(runTick, TICK_MS)
    // an accepted start closes its relay now, not a period later; landing in a tick that already
    // decided (and writes its records to flash), right after that tick
    hw.tickNow = () => {
        if (ticking) again = true
        else setTimeout(runTick, 0)
    }
    return sup
}
