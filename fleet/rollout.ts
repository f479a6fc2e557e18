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

const ORDER: RolloutStage[] = ["canary", "percent", "all"]

/**
 * The stages a rollout goes through, in order: canary when it names canaries, percent when it
 * is a share (0 and 100 have no stage of their own), then all.
 */
export function stagesOf(r: Pick<Rollout, "canary" | "percent">): RolloutStage[] {
    const out: RolloutStage[] = []
    if (r.canary.length) out.push("canary")
    if (r.percent > 0 && r.percent < 100) out.push("percent")
    out.push("all")
    return out
}

/** The stage a rollout starts (or resumes) at. */
export function firstStage(r: Pick<Rollout, "canary" | "percent">): RolloutStage {
    return stagesOf(r)[0]
}

/** The rollout's next stage after its current one, done after all. */
function nextStage(r: Rollout): RolloutStage {
    const at = ORDER.indexOf(r.stage)
    return stagesOf(r).find(s => ORDER.indexOf(s) > at) ?? "done"
}

/**
 * Why a rollout must not start on these boards, or null: a stage of it that holds no board
 * would pass at once without a board having run the version (with no board at all, every
 * stage would, and the rollout would end "done" having deployed nothing).
 */
export function emptyStage(r: Rollout, boardIds: string[]): string | null {
    if (!boardIds.length)
        return "no board in scope: the server has no boards, so every stage would pass without deploying anything; provision a board first (npm start -- --fleet <server> for the simulated shed)"
    for (const stage of stagesOf(r)) {
        if (stageTargets(stage, r, boardIds).length) continue
        if (stage === "canary") return `the canary stage holds no board: none of ${r.canary.join(", ")} is registered`
        if (stage === "percent")
            return `the percent stage holds no board: ${r.percent} % of ${boardIds.length} board${boardIds.length > 1 ? "s" : ""} picks none and there are no canaries; name canaries (--canary <id>), or give every board the release in one stage (--percent 100)`
        return `the ${stage} stage holds no board`
    }
    return null
}

/**
 * One tick of a rollout. A failed target rolls it back: every board assigned the version goes
 * back to its own previous release, or the rollout's. Otherwise targets without the version (or
 * with a deploy of it from before the rollout) get it, and once every target has been healthy
 * for soakS the next stage begins, its boards assigned in the same tick. A stage the rollout
 * does not have (canary without canaries, percent at 0 or 100) is skipped; a stage it has that
 * holds no board never passes: the rollout is paused, with the reason (the server refuses such a
 * rollout at the start: emptyStage). A board that never gets its deploy (offline) holds the
 * stage until an operator pauses. Done, rolled back and paused rollouts do nothing.
 */
