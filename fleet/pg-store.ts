// The fleet registry on PostgreSQL, for several update-server processes on one database
// (docs/updates.md "A large fleet"). The same records and rules as the embedded store
// (fleet/store.ts); what several servers need is done in the database:
// - one board's read-modify-write holds its row (SELECT ... FOR UPDATE) until it commits;
// - a deploy is claimed with one conditional UPDATE (nobody's, ours, or a lease run out) and
//   its outcome is written together with the claim's release, in one transaction: a server
//   killed mid-deploy leaves the claim to expire and no half-written record;
// - a rollout step takes a transaction-scoped advisory lock (pg_try_advisory_xact_lock): one
//   server steps, another finds it taken and skips that tick; the step's assignments and the
//   rollout's new stage commit together.
// Release images live in the database too: no server keeps anything on its own disk.
import { createHash } from "node:crypto"
import pg from "pg"
import { migrate } from "./migrate"
import { ACTIVE, BoardPatch, claimable, LogEntry, Registry, StepOutcome } from "./store"
import type { BoardRecord, Manifest, Rollout } from "./types"

/** int8 (counts, ms) as numbers: every one the registry keeps is below 2^53 */
const types = {
    getTypeParser(oid: number, format?: any) {
        if (oid === 20) return (v: string) => Number(v)
        return pg.types.getTypeParser(oid, format)
    },
}

/** pg_try_advisory_xact_lock key of the rollout step: "fleetrol" */
const STEP_LOCK = "7380994616361086828"

function sha256Hex(b: Buffer): string {
    return createHash("sha256").update(b).digest("hex")
}

/** the record's fields that are columns, not part of doc */
const CLAIM = ["claimedBy", "claimUntil"] as const

function toBoard(row: any): BoardRecord | null {
    if (!row) return null
    const b = { ...row.doc } as BoardRecord
    if (row.claimed_by !== null && row.claimed_by !== undefined) b.claimedBy = row.claimed_by
    if (row.claim_until !== null && row.claim_until !== undefined) b.claimUntil = Number(row.claim_until)
    return b
}

/** a record's doc: without the claim columns and undefined fields */
function docOf(b: Partial<BoardRecord>): any {
    const d: any = {}
    for (const [k, v] of Object.entries(b)) if (v !== undefined && !(CLAIM as readonly string[]).includes(k)) d[k] = v
    return d
}

/** a patch as (doc fields to set, doc fields to remove) */
function split(patch: Partial<BoardRecord>): { set: any; unset: string[] } {
    const set: any = {}
    const unset: string[] = []
    for (const [k, v] of Object.entries(patch)) {
        if (k === "id" || (CLAIM as readonly string[]).includes(k)) continue
        if (v === undefined) unset.push(k)
        else set[k] = v
    }
    return { set, unset }
}

export interface PgStoreOptions {
    /** postgres://user:pass@host:5432/db, or with ?host=/socket/dir */
    url: string
    /** connections this process keeps (default 8) */
    poolSize?: number
}

export class PgStore implements Registry {
    readonly kind = "postgres"
    private images = new Map<string, Buffer>()
    private pending: LogEntry[] = []
    private flushing: Promise<void> | null = null
    private flushTimer: NodeJS.Timeout | null = null

    private constructor(readonly pool: pg.Pool) {}

    /** Connects, applies the migrations the database lacks, and checks the schema is there. */
    static async open(o: PgStoreOptions): Promise<PgStore> {
        const pool = new pg.Pool({ connectionString: o.url, max: o.poolSize ?? 8, types })
        // an idle connection's error (the database restarted) must not end the process: the pool drops it
        pool.on("error", () => {})
        try {
            const c = await pool.connect()
            try {
                await migrate(c)
            } finally {
                c.release()
            }
        } catch (e) {
            await pool.end()
            throw new Error(`the fleet database (${redact(o.url)}): ${(e as Error).message}`)
        }
        return new PgStore(pool)
    }

    async close() {
        await this.flush()
        await this.pool.end()
    }

