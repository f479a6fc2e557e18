// The fleet server's state: boards, releases, rollouts and a log, in nedb files in one data
// folder, and release images as files named by their sha256. nedb appends every change to its
// file, so a server killed mid-rollout restarts where it was. The folder holds every board's
// update-channel and command keys: it is the owner's alone (0700, its files 0600).
import Datastore from "@seald-io/nedb"
import { createHash } from "node:crypto"
import { existsSync } from "node:fs"
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { BoardRecord, Manifest, Rollout } from "./types"

export interface LogEntry {
    /** ms */
    t: number
    board?: string
    rollout?: string
    msg: string
}

export const ACTIVE = ["canary", "percent", "all", "paused"]

/** A board record change a rollout step makes: the fields to set (undefined: remove). */
export interface BoardPatch {
    id: string
    patch: Partial<BoardRecord>
}

/** What one rollout step decides, for the store to apply at once. */
export interface StepOutcome<T> {
    rollout: Rollout
    patches: BoardPatch[]
    /** anything the caller wants back (its log lines) */
    out: T
}

/**
 * The registry the update server keeps its state in: the embedded store below (one process, a
 * data folder) or PostgreSQL (fleet/pg-store.ts: several server processes on one database).
 * Both keep the same records and the same rules; the ones several servers need are here too:
 * a read-modify-write of one board that no other server interleaves with (mutateBoard), a
 * deploy claim with a lease (claimDeploy, renewClaim, finishDeploy), and a rollout step taken by
 * one server at a time, its assignments and stage written together (stepRollout).
 */
export interface Registry {
    readonly kind: "embedded" | "postgres"
    close(): Promise<void>
    putBoard(b: BoardRecord): Promise<void>
    getBoard(id: string): Promise<BoardRecord | null>
    boardByDevice(deviceId: string): Promise<BoardRecord | null>
    listBoards(): Promise<BoardRecord[]>
    /** Sets the fields in `patch` (undefined removes one); the updated record or null. */
    updateBoard(id: string, patch: Partial<BoardRecord>): Promise<BoardRecord | null>
    /**
     * Reads the board, asks `f` for a patch and writes it, no other change to the board in
     * between (any server). `f` returning null changes nothing. The updated record, or null when
     * there is no such board or nothing changed.
     */
    mutateBoard(id: string, f: (b: BoardRecord) => Partial<BoardRecord> | null): Promise<BoardRecord | null>
    /**
     * Claims the board's deploy for `owner` until now + leaseMs: only if nobody holds it, the
     * owner does, or the holder's lease has run out. The board as it was before (its claimedBy
     * says whose lease was taken over), or null when another server holds it.
     */
    claimDeploy(id: string, owner: string, now: number, leaseMs: number): Promise<BoardRecord | null>
    /** Extends the owner's lease; false when the claim is no longer the owner's. */
    renewClaim(id: string, owner: string, now: number, leaseMs: number): Promise<boolean>
    /**
     * Writes the deploy's outcome (`f`'s patch of the board as it is now) and drops the claim,
     * together; nothing when the claim is no longer the owner's (then null).
     */
    finishDeploy(id: string, owner: string, f: (b: BoardRecord) => Partial<BoardRecord>): Promise<BoardRecord | null>
    /**
     * One step of the active rollout (under way, not paused), one server at a time: `f` sees the
     * rollout and the boards, its patches and the rollout are written together. Null when there is
     * no rollout under way, or another server is stepping it right now.
     */
    stepRollout<T>(f: (r: Rollout, boards: BoardRecord[]) => StepOutcome<T>): Promise<StepOutcome<T> | null>
    putRelease(m: Manifest, image: Buffer): Promise<void>
    getRelease(version: string, board: string): Promise<{ manifest: Manifest; image: Buffer } | null>
    listReleases(): Promise<Manifest[]>
    putRollout(r: Rollout): Promise<void>
    getRollout(id: string): Promise<Rollout | null>
    activeRollout(): Promise<Rollout | null>
    listRollouts(): Promise<Rollout[]>
    log(entry: LogEntry): Promise<void>
    logs(limit?: number, board?: string): Promise<LogEntry[]>
}

/** The claim rule both stores apply. */
export function claimable(b: BoardRecord, owner: string, now: number): boolean {
    return b.claimedBy === undefined || b.claimedBy === owner || (b.claimUntil ?? 0) < now
}

/** Splits a patch into nedb's $set and $unset. */
function setUnset(patch: Partial<BoardRecord>): { $set: any; $unset: any } {
    const $set: any = {}
    const $unset: any = {}
    for (const [k, v] of Object.entries(patch)) {
        if (k === "id" || k === "_id") continue
        if (v === undefined) $unset[k] = true
        else $set[k] = v
    }
    return { $set, $unset }
}