export function step(r: Rollout, boards: BoardRecord[], now: number): StepResult {
    let cur: Rollout = { ...r, canary: [...r.canary] }
    const log: string[] = []
    if (!RUNNING.includes(r.stage)) return { rollout: cur, assign: [], log }
    const byId = new Map(boards.map(b => [b.id, b]))
    const ids = [...byId.keys()]
    // each pass moves forward a stage, so this ends after at most three
    for (;;) {
        if (!stagesOf(cur).includes(cur.stage)) {
            cur = { ...cur, stage: nextStage(cur), stageAt: now }
            continue
        }
        const tg = targets(cur, ids).map(id => byId.get(id)!)
        if (!tg.length) {
            const reason = `the ${cur.stage} stage holds no board: nothing would run ${r.version} before it passed`
            log.push(`rollout ${r.id}: paused: ${reason}`)
            return { rollout: { ...cur, stage: "paused", stageAt: now, reason }, assign: [], log }
        }
        const failed = tg.filter(b => judge(b, cur, now) === "failed")
        if (failed.length) return rollBack(cur, boards, failed.map(b => why(b, r)).join("; "), now, log)
        const assign = tg.filter(b => needs(b, r)).map(b => ({ id: b.id, version: r.version, previous: back(b, r) }))
        if (assign.length) {
            for (const a of assign) log.push(`rollout ${r.id}: ${a.id} gets ${a.version} (${a.previous ? "back to " + a.previous : "nothing to roll back to"} on failure)`)
            return { rollout: cur, assign, log }
        }
        const soaked = tg.every(b => judge(b, cur, now) === "healthy" && now - healthySince(b)! >= cur.soakS * 1000)
        if (!soaked) return { rollout: cur, assign: [], log }
        const next = nextStage(cur)
        log.push(`rollout ${r.id}: ${cur.stage} stage passed (${tg.length} boards healthy for ${cur.soakS} s), now ${next}`)
        if (next === "done") log.push(`rollout ${r.id}: ${r.version} done`)
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

/**
 * The release a board goes back to from the rollout's version: the one it ran before (its own
 * assignment, or its previous release), else the rollout's. Never the version itself: undefined
 * when there is nothing to go back to.
 */
function back(b: BoardRecord, r: Rollout): string | undefined {
    if (b.assigned !== undefined && b.assigned !== r.version) return b.assigned
    if (b.previous !== undefined && b.previous !== r.version) return b.previous
    return r.previous !== undefined && r.previous !== r.version ? r.previous : undefined
}

function rollBack(r: Rollout, boards: BoardRecord[], reason: string, now: number, log: string[]): StepResult {
    const assign: Assignment[] = []
    for (const b of boards) {
        if (b.assigned !== r.version) continue
        const to = back(b, r)
        if (to === undefined) {
            log.push(`rollout ${r.id}: ${b.id} has nothing to roll back to (no release before ${r.version}): it stays on ${r.version}`)
            continue
        }
        assign.push({ id: b.id, version: to })
    }
    log.push(`rollout ${r.id}: rolled back at the ${r.stage} stage: ${reason}`)
    for (const a of assign) log.push(`rollout ${r.id}: ${a.id} goes back to ${a.version}`)
    return { rollout: { ...r, stage: "rolled_back", stageAt: now, reason }, assign, log }
}

/**
 * The operator rolls a rollout back (under way, paused or done): every board assigned its
 * version goes back to the release it ran before. Throws, changing nothing, when the rollout is
 * rolled back already, no board has the version, or none has a release to go back to.
 */
export function rollBackNow(r: Rollout, boards: BoardRecord[], now: number): StepResult {
    if (r.stage === "rolled_back") throw new Error(`rollout ${r.id} of ${r.version} is rolled back already${r.reason ? ": " + r.reason : ""}`)
    const on = boards.filter(b => b.assigned === r.version)
    if (!on.length) throw new Error(`no board is assigned ${r.version}: nothing to roll back`)
    if (on.every(b => back(b, r) === undefined))
        throw new Error(`nothing to roll back to: ${on.map(b => b.id).join(", ")} had no release before ${r.version} (it is the first the server gave them); roll out another release instead`)
    return rollBack(r, boards, "rolled back by the operator", now, [])
}

/** The most common of these, or undefined. */
function mostCommon(xs: string[]): string | undefined {
    const n = new Map<string, number>()
    for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1)
    return [...n.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]
}

/**
 * A new rollout's rollback target: the release most boards run or are assigned, among the
 * releases the server has (a dev build's version is none), never the version rolled out;
 * undefined when there is none (the first release). A requested one must be such a release:
 * throws otherwise.
 */
export function rollbackTarget(version: string, boards: BoardRecord[], releases: string[], requested?: unknown): string | undefined {
    if (requested !== undefined) {
        if (typeof requested !== "string") throw new Error("previous: a release version")
        if (requested === version) throw new Error(`previous: ${version} is the version this rollout gives the boards; a rollback must go to another release`)
        if (!releases.includes(requested)) throw new Error(`previous: the server has no release ${requested} to roll back to`)
        return requested
    }
    return mostCommon(boards.map(b => b.assigned ?? b.version).filter((v): v is string => v !== undefined && v !== version && releases.includes(v)))
}
