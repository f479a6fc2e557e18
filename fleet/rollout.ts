// Staged rollouts as pure functions of a rollout, the boards and the time (no timers, no IO): which
// boards a stage covers, how each board is doing, and what happens next. The server calls step()
// on every tick, applies its assignments and stores the rollout, so a restarted server carries
// on from the records alone.
import { createHash } from "node:crypto"
import type { BoardRecord, Rollout, RolloutStage } from "./types"

export type Health = "pending" | "deploying" | "healthy" | "failed"

export interface Assignment {
    id: string
    version: string
    /** what the board's `previous` becomes; none on a rollback (there is nothing to go back to from there) */
    previous?: string
}

export interface StepResult {
    rollout: Rollout
    assign: Assignment[]
    log: string[]
}

/** crash reports or unexpected restarts after a deploy that fail the release */
export const MAX_CRASHES = 2

/** the stages that deploy, in order; done comes after all */
const RUNNING: RolloutStage[] = ["canary", "percent", "all"]

/**
 * 0..99, the same for a board within one rollout. The rollout id is in the hash so each rollout's
 * percent stage picks other boards: the same few boards are not always first.
 */
export function bucket(boardId: string, rolloutId: string): number {
    const h = createHash("sha256")
        .update(JSON.stringify([rolloutId, boardId]))
        .digest()
    // 2^32 is not a multiple of 100, but the skew (under 1e-7) is far below anything a fleet notices
    return h.readUInt32BE(0) % 100
}

function stageTargets(stage: RolloutStage, r: Rollout, ids: string[]): string[] {
    const all = [...new Set(ids)]
    const exists = new Set(all)
    const canary = [...new Set(r.canary.filter(id => exists.has(id)))]
    if (stage === "canary") return canary
    if (stage === "percent") {
        const c = new Set(canary)
        return [...canary, ...all.filter(id => !c.has(id) && bucket(id, r.id) < r.percent)]
    }
    return all
}

/**
 * The boards the rollout covers at its stage, canaries first. Each stage's set contains the one
 * before (for the same boards), so a board once given the version stays covered. A rolled back or
 * paused rollout does not record the stage it left, so it covers every board: a superset of
 * whatever it reached, to keep track of all of them.
 */
export function targets(r: Rollout, boardIds: string[]): string[] {
    const stage = r.stage === "rolled_back" || r.stage === "paused" ? "all" : r.stage
    return stageTargets(stage, r, boardIds)
}

/** healthyAt from before the current deploy (the server clears it, but a stale one must not count) */
function healthySince(b: BoardRecord): number | undefined {
    return b.healthyAt !== undefined && b.deployedAt !== undefined && b.healthyAt >= b.deployedAt ? b.healthyAt : undefined
}

/**
 * How a board is doing with the rollout's version. Not yet deployed since the rollout started
 * (or assigned another version) is pending, whatever it crashed before: those crashes were
 * another program's. Deployed, it fails on MAX_CRASHES crashes, or when it has not reported the
 * version within reportS.
 */
export function judge(b: BoardRecord, r: Rollout, now: number): Health {
    if (b.assigned !== r.version || b.deployedAt === undefined || b.deployedAt < r.startedAt) return "pending"
    if ((b.crashes ?? 0) >= MAX_CRASHES) return "failed"
    if (healthySince(b) !== undefined) return "healthy"
    return now - b.deployedAt > r.reportS * 1000 ? "failed" : "deploying"
}

function why(b: BoardRecord, r: Rollout): string {
    if ((b.crashes ?? 0) >= MAX_CRASHES) return `${b.id} crashed ${b.crashes} times on ${r.version}`
    return `${b.id} did not report ${r.version} within ${r.reportS} s of its deploy`
}

/** canary, then percent if it is a share (0 and 100 have no stage of their own), then all, then done */
function nextStage(r: Rollout): RolloutStage {
    if (r.stage === "canary") return r.percent > 0 && r.percent < 100 ? "percent" : "all"
    if (r.stage === "percent") return "all"
    return "done"
}

/**
 * One tick of a rollout. A failed target rolls it back: every board assigned the version goes
 * back to its own previous release, or the rollout's. Otherwise targets without the version (or
 * with a deploy of it from before the rollout) get it, and once every target has been healthy for soakS the next stage begins; a stage with no
 * targets (no canaries, a share that picks no board) passes at once, and the next stage's boards
 * are assigned in the same tick. A board that never gets its deploy (offline) holds the stage
 * until an operator pauses. Done, rolled back and paused rollouts do nothing.
 */
export function step(r: Rollout, boards: BoardRecord[], now: number): StepResult {
    let cur: Rollout = { ...r, canary: [...r.canary] }
    const log: string[] = []
    if (!RUNNING.includes(r.stage)) return { rollout: cur, assign: [], log }
    const byId = new Map(boards.map(b => [b.id, b]))
    const ids = [...byId.keys()]
    // each pass moves forward a stage, so this ends after at most three
    for (;;) {
        const tg = targets(cur, ids).map(id => byId.get(id)!)
        const failed = tg.filter(b => judge(b, cur, now) === "failed")
        if (failed.length) return rollBack(cur, boards, failed, now, log)
        const assign = tg.filter(b => needs(b, r)).map(b => ({ id: b.id, version: r.version, previous: back(b, r) }))
        if (assign.length) {
            for (const a of assign) log.push(`rollout ${r.id}: ${a.id} gets ${a.version} (back to ${a.previous} on failure)`)
            return { rollout: cur, assign, log }
        }
        const soaked = tg.every(b => judge(b, cur, now) === "healthy" && now - healthySince(b)! >= cur.soakS * 1000)
        if (!soaked) return { rollout: cur, assign: [], log }
        const next = nextStage(cur)
        log.push(`rollout ${r.id}: ${cur.stage} stage passed (${tg.length} boards healthy for ${cur.soakS} s), now ${next}`)
        cur = { ...cur, stage: next, stageAt: now }
        if (next === "done") return { rollout: cur, assign: [], log }
    }
}

/**
 * A target without the version gets it. So does one assigned it with a deploy from before the
 * rollout started (an earlier rollout of it, a board registered with it): assigning it again
 * makes the server clear that deploy's record and crash count, else the board would stay
 * pending and hold the stage forever.
 */
function needs(b: BoardRecord, r: Rollout): boolean {
    return b.assigned !== r.version || (b.deployedAt !== undefined && b.deployedAt < r.startedAt)
}

/** The release a board goes back to if this one fails: a board's own previous release is what it ran; the rollout's is a guess for boards without one. */
function back(b: BoardRecord, r: Rollout): string {
    if (b.assigned !== undefined && b.assigned !== r.version) return b.assigned
    return b.previous !== undefined && b.previous !== r.version ? b.previous : r.previous
}

function rollBack(r: Rollout, boards: BoardRecord[], failed: BoardRecord[], now: number, log: string[]): StepResult {
    const reason = failed.map(b => why(b, r)).join("; ")
    const assign: Assignment[] = []
    for (const b of boards) {
        if (b.assigned !== r.version) continue
        const to = back(b, r)
        if (to === r.version) {
            log.push(`rollout ${r.id}: ${b.id} has no other release to go back to, it stays on ${r.version}`)
            continue
        }
        assign.push({ id: b.id, version: to })
    }
    log.push(`rollout ${r.id}: rolled back at the ${r.stage} stage: ${reason}`)
    for (const a of assign) log.push(`rollout ${r.id}: ${a.id} goes back to ${a.version}`)
    return { rollout: { ...r, stage: "rolled_back", stageAt: now, reason }, assign, log }
}