    private async tx<T>(f: (c: pg.PoolClient) => Promise<T>): Promise<T> {
        const c = await this.pool.connect()
        try {
            await c.query("BEGIN")
            const r = await f(c)
            await c.query("COMMIT")
            return r
        } catch (e) {
            await c.query("ROLLBACK").catch(() => {})
            throw e
        } finally {
            c.release()
        }
    }

    // --- boards ---

    async putBoard(b: BoardRecord): Promise<void> {
        const other = await this.boardByDevice(b.deviceId)
        if (other && other.id !== b.id) throw new Error(`device ${b.deviceId} is already board ${other.id}`)
        try {
            await this.pool.query(
                `INSERT INTO boards (id, device_id, doc, claimed_by, claim_until) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (id) DO UPDATE SET device_id = $2, doc = $3, claimed_by = $4, claim_until = $5`,
                [b.id, b.deviceId, docOf(b), b.claimedBy ?? null, b.claimUntil ?? null]
            )
        } catch (e: any) {
            // another server registered this device under another id in between
            if (e.code === "23505") throw new Error(`device ${b.deviceId} is already another board`)
            throw e
        }
    }

    async getBoard(id: string): Promise<BoardRecord | null> {
        return toBoard((await this.pool.query("SELECT * FROM boards WHERE id = $1", [id])).rows[0])
    }

    async boardByDevice(deviceId: string): Promise<BoardRecord | null> {
        return toBoard((await this.pool.query("SELECT * FROM boards WHERE device_id = $1", [deviceId])).rows[0])
    }

    async listBoards(): Promise<BoardRecord[]> {
        // COLLATE "C": the same order as the embedded store's (code points), whatever the database's locale
        return (await this.pool.query('SELECT * FROM boards ORDER BY id COLLATE "C"')).rows.map(r => toBoard(r)!)
    }

    async updateBoard(id: string, patch: Partial<BoardRecord>): Promise<BoardRecord | null> {
        if (patch.id !== undefined && patch.id !== id) throw new Error(`updateBoard ${id}: cannot change the id to ${patch.id}`)
        if (patch.deviceId !== undefined) throw new Error(`updateBoard ${id}: the device id is changed by putBoard only`)
        const { set, unset } = split(patch)
        const sets = ["doc = (doc || $2::jsonb) - $3::text[]"]
        const args: any[] = [id, set, unset]
        for (const [k, col] of [
            ["claimedBy", "claimed_by"],
            ["claimUntil", "claim_until"],
        ] as const) {
            if (!(k in patch)) continue
            args.push((patch as any)[k] ?? null)
            sets.push(`${col} = $${args.length}`)
        }
        const r = await this.pool.query(`UPDATE boards SET ${sets.join(", ")} WHERE id = $1 RETURNING *`, args)
        return toBoard(r.rows[0])
    }

    mutateBoard(id: string, f: (b: BoardRecord) => Partial<BoardRecord> | null): Promise<BoardRecord | null> {
        return this.tx(async c => {
            const b = toBoard((await c.query("SELECT * FROM boards WHERE id = $1 FOR UPDATE", [id])).rows[0])
            const patch = b && f(b)
            if (!patch) return null
            return this.patchIn(c, id, patch)
        })
    }

    private async patchIn(c: pg.PoolClient, id: string, patch: Partial<BoardRecord>): Promise<BoardRecord | null> {
        const { set, unset } = split(patch)
        const args: any[] = [id, set, unset]
        const sets = ["doc = (doc || $2::jsonb) - $3::text[]"]
        if ("claimedBy" in patch) sets.push(`claimed_by = $${args.push(patch.claimedBy ?? null)}`)
        if ("claimUntil" in patch) sets.push(`claim_until = $${args.push(patch.claimUntil ?? null)}`)
        return toBoard((await c.query(`UPDATE boards SET ${sets.join(", ")} WHERE id = $1 RETURNING *`, args)).rows[0])
    }

