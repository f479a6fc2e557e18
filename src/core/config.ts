// Board configuration: every threshold the core uses, typed, with defaults and bounds.
// A patch is validated as a whole: one bad value refuses the whole patch and the old
// configuration stays (a half-applied config could leave protections inconsistent).

import { fnv1a32 } from "./mathx"

export interface ShedConfig {
    /** number of sockets on the board */
    sockets: number
    /** overload limit per socket (W): sustained draw above it is cut */
    socketLimitW: number
    /** hard limit (W): a single reading above it is a short circuit, cut at once */
    shortW: number
    /** how long a draw over the socket limit may last before it is cut (s) */
    overloadHoldS: number
    /** after the relay closes, over-limit readings up to shortW are inrush, not overload (s) */
    inrushS: number
    /** board total power cap (W) */
    boardCapW: number
    /** minimum time between two relay closings on the board (s): staggered starts */
    staggerS: number
    /** hard maximum session duration (min), whatever was paid for */
    maxDurationMin: number
    /** a session that never draws more than this (W) is "no load" */
    noLoadW: number
    /** how long a session may wait for the charger to draw before "no load" (s) */
    noLoadS: number
    /** full: the draw must fall to this fraction of the session's own plateau... */
    fullFraction: number
    /** ...or to this absolute level (W), whichever is higher */
    idleFloorW: number
    /** full: after the charger stepped down, the low draw must stop falling for this long (s) */
    fullConfirmS: number
    /** full without a step (taper flattening onto float): the slope is judged over half this long (s), in windows of a sixth */
    flatConfirmS: number
    /** a fall counts as still tapering when the level drops by this fraction */
    taperStepFraction: number
    /** a draw back above the low band for this long means charging resumed (s) */
    resumeS: number
    /** unplugged: a step down to under this fraction of the level before the step... */
    unplugFraction: number
    /** ...held this long (s) */
    unplugHoldS: number
    /** a step from above this fraction of the plateau is an unplug, below it a charger terminating */
    terminateFraction: number
    /** mains below this (V) is a brownout: end-of-charge judgements wait */
    brownoutV: number
    /** and keep waiting this long after mains is back (s): chargers soft-start again */
    brownoutGraceS: number
    /** a relay-off socket drawing more than this (W) has a welded relay */
    weldW: number
    /** ...for this long (s): the meter's window may still see the last draw after opening */
    weldHoldS: number
    /** refuse to close another relay while the board draws more than this (W) */
    boardStartW: number
    /** top-off time after full (min), default for orders that do not say */
    topOffMin: number
    /** the same for orders whose profile is lead_acid: their full is the switch to float (min) */
    topOffLeadAcidMin: number
    /** the charger profile of orders that do not say: 0 auto, 1 lithium, 2 lead_acid (session.ts PROFILES) */
    defaultProfile: number
    /** mains range (V): outside it, sustained, sessions pause and no new start */
    mainsMinV: number
    mainsMaxV: number
    /** out of range this long (s) before pausing: a brownout of a few seconds is no fault */
    mainsHoldS: number
    /** back in range this long (s) before sessions resume */
    mainsRecoverS: number
    /** out of range this long (min) ends the sessions with mains_voltage */
    mainsMaxOutMin: number
    /** board temperature (C): warning, no new starts, all relays off; hysteresis to leave */
    tempWarnC: number
    tempNoStartC: number
    tempCutC: number
    tempHysteresisC: number
    /** a socket whose last N starts all ended in no load under suspectW is suspect */
    suspectStarts: number
    suspectW: number
    /** readings under this (W) after calibration are 0 W: the meter's noise floor */
    meterFloorW: number
    /**
     * a draw fallen under meterFloorW whose RMS current stays at or over this (A) still has a
     * charger plugged in (its mains input filter's current): it switched itself off, no rider
     * pulled it (0: the current is not used)
     */
    pluggedA: number
    /** fraction of a neighbouring channel's power that leaks into a channel (suppressed) */
    crossTalk: number
    /** period (s) of the telemetry message of each charging socket */
    telemetryS: number
    /** hours between scheduled update windows, opened only when no socket is charging (0: none) */
    updateEveryH: number
    /** length (s) of a scheduled update window */
    updateWindowS: number
}