/** nedb's own _id (and the log's sequence number) are storage details, not part of the records. */
function strip<T>(doc: any): T {
    if (!doc) return null
    const { _id, seq, ...rest } = doc
    return rest as T
}

/** nedb keeps an undefined field in memory but not in its file: drop them so a record reads the same before and after a restart. */
function defined<T extends object>(o: T): T {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}

function sha256Hex(b: Buffer): string {
    return createHash("sha256").update(b).digest("hex")
}

export class FleetStore implements Registry {
    readonly kind = "embedded"
    /** the log's insertion order, for entries with the same t */
    private seq = 0
    /** read-modify-writes one after the other (one process holds the files) */
    private chain: Promise<unknown> = Promise.resolve()

    private constructor(
        readonly dir: string,
        private boards: Datastore,
        private releases: Datastore,
        private rollouts: Datastore,
        private logDb: Datastore
    ) {}

    static async open(dir: string): Promise<FleetStore> {
        await mkdir(join(dir, "images"), { recursive: true, mode: 0o700 })
        // a folder made before (or by another umask) is closed too
        await chmod(dir, 0o700)
        await chmod(join(dir, "images"), 0o700)
        const db = async (name: string) => {
            const d = new Datastore({ filename: join(dir, name) })
            await d.loadDatabaseAsync()
            // nedb rewrites the file on load (a new file, the umask's mode)
            await chmod(join(dir, name), 0o600)
            return d
        }
        const s = new FleetStore(dir, await db("boards.db"), await db("releases.db"), await db("rollouts.db"), await db("log.db"))
        await s.boards.ensureIndexAsync({ fieldName: "id", unique: true })
        // one device is one board: a second record would split its updates between two ids
        await s.boards.ensureIndexAsync({ fieldName: "deviceId", unique: true })
        await s.releases.ensureIndexAsync({ fieldName: ["version", "board"], unique: true })
        await s.rollouts.ensureIndexAsync({ fieldName: "id", unique: true })
        const last = (await s.logDb.findAsync({}).sort({ seq: -1 }).limit(1)) as any
        s.seq = last[0]?.seq ?? 0
        return s
    }

    /** Compacts each file to one line per record (nedb otherwise only appends). */
    async close() {
        for (const d of [this.boards, this.releases, this.rollouts, this.logDb]) {
            await d.compactDatafileAsync()
            await chmod((d as any).filename, 0o600)
        }
    }

    // --- boards ---

    /** Adds or replaces the board with this id. */
    async putBoard(b: BoardRecord): Promise<void> {
        const other = await this.boardByDevice(b.deviceId)
        if (other && other.id !== b.id) throw new Error(`device ${b.deviceId} is already board ${other.id}`)
        await this.boards.updateAsync({ id: b.id }, defined({ ...b }), { upsert: true })
    }

    async getBoard(id: string): Promise<BoardRecord | null> {
        return strip(await this.boards.findOneAsync({ id }))
    }

    async boardByDevice(deviceId: string): Promise<BoardRecord | null> {
        return strip(await this.boards.findOneAsync({ deviceId }))
    }

    async listBoards(): Promise<BoardRecord[]> {
        const docs = (await this.boards.findAsync({}).sort({ id: 1 })) as any[]
        return docs.map(d => strip<BoardRecord>(d))
    }

    /**
     * Sets the fields in `patch`; a field given as undefined is removed (a new deploy clears
     * deployedAt and healthyAt). Returns the updated record, or null if there is no such board.
     */
    async updateBoard(id: string, patch: Partial<BoardRecord>): Promise<BoardRecord | null> {
        if (patch.id !== undefined && patch.id !== id) throw new Error(`updateBoard ${id}: cannot change the id to ${patch.id}`)
        const r = await this.boards.updateAsync({ id }, setUnset(patch), { returnUpdatedDocs: true })
        return strip(r.affectedDocuments)
    }

    private serial<T>(fn: () => Promise<T>): Promise<T> {
        const run = this.chain.then(fn)
        this.chain = run.catch(() => {})
        return run
    }

    mutateBoard(id: string, f: (b: BoardRecord) => Partial<BoardRecord> | null): Promise<BoardRecord | null> {
        return this.serial(async () => {
            const b = await this.getBoard(id)
            const patch = b && f(b)
            return patch ? this.updateBoard(id, patch) : null
        })
    }

    claimDeploy(id: string, owner: string, now: number, leaseMs: number): Promise<BoardRecord | null> {
        return this.serial(async () => {
            const b = await this.getBoard(id)
            if (!b || !claimable(b, owner, now)) return null
            await this.updateBoard(id, { claimedBy: owner, claimUntil: now + leaseMs })
            return b
        })
    }

    renewClaim(id: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
        return this.serial(async () => {
            const b = await this.getBoard(id)
            if (!b || b.claimedBy !== owner) return false
            await this.updateBoard(id, { claimUntil: now + leaseMs })
            return true
        })
    }