    async claimDeploy(id: string, owner: string, now: number, leaseMs: number): Promise<BoardRecord | null> {
        // one statement: the row lock makes two servers' claims of one board take turns, and the
        // second sees the first's claim in its WHERE
        const r = await this.pool.query(
            `WITH old AS (SELECT id, claimed_by, claim_until FROM boards WHERE id = $1 FOR UPDATE)
             UPDATE boards b SET claimed_by = $2, claim_until = $3::bigint + $4::bigint FROM old
             WHERE b.id = old.id AND (old.claimed_by IS NULL OR old.claimed_by = $2 OR old.claim_until < $3::bigint)
             RETURNING b.doc, old.claimed_by, old.claim_until`,
            [id, owner, now, leaseMs]
        )
        return toBoard(r.rows[0])
    }

    async renewClaim(id: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
        const r = await this.pool.query("UPDATE boards SET claim_until = $3::bigint + $4::bigint WHERE id = $1 AND claimed_by = $2", [id, owner, now, leaseMs])
        return r.rowCount === 1
    }

    finishDeploy(id: string, owner: string, f: (b: BoardRecord) => Partial<BoardRecord>): Promise<BoardRecord | null> {
        return this.tx(async c => {
            const b = toBoard((await c.query("SELECT * FROM boards WHERE id = $1 FOR UPDATE", [id])).rows[0])
            if (!b || b.claimedBy !== owner) return null
            return this.patchIn(c, id, { ...f(b), claimedBy: undefined, claimUntil: undefined })
        })
    }

    async stepRollout<T>(f: (r: Rollout, boards: BoardRecord[]) => StepOutcome<T>): Promise<StepOutcome<T> | null> {
        return this.tx(async c => {
            const locked = (await c.query("SELECT pg_try_advisory_xact_lock($1::bigint) AS ok", [STEP_LOCK])).rows[0].ok
            if (!locked) return null
            const row = (await c.query("SELECT doc FROM rollouts WHERE stage = ANY($1) ORDER BY started_at DESC, id DESC LIMIT 1 FOR UPDATE", [ACTIVE])).rows[0]
            if (!row || row.doc.stage === "paused") return null
            const r = row.doc as Rollout
            const boards = (await c.query('SELECT * FROM boards ORDER BY id COLLATE "C"')).rows.map(x => toBoard(x)!)
            const o = f(r, boards)
            await this.patchMany(c, o.patches)
            if (o.rollout.stage !== r.stage || o.rollout.stageAt !== r.stageAt) await this.putRolloutIn(c, o.rollout)
            return o
        })
    }

    /** many boards' patches in one statement (a stage's assignments: thousands) */
    private async patchMany(c: pg.PoolClient, patches: BoardPatch[]) {
        for (const p of patches) for (const k of CLAIM) if (k in p.patch) throw new Error(`a rollout step does not change ${k}`)
        for (let i = 0; i < patches.length; i += 2000) {
            const rows = patches.slice(i, i + 2000).map(p => ({ id: p.id, ...split(p.patch) }))
            await c.query(
                `UPDATE boards b SET doc = (b.doc || u.set) - ARRAY(SELECT jsonb_array_elements_text(u.unset))
                 FROM jsonb_to_recordset($1::jsonb) AS u(id text, set jsonb, unset jsonb) WHERE b.id = u.id`,
                [JSON.stringify(rows)]
            )
        }
    }

    // --- releases ---

    async putRelease(m: Manifest, image: Buffer): Promise<void> {
        const sha = sha256Hex(image)
        if (sha !== m.sha256 || image.length !== m.size) throw new Error(`release ${m.version} for ${m.board}: the image is not the one the manifest names`)
        await this.tx(async c => {
            const old = (await c.query("SELECT manifest FROM releases WHERE version = $1 AND board = $2 FOR UPDATE", [m.version, m.board])).rows[0]
            if (old) {
                if (old.manifest.sha256 === m.sha256) return
                throw new Error(`release ${m.version} for ${m.board} exists with another image (${old.manifest.sha256.slice(0, 12)}): a version is immutable, tag a new one`)
            }
            await c.query("INSERT INTO images (sha256, data) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING", [sha, image])
            await c.query("INSERT INTO releases (version, board, sha256, built_at, manifest) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", [
                m.version,
                m.board,
                sha,
                m.builtAt,
                JSON.parse(JSON.stringify(m)),
            ])
        })
    }