/**
 * The defaults, a fresh object at each call: a module-level constant would hold its ~700 B of
 * the board's heap for good, and the board keeps only its validated copy.
 */
export function defaultConfig(): ShedConfig {
    return {
        sockets: 10,
        socketLimitW: 1000,
        shortW: 3000,
        overloadHoldS: 10,
        inrushS: 2,
        boardCapW: 6000,
        staggerS: 3,
        maxDurationMin: 720,
        noLoadW: 15,
        noLoadS: 300,
        fullFraction: 0.12,
        idleFloorW: 2,
        fullConfirmS: 120,
        flatConfirmS: 1800,
        taperStepFraction: 0.02,
        resumeS: 60,
        unplugFraction: 0.3,
        unplugHoldS: 60,
        terminateFraction: 0.25,
        brownoutV: 196,
        brownoutGraceS: 60,
        weldW: 5,
        weldHoldS: 2,
        boardStartW: 5400,
        topOffMin: 0,
        topOffLeadAcidMin: 0,
        defaultProfile: 0,
        mainsMinV: 100,
        mainsMaxV: 270,
        mainsHoldS: 10,
        mainsRecoverS: 60,
        mainsMaxOutMin: 30,
        tempWarnC: 60,
        tempNoStartC: 70,
        tempCutC: 80,
        tempHysteresisC: 5,
        suspectStarts: 3,
        suspectW: 7,
        meterFloorW: 1,
        pluggedA: 0.01,
        crossTalk: 0,
        telemetryS: 60,
        updateEveryH: 24,
        updateWindowS: 120,
    }
}

export interface Bound {
    min: number
    max: number
    integer: boolean
}

/**
 * Accepted range of every key: a line "key:[min,max,integer]" for each, in one string. A string lives
 * in the program image's data; a table of objects held ~5 KB of the VM's 64 KB heap for good,
 * and a switch took 800 B of the 64 KB the runtime allows for the program's code.
 */
const BOUNDS = `
sockets:[1,16,1]
socketLimitW:[50,3680,0]
shortW:[200,10000,0]
overloadHoldS:[0,120,0]
inrushS:[0,10,0]
boardCapW:[100,30000,0]
staggerS:[0,60,0]
maxDurationMin:[1,1440,0]
noLoadW:[1,100,0]
noLoadS:[10,3600,0]
fullFraction:[0.01,0.5,0]
idleFloorW:[0,30,0]
fullConfirmS:[10,3600,0]
flatConfirmS:[10,7200,0]
taperStepFraction:[0.001,0.5,0]
resumeS:[5,3600,0]
unplugFraction:[0.01,0.9,0]
unplugHoldS:[1,600,0]
terminateFraction:[0.01,0.9,0]
brownoutV:[0,260,0]
brownoutGraceS:[0,600,0]
weldW:[0.5,100,0]
weldHoldS:[0.2,60,0]
boardStartW:[100,30000,0]
topOffMin:[0,240,0]
topOffLeadAcidMin:[0,240,0]
defaultProfile:[0,2,1]
mainsMinV:[50,240,0]
mainsMaxV:[200,300,0]
mainsHoldS:[0,600,0]
mainsRecoverS:[0,3600,0]
mainsMaxOutMin:[1,1440,0]
tempWarnC:[20,120,0]
tempNoStartC:[20,120,0]
tempCutC:[20,120,0]
tempHysteresisC:[0,30,0]
suspectStarts:[1,20,1]
suspectW:[0,50,0]
meterFloorW:[0,10,0]
pluggedA:[0,0.5,0]
crossTalk:[0,0.05,0]
telemetryS:[10,3600,1]
updateEveryH:[0,168,1]
updateWindowS:[30,3600,1]
`

