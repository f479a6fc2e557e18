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

const ACTIVE = ["canary", "percent", "all", "paused"]

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

export class FleetStore {
    /** the log's insertion order, for entries with the same t */
    private seq = 0

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
        const $set: any = {}
        const $unset: any = {}
        for (const [k, v] of Object.entries(patch)) {
            if (k === "id" || k === "_id") continue
            if (v === undefined) $unset[k] = true
            else $set[k] = v
        }
        const r = await this.boards.updateAsync({ id }, { $set, $unset }, { returnUpdatedDocs: true })
        return strip(r.affectedDocuments)
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
