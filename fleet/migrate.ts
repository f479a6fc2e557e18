// Schema migrations for the PostgreSQL registry: fleet/migrations/NNN_name.sql, applied in order,
// each in its own transaction with its version recorded in schema_migrations. Several servers
// starting at once take turns (an advisory lock): the first applies, the others find it done. A
// database migrated by a newer server (a version this one does not have) is refused.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import type { ClientBase } from "pg"

export const MIGRATIONS_DIR = join(__dirname, "migrations")
/** pg_advisory_lock key: "fleetmig" */
const LOCK = 0x666c6565746d6967n

export interface Migration {
    version: number
    name: string
    sql: string
}

export function migrations(dir = MIGRATIONS_DIR): Migration[] {
    const out: Migration[] = []
    for (const f of readdirSync(dir).sort()) {
        if (!f.endsWith(".sql")) continue
        const m = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(f)
        if (!m) throw new Error(`migration ${f}: name it NNN_name.sql (three digits, lower-case name)`)
        const version = Number(m[1])
        if (out.some(x => x.version === version)) throw new Error(`migration ${f}: version ${version} twice`)
        out.push({ version, name: m[2], sql: readFileSync(join(dir, f), "utf8") })
    }
    return out
}

/** Applies the migrations the database lacks; returns the versions applied now. */
export async function migrate(c: ClientBase, dir = MIGRATIONS_DIR): Promise<number[]> {
    const all = migrations(dir)
    await c.query("SELECT pg_advisory_lock($1)", [LOCK.toString()])
    try {
        await c.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
        const done = new Set<number>((await c.query("SELECT version FROM schema_migrations")).rows.map(r => Number(r.version)))
        const unknown = [...done].filter(v => !all.some(m => m.version === v))
        if (unknown.length) throw new Error(`the database has schema version ${Math.max(...unknown)}, which this server does not know: a newer server migrated it; run that one`)
        const applied: number[] = []
        for (const m of all) {
            if (done.has(m.version)) continue
            await c.query("BEGIN")
            try {
                await c.query(m.sql)
                await c.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name])
                await c.query("COMMIT")
            } catch (e) {
                await c.query("ROLLBACK")
                throw new Error(`migration ${m.version} (${m.name}) failed, nothing of it applied: ${(e as Error).message}`)
            }
            applied.push(m.version)
        }
        return applied
    } finally {
        await c.query("SELECT pg_advisory_unlock($1)", [LOCK.toString()])
    }
}
