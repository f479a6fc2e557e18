// A throwaway PostgreSQL cluster for the fleet tests and the load run: initdb into a temp folder,
// the server on a unix socket in that folder only (no TCP port to collide with), stopped by
// stop() (or at exit), the folder removed at exit (tempDir). The binaries are Debian's
// (tools/apt-ensure.sh installs them, npm test's pretest). PostgreSQL refuses to run as root:
// as root the cluster belongs to the `postgres` user the Debian package makes.
import { ChildProcess, execFileSync, spawn } from "node:child_process"
import { chownSync, existsSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { tempDir } from "./temp-dir"

/** the newest installed server's bin folder */
export function pgBinDir(): string {
    const base = "/usr/lib/postgresql"
    const versions = existsSync(base)
        ? readdirSync(base)
              .filter(v => existsSync(join(base, v, "bin", "initdb")))
              .sort((a, b) => Number(b) - Number(a))
        : []
    if (versions.length) return join(base, versions[0], "bin")
    try {
        const p = execFileSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).trim()
        if (p) return join(p, "..")
    } catch {
        // none on PATH either
    }
    throw new Error("no PostgreSQL server here (initdb): run bash tools/apt-ensure.sh (npm test's pretest does)")
}

function pgUser(): { uid: number; gid: number } | null {
    if (process.getuid?.() !== 0) return null
    try {
        const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
        const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
        return { uid, gid }
    } catch {
        throw new Error("PostgreSQL does not run as root and there is no `postgres` user to run it as (the Debian package makes one)")
    }
}

export class TempPostgres {
    readonly dir: string
    private proc: ChildProcess | null = null
    private exited: Promise<void> = Promise.resolve()
    /** the socket's port number (no TCP: it only names the socket file) */
    readonly port = 5432

    constructor() {
        this.dir = tempDir("fleet-pg-")
    }

    /** postgres://postgres@/fleet?host=<dir>: the cluster's socket */
    url(db = "fleet"): string {
        return `postgres://postgres@/${db}?host=${encodeURIComponent(this.dir)}&port=${this.port}`
    }

    async start(): Promise<void> {
        const bin = pgBinDir()
        const who = pgUser()
        if (who) chownSync(this.dir, who.uid, who.gid)
        const data = join(this.dir, "data")
        const opts = { stdio: "pipe" as const, ...(who ?? {}), env: { ...process.env, LC_ALL: "C" } }
        execFileSync(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], opts)
        const p = spawn(
            join(bin, "postgres"),
            [
                "-D",
                data,
                "-k",
                this.dir,
                "-p",
                String(this.port),
                "-c",
                "listen_addresses=",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=100",
                "-c",
                "shared_buffers=64MB",
            ],
            { ...opts, stdio: ["ignore", "ignore", "pipe"] }
        )
        this.proc = p
        let err = ""
        p.stderr!.on("data", d => (err = (err + d).slice(-4000)))
        this.exited = new Promise(res => p.once("exit", () => res()))
        // ready when the socket answers
        const isready = join(bin, "pg_isready")
        for (let i = 0; ; i++) {
            if (p.exitCode !== null) throw new Error("postgres exited at start: " + err)
            try {
                execFileSync(isready, ["-h", this.dir, "-p", String(this.port), "-q"], { stdio: "ignore" })
                break
            } catch {
                if (i > 300) throw new Error("postgres did not come up in 30 s: " + err)
                await new Promise(r => setTimeout(r, 100))
            }
        }
        execFileSync(join(bin, "createdb"), ["-h", this.dir, "-p", String(this.port), "-U", "postgres", "fleet"], { stdio: "pipe" })
        // a test that dies leaves no server behind; ahead of tempDir's hook, which removes the folder
        process.prependOnceListener("exit", this.kill)
    }

    /** a fresh empty database on the same cluster */
    createDb(name: string): string {
        execFileSync(join(pgBinDir(), "createdb"), ["-h", this.dir, "-p", String(this.port), "-U", "postgres", name], { stdio: "pipe" })
        return this.url(name)
    }

    private kill = () => {
        try {
            this.proc?.kill("SIGQUIT")
        } catch {
            // gone
        }
    }

    async stop(): Promise<void> {
        process.off("exit", this.kill)
        if (this.proc && this.proc.exitCode === null) {
            // fast shutdown: ends the sessions, no checkpoint wait worth having for a temp cluster
            this.proc.kill("SIGINT")
            const t = setTimeout(() => this.proc?.kill("SIGQUIT"), 10000)
            await this.exited
            clearTimeout(t)
        }
    }
}