    async getRelease(version: string, board: string): Promise<{ manifest: Manifest; image: Buffer } | null> {
        const row = (await this.pool.query("SELECT manifest FROM releases WHERE version = $1 AND board = $2", [version, board])).rows[0]
        if (!row) return null
        const manifest = row.manifest as Manifest
        let image = this.images.get(manifest.sha256)
        if (!image) {
            const r = (await this.pool.query("SELECT data FROM images WHERE sha256 = $1", [manifest.sha256])).rows[0]
            if (!r) throw new Error(`image of ${version} for ${board} is missing from the database`)
            image = r.data as Buffer
            // a corrupted image must never reach a board's flash; once checked it is kept (images are immutable)
            if (sha256Hex(image) !== manifest.sha256) throw new Error(`image of ${version} for ${board} in the database does not match its sha256`)
            this.images.set(manifest.sha256, image)
        }
        return { manifest, image }
    }

    async listReleases(): Promise<Manifest[]> {
        return (await this.pool.query('SELECT manifest FROM releases ORDER BY built_at, version COLLATE "C", board COLLATE "C"')).rows.map(r => r.manifest)
    }

    // --- rollouts ---

    async putRollout(r: Rollout): Promise<void> {
        await this.putRolloutIn(this.pool, r)
    }

    private async putRolloutIn(c: pg.Pool | pg.PoolClient, r: Rollout) {
        const doc = JSON.parse(JSON.stringify(r))
        await c.query(
            `INSERT INTO rollouts (id, stage, started_at, doc) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET stage = $2, started_at = $3, doc = $4`,
            [r.id, r.stage, r.startedAt, doc]
        )
    }

    async getRollout(id: string): Promise<Rollout | null> {
        return (await this.pool.query("SELECT doc FROM rollouts WHERE id = $1", [id])).rows[0]?.doc ?? null
    }

    async activeRollout(): Promise<Rollout | null> {
        return (await this.pool.query("SELECT doc FROM rollouts WHERE stage = ANY($1) ORDER BY started_at DESC, id DESC LIMIT 1", [ACTIVE])).rows[0]?.doc ?? null
    }

    async listRollouts(): Promise<Rollout[]> {
        return (await this.pool.query("SELECT doc FROM rollouts ORDER BY started_at, id")).rows.map(r => r.doc)
    }

    // --- log: written in batches (a large rollout logs thousands of lines a minute) ---

    async log(entry: LogEntry): Promise<void> {
        this.pending.push(entry)
        if (!this.flushTimer) this.flushTimer = setTimeout(() => void this.flush().catch(() => {}), 100)
    }

    private async flush(): Promise<void> {
        if (this.flushTimer) clearTimeout(this.flushTimer)
        this.flushTimer = null
        while (this.flushing) await this.flushing
        if (!this.pending.length) return
        const batch = this.pending.splice(0)
        this.flushing = (async () => {
            for (let i = 0; i < batch.length; i += 1000) {
                const part = batch.slice(i, i + 1000)
                await this.pool.query("INSERT INTO log (t, board, rollout, msg) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])", [
                    part.map(e => e.t),
                    part.map(e => e.board ?? null),
                    part.map(e => e.rollout ?? null),
                    part.map(e => e.msg),
                ])
            }
        })()
        try {
            await this.flushing
        } finally {
            this.flushing = null
        }
    }

    async logs(limit?: number, board?: string): Promise<LogEntry[]> {
        await this.flush()
        let lim: number | null = null
        if (Number.isFinite(limit)) {
            if (limit! < 1) return []
            lim = Math.floor(limit!)
        }
        const r = await this.pool.query(`SELECT t, board, rollout, msg FROM log WHERE ($1::text IS NULL OR board = $1) ORDER BY t DESC, seq DESC LIMIT $2`, [board ?? null, lim])
        return r.rows.reverse().map(x => {
            const e: LogEntry = { t: Number(x.t), msg: x.msg }
            if (x.board !== null) e.board = x.board
            if (x.rollout !== null) e.rollout = x.rollout
            return e
        })
    }
}

/** a connection string without its password, for messages */
export function redact(url: string): string {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@")
}
