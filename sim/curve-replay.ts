// Feeds a charge curve through the core exactly as the firmware sees it: one socket, a
// session started just before plug-in, one supervisor tick per reading, the relay state
// fed back. Used by `npm run replay`, the tests and the benchmark.

import { applyConfigPatch, defaultConfig, ShedConfig } from "../src/core/config"
import { Limit, PROFILES } from "../src/core/session"
import { Supervisor } from "../src/core/supervisor"
import { CurveSample } from "./csv"

export type ReplayOutcome = "full" | "unplugged" | "no_load" | "overload" | "short" | "limit" | "max_duration"

export interface ReplayResult {
    outcome: ReplayOutcome | null
    /** seconds from plug-in when the relay opened; null if it never did */
    stop_s: number | null
    energy_wh: number
    /** the session's full stop reason and the figures behind it */
    reason: string | null
    detail: string | null
}

export interface ReplayOptions {
    config?: ShedConfig
    limit?: Limit
    topOffMin?: number
    /** the order's charger profile (absent: auto) */
    profile?: string
}

/** Map the session's stop reasons onto replay's outcome vocabulary. */
export function outcomeOf(reason: string): ReplayOutcome {
    if (reason === "limit_time" || reason === "limit_energy") return "limit"
    return reason as ReplayOutcome
}

export function replayCurve(samples: CurveSample[], opts: ReplayOptions = {}): ReplayResult {
    const cfg = { ...(opts.config ?? defaultConfig()), sockets: 1 }
    const sup = new Supervisor(cfg)
    // the session starts one reading's interval before the first reading: a meter that
    // reports a mean every few minutes (a smart plug's export) gives its first one for the
    // minutes since plug-in, and the averages weigh it over them. At most 10 minutes (the
    // sparsest exports): a longer first gap is a hole in the recording
    const t0 = samples[0].t_s * 1000 - (samples.length > 1 ? Math.min(600000, Math.max(1, (samples[1].t_s - samples[0].t_s) * 1000)) : 1)
    const started = sup.start(1, "replay", opts.limit ?? { kind: "full", value: 0 }, { topOffMin: opts.topOffMin ?? cfg.topOffMin, profile: opts.profile }, t0)
    if (!started.ok) throw new Error(`session refused: ${started.error}: ${started.detail}`)
    let relay = sup.tick(t0, [0], [NaN], [false])[0]
    // the relay closes at t0, before the first reading
    relay = sup.tick(t0, [0], [NaN], [relay])[0]
    const s = sup.sockets[0]
    for (const x of samples) {
        relay = sup.tick(x.t_s * 1000, [x.power_w], [x.voltage_v], [relay], [x.current_a])[0]
        if (!relay) {
            // the one session's record, from its ended event (the session keeps only the reason)
            const r = sup.takeEvents().find(e => e.kind === "ended")!.record!
            return { outcome: outcomeOf(r.reason), stop_s: x.t_s, energy_wh: r.energyWh, reason: r.reason, detail: r.detail }
        }
    }
    return { outcome: null, stop_s: null, energy_wh: Math.round(s.energy() * 100) / 100, reason: null, detail: null }
}

/** An order's profile for replay, refused naming `what` (the option or key) unless the board takes it. */
export function replayProfile(profile: unknown, what: string): string {
    if (typeof profile !== "string" || !PROFILES.includes(profile)) throw new Error(`${what} must be auto, lithium or lead_acid, not ${JSON.stringify(profile)}`)
    return profile
}

/** A config file for replay: config keys, plus optional "limit", "topOffMin" and "profile" of the order. */
export function replayOptionsFromJson(json: any): ReplayOptions {
    if (json === null || typeof json !== "object" || Array.isArray(json)) throw new Error("config file must hold a JSON object")
    const { limit, profile, ...patch } = json
    const r = applyConfigPatch(defaultConfig(), patch)
    if (!r.ok) throw new Error(`bad config: ${r.error}`)
    const opts: ReplayOptions = { config: r.config }
    if (limit !== undefined) opts.limit = limit
    if (profile !== undefined) opts.profile = replayProfile(profile, "profile")
    if (patch.topOffMin !== undefined) opts.topOffMin = patch.topOffMin
    return opts
}