/** Accepted range of a key (null: no such key). Bounds keep an operator from disabling a protection. */
export function configBound(key: string): Bound {
    // a key is letters only: anything else could match across two lines of the table
    if (typeof key !== "string" || key.length === 0) return null
    for (let i = 0; i < key.length; i++) {
        const c = key.charCodeAt(i) | 32
        if (c < 97 || c > 122) return null
    }
    const at = BOUNDS.indexOf("\n" + key + ":[")
    if (at < 0) return null
    const from = at + key.length + 2
    const r = JSON.parse(BOUNDS.slice(from, BOUNDS.indexOf("]", from) + 1))
    return { min: r[0], max: r[1], integer: r[2] === 1 }
}

export interface ConfigResult {
    ok: boolean
    config?: ShedConfig
    /** the offending key when not ok */
    key?: string
    error?: string
}

export function copyConfig(c: ShedConfig): ShedConfig {
    const out: any = {}
    const keys = Object.keys(defaultConfig())
    for (let i = 0; i < keys.length; i++) out[keys[i]] = (c as any)[keys[i]]
    return out as ShedConfig
}

function checkValue(key: string, value: any): string {
    const bound = configBound(key)
    if (!bound) return "unknown config key"
    if (typeof value !== "number" || isNaN(value) || value === Infinity || value === -Infinity) return "must be a number"
    if (bound.integer && Math.round(value) !== value) return "must be a whole number"
    if (value < bound.min || value > bound.max) return "must be between " + bound.min + " and " + bound.max
    return null
}

/** Rules that tie keys together, checked on the merged result. */
function checkRelations(c: ShedConfig): ConfigResult {
    if (c.shortW <= c.socketLimitW) return { ok: false, key: "shortW", error: "shortW must be above socketLimitW" }
    if (c.boardCapW < c.socketLimitW) return { ok: false, key: "boardCapW", error: "boardCapW must be at least socketLimitW" }
    if (c.mainsMinV >= c.mainsMaxV) return { ok: false, key: "mainsMinV", error: "mainsMinV must be below mainsMaxV" }
    if (!(c.tempWarnC <= c.tempNoStartC && c.tempNoStartC <= c.tempCutC)) return { ok: false, key: "tempNoStartC", error: "temperatures must rise: tempWarnC <= tempNoStartC <= tempCutC" }
    if (c.boardStartW > c.boardCapW) return { ok: false, key: "boardStartW", error: "boardStartW must be at most boardCapW" }
    return { ok: true, config: c }
}

/**
 * Apply a patch (an object of key -> value) to a configuration. Returns the new
 * configuration, or the first bad key with a message; the input is never modified.
 */
export function applyConfigPatch(current: ShedConfig, patch: any): ConfigResult {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return { ok: false, key: "", error: "config patch must be an object" }
    const keys = Object.keys(patch)
    const next = copyConfig(current)
    for (let i = 0; i < keys.length; i++) {
        const k = keys[i]
        const err = checkValue(k, patch[k])
        if (err) return { ok: false, key: k, error: k + ": " + err }
        ;(next as any)[k] = patch[k]
    }
    return checkRelations(next)
}

/** Validate a whole stored configuration (e.g. read back from flash). */
export function validateConfig(c: any): ConfigResult {
    return applyConfigPatch(defaultConfig(), c)
}

/**
 * The keys of `c` that differ from the defaults: what the board stores in flash (the whole
 * configuration would not fit one 232-byte setting).
 */
export function configDiff(c: ShedConfig): any {
    const out: any = {}
    const d: any = defaultConfig()
    const keys = Object.keys(d)
    for (let i = 0; i < keys.length; i++) {
        const k = keys[i]
        if (k !== "sockets" && (c as any)[k] !== d[k]) out[k] = (c as any)[k]
    }
    return out
}

/** FNV-1a, 32 bit, as 8 hex digits. */
export function fnv1a(text: string): string {
    const h = fnv1a32(text)
    let hex = ""
    for (let k = 7; k >= 0; k--) hex += "0123456789abcdef".charAt((h >>> (k * 4)) & 15)
    return hex
}

/** The boot event's config hash: FNV-1a of "key=value;" for every key in order. */
export function configHash(c: ShedConfig): string {
    const keys = Object.keys(defaultConfig())
    let text = ""
    for (let i = 0; i < keys.length; i++) text += keys[i] + "=" + (c as any)[keys[i]] + ";"
    return fnv1a(text)
}