    finishDeploy(id: string, owner: string, f: (b: BoardRecord) => Partial<BoardRecord>): Promise<BoardRecord | null> {
        return this.serial(async () => {
            const b = await this.getBoard(id)
            if (!b || b.claimedBy !== owner) return null
            return this.updateBoard(id, { ...f(b), claimedBy: undefined, claimUntil: undefined })
        })
    }

    stepRollout<T>(f: (r: Rollout, boards: BoardRecord[]) => StepOutcome<T>): Promise<StepOutcome<T> | null> {
        return this.serial(async () => {
            const r = await this.activeRollout()
            if (!r || r.stage === "paused") return null
            const o = f(r, await this.listBoards())
            for (const p of o.patches) await this.updateBoard(p.id, p.patch)
            if (o.rollout.stage !== r.stage || o.rollout.stageAt !== r.stageAt) await this.putRollout(o.rollout)
            return o
        })
    }

    // --- releases ---

    /**
     * Stores a release: the image file first, then its record, so a record always has its image.
     * A version is immutable: the same version and board again with the same image is a no-op,
     * with another image an Error. Signatures are the caller's check (verifyRelease); the store
     * only makes sure the image is the one the manifest names.
     */
    async putRelease(m: Manifest, image: Buffer): Promise<void> {
        const sha = sha256Hex(image)
        if (sha !== m.sha256 || image.length !== m.size) throw new Error(`release ${m.version} for ${m.board}: the image is not the one the manifest names`)
        const old = strip<Manifest>(await this.releases.findOneAsync({ version: m.version, board: m.board }))
        if (old) {
            if (old.sha256 === m.sha256) return
            throw new Error(`release ${m.version} for ${m.board} exists with another image (${old.sha256.slice(0, 12)}): a version is immutable, tag a new one`)
        }
        const file = this.imagePath(sha)
        if (!existsSync(file)) {
            // write then rename: a crash never leaves a half image under the final name
            const tmp = `${file}.${process.pid}.tmp`
            await writeFile(tmp, image)
            await rename(tmp, file)
        }
        await this.releases.insertAsync(defined({ ...m }))
    }

    /** The release and its image; throws if the image file is missing or no longer matches its hash. */
    async getRelease(version: string, board: string): Promise<{ manifest: Manifest; image: Buffer } | null> {
        const manifest = strip<Manifest>(await this.releases.findOneAsync({ version, board }))
        if (!manifest) return null
        const image = await readFile(this.imagePath(manifest.sha256))
        // a corrupted file must never reach a board's flash
        if (sha256Hex(image) !== manifest.sha256) throw new Error(`image of ${version} for ${board} on disk does not match its sha256`)
        return { manifest, image }
    }

    /** Oldest build first. */
    async listReleases(): Promise<Manifest[]> {
        const docs = (await this.releases.findAsync({}).sort({ builtAt: 1, version: 1, board: 1 })) as any[]
        return docs.map(d => strip<Manifest>(d))
    }

    private imagePath(sha256: string): string {
        if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`bad sha256 ${sha256}`)
        return join(this.dir, "images", sha256 + ".devs")
    }

    // --- rollouts ---

    /** Adds or replaces the rollout with this id. */
    async putRollout(r: Rollout): Promise<void> {
        await this.rollouts.updateAsync({ id: r.id }, defined({ ...r }), { upsert: true })
    }

    async getRollout(id: string): Promise<Rollout | null> {
        return strip(await this.rollouts.findOneAsync({ id }))
    }

    /** The latest started rollout that is still under way or paused, or null. */
    async activeRollout(): Promise<Rollout | null> {
        const docs = (await this.rollouts
            .findAsync({ stage: { $in: ACTIVE } })
            .sort({ startedAt: -1, id: -1 })
            .limit(1)) as any[]
        return strip(docs[0])
    }

    /** Oldest first. */
    async listRollouts(): Promise<Rollout[]> {
        const docs = (await this.rollouts.findAsync({}).sort({ startedAt: 1, id: 1 })) as any[]
        return docs.map(d => strip<Rollout>(d))
    }

    // --- log ---

    async log(entry: LogEntry): Promise<void> {
        await this.logDb.insertAsync(defined({ ...entry, seq: ++this.seq }))
    }

    /** The newest `limit` entries (all if not given), of one board if given, newest last. */
    async logs(limit?: number, board?: string): Promise<LogEntry[]> {
        let c = this.logDb.findAsync(board === undefined ? {} : { board }).sort({ t: -1, seq: -1 })
        // nedb takes a limit of 0 as none; a limit that is not a number (a bad query string) means all
        if (Number.isFinite(limit)) {
            if (limit < 1) return []
            c = c.limit(Math.floor(limit))
        }
        const docs = (await c) as any[]
        return docs.reverse().map(d => strip<LogEntry>(d))
    }
}
