// What the operator reads of a large fleet (GET /api/summary, `fleet watch`): per release
// version and per stage of the latest rollout, how many boards run it, are updating to it, failed
// on it, were rolled back from it, and how many have gone silent. Pure: records and time in.
import { bucket, judge, MAX_CRASHES } from "./rollout"
import type { BoardRecord, Rollout } from "./types"

/** a board's program is heard at least this often (ms): boot events, telemetry (SILENT_MS in the server) */
export const SILENT_MS = 180000

export interface VersionCount {
    version: string
    /** boards whose last boot reported it */
    running: number
    /** assigned it, not yet running it healthy (deploy asked, under way, or waiting for its report) */
    updating: number
    /** assigned it and crashed on it, or their deploys of it keep failing */
    failed: number
    /** sent back from it by a rollback */
    rolledBack: number
    /** running it and silent longer than their window */
    silent: number
}

export interface StageCount {
    stage: "canary" | "percent" | "all"
    boards: number
    /** the rollout has reached the stage */
    reached: boolean
    /** pending: not yet given the version; updating: deploy under way or waiting for its report */
    pending: number
    updating: number
    healthy: number
    failed: number
    rolledBack: number
    silent: number
}

export interface FleetSummary {
    at: number
    boards: number
    /** boards silent longer than their window */
    silent: number
    versions: VersionCount[]
    rollout: { id: string; version: string; stage: string; reason?: string; stages: StageCount[] } | null
}

/**
 * A board is silent once it has not been heard for SILENT_MS, and not within an update window it
 * granted (a board in its window is quiet on MQTT on purpose): its window is the longer of the two.
 */
export function isSilent(b: BoardRecord, now: number, silentMs = SILENT_MS): boolean {
    if (b.lastSeen === undefined) return false
    return now > Math.max(b.lastSeen + silentMs, b.windowUntil ?? 0)
}

/** the first stage of `r` that covers the board */
export function stageOf(id: string, r: Rollout): StageCount["stage"] {
    if (r.canary.includes(id)) return "canary"
    if (r.percent > 0 && r.percent < 100 && bucket(id, r.id) < r.percent) return "percent"
    return "all"
}

const ORDER: StageCount["stage"][] = ["canary", "percent", "all"]

export function summarize(boards: BoardRecord[], rollouts: Rollout[], now: number, silentMs = SILENT_MS): FleetSummary {
    const versions = new Map<string, VersionCount>()
    const v = (name: string) => {
        let c = versions.get(name)
        if (!c) versions.set(name, (c = { version: name, running: 0, updating: 0, failed: 0, rolledBack: 0, silent: 0 }))
        return c
    }
    let silent = 0
    for (const b of boards) {
        const quiet = isSilent(b, now, silentMs)
        if (quiet) silent++
        if (b.version) {
            v(b.version).running++
            if (quiet) v(b.version).silent++
        }
        if (b.rolledBackFrom) v(b.rolledBackFrom).rolledBack++
        if (!b.assigned) continue
        const crashed = (b.crashes ?? 0) >= MAX_CRASHES && b.deployedAt !== undefined
        if (crashed || (b.fails ?? 0) > 0) v(b.assigned).failed++
        else if (b.version !== b.assigned || (b.deployedAt !== undefined && b.healthyAt === undefined)) v(b.assigned).updating++
    }
    const latest = [...rollouts].sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1))[0]
    let rollout: FleetSummary["rollout"] = null
    if (latest) {
        const at = latest.stage === "done" ? 3 : ORDER.indexOf(latest.stage as StageCount["stage"])
        const stages = new Map<string, StageCount>()
        for (const st of ORDER) {
            const i = ORDER.indexOf(st)
            // a rolled back or paused rollout does not record the stage it left: a stage with a board given the version was reached
            stages.set(st, { stage: st, boards: 0, reached: at >= i, pending: 0, updating: 0, healthy: 0, failed: 0, rolledBack: 0, silent: 0 })
        }
        for (const b of boards) {
            const s = stages.get(stageOf(b.id, latest))!
            s.boards++
            if (isSilent(b, now, silentMs)) s.silent++
            if (b.rolledBackFrom === latest.version && b.assigned !== latest.version) {
                s.rolledBack++
                s.reached = true
                continue
            }
            const h = judge(b, latest, now)
            if (h === "pending" && b.assigned === latest.version && (b.deployedAt === undefined || b.deployedAt >= latest.startedAt)) s.updating++
            else if (h === "pending") s.pending++
            else if (h === "deploying") s.updating++
            else if (h === "healthy") s.healthy++
            else s.failed++
            if (h !== "pending") s.reached = true
        }
        rollout = { id: latest.id, version: latest.version, stage: latest.stage, reason: latest.reason, stages: [...stages.values()].filter(s => s.boards > 0 || s.stage !== "percent") }
    }
    const order = [...versions.values()].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0))
    return { at: now, boards: boards.length, silent, versions: order, rollout }
}

/** GET /api/summary as the operator reads it: per version, then per stage of the latest rollout */
export function summaryText(s: FleetSummary): string {
    const out: string[] = [`${new Date(s.at).toISOString()} ${s.boards} boards, ${s.silent} silent past their window`]
    const rows = [["version", "on it", "updating", "failed", "rolled back", "silent"]]
    for (const v of s.versions) rows.push([v.version, String(v.running), String(v.updating), String(v.failed), String(v.rolledBack), String(v.silent)])
    const r = s.rollout
    if (r) {
        rows.push(["", "", "", "", "", ""])
        rows.push([`rollout ${r.id} ${r.version}: ${r.stage}`, "", "", "", "", ""])
        rows.push(["stage", "boards", "on it", "updating", "failed", "rolled back", "pending", "silent"] as any)
        for (const st of r.stages)
            rows.push([
                `${st.stage}${st.reached ? "" : " (not reached)"}`,
                String(st.boards),
                String(st.healthy),
                String(st.updating),
                String(st.failed),
                String(st.rolledBack),
                String(st.pending),
                String(st.silent),
            ])
    }
    const n = Math.max(...rows.map(x => x.length))
    const full = rows.map(x => [...x, ...Array(n - x.length).fill("")])
    const w = full[0].map((_, i) => Math.max(...full.map(x => x[i].length)))
    for (const x of full)
        out.push(
            x
                .map((c, i) => c.padEnd(w[i]))
                .join("  ")
                .trimEnd()
        )
    if (r?.reason) out.push(`  ${r.reason}`)
    return out.join("\n")
}
