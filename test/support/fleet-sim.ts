// A simulated shed under the fleet update server: releases built from git tags of a throwaway
// copy of this project, signed with a throwaway key, a server on its own port and database,
// and the shed provisioned for it over the bus. Used by test/node/fleet-e2e.test.ts and the
// update-time bench.
import { execFileSync } from "node:child_process"
import { cpSync, symlinkSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../../host/root"
import { ShedSim, ShedSimOptions } from "../../sim/shed-sim"
import { FleetServer } from "../../fleet/server"
import { buildRelease, generateSigningKey } from "../../fleet/release"
import { joinFleet } from "../../sim/fleet-link"
import { BoardType, Manifest } from "../../fleet/types"
import { tempDir } from "./temp-dir"

/** what a release of the throwaway repo changes, besides its tag */
export type ReleaseEdit = "none" | "crash-at-boot"

const PROJECT = ["src", "boards", "services", "package.json", "devsconfig.json", "tsconfig.json"]

/**
 * A git repository holding a copy of this project's firmware sources, one commit and tag per
 * release. `crash-at-boot` is a broken release: its program throws right after the boot count.
 */
export function throwawayRepo(releases: { tag: string; edit: ReleaseEdit }[]): string {
    const dir = tempDir("fleet-repo-")
    for (const p of PROJECT) cpSync(join(ROOT, p), join(dir, p), { recursive: true })
    writeFileSync(join(dir, ".gitignore"), "node_modules\n.devicescript\n")
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"))
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=release", "-c", "user.email=release@example.invalid", ...args], { cwd: dir, stdio: "pipe" })
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "firmware")
    for (const r of releases) {
        if (r.edit === "crash-at-boot") {
            const f = join(dir, "src/shell/board.ts")
            const src = readFileSync(f, "utf8")
            const at = "    const cloud = await startProvisionedCloud(sup, hw)"
            if (!src.includes(at)) throw new Error("src/shell/board.ts changed: the broken release cannot be made")
            writeFileSync(f, src.replace(at, '    throw new Error("broken release: crash at boot")\n' + at))
            git("commit", "-qam", "a broken release")
        } else git("commit", "-q", "--allow-empty", "-m", "release " + r.tag)
        git("tag", r.tag)
    }
    return dir
}

export interface FleetSimOptions extends ShedSimOptions {
    releases: { tag: string; edit: ReleaseEdit }[]
    /** server knobs (test speed) */
    retryS?: number
    windowS?: number
    log?: (line: string) => void
}

export class FleetSim {
    sim!: ShedSim
    server!: FleetServer
    publicKeyPem = ""
    privateKeyPem = ""
    readonly images = new Map<string, { manifest: Manifest; image: Buffer }>()

    constructor(readonly opts: FleetSimOptions) {}

    get type(): BoardType {
        return (this.opts.board ?? "shed10") as BoardType
    }

    get api(): string {
        return `http://127.0.0.1:${this.server.port}`
    }

    async start() {
        const keys = generateSigningKey()
        this.publicKeyPem = keys.publicKeyPem
        this.privateKeyPem = keys.privateKeyPem
        const repo = throwawayRepo(this.opts.releases)
        const out = tempDir("fleet-out-")
        const data = tempDir("fleet-data-")
        for (const r of this.opts.releases) {
            const built = await buildRelease({ repo, tag: r.tag, boards: [this.type], outDir: out, privateKeyPem: keys.privateKeyPem, publicKeyPem: keys.publicKeyPem })
            for (const b of built) this.images.set(r.tag, { manifest: b.manifest, image: readFileSync(b.imagePath) })
        }
        this.sim = new ShedSim(this.opts)
        await this.sim.start()
        this.server = new FleetServer({
            dataDir: data,
            trust: [keys.publicKeyPem],
            mqttUrl: this.sim.broker!.url,
            tickMs: 250,
            retryS: this.opts.retryS ?? 5,
            windowS: this.opts.windowS ?? 60,
            log: this.opts.log,
        })
        await this.server.start()
        await joinFleet(this.sim, this.api)
    }

    /** POSTs to the server's API; the answer's body, with its status. */
    async post(path: string, body: object): Promise<{ status: number; body: any }> {
        const res = await fetch(this.api + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
        return { status: res.status, body: await res.json() }
    }

    async get(path: string): Promise<any> {
        return (await fetch(this.api + path)).json()
    }

    /** Waits (up to 30 s) until no rollout is still running: its stages soak before it ends. */
    async rolloutsFinished() {
        for (let i = 0; i < 120; i++) {
            const all: any[] = await this.get("/api/rollouts")
            if (all.every(x => x.stage === "done" || x.stage === "rolled_back")) return
            await new Promise(res => setTimeout(res, 250))
        }
    }

    async upload(tag: string) {
        const r = this.images.get(tag)!
        return this.post("/api/releases", { manifest: r.manifest, image: r.image.toString("base64") })
    }

    async board() {
        const all = await this.get("/api/boards")
        return all.find((b: any) => b.id === this.sim.boardId)
    }

    async stop() {
        await this.server?.stop().catch(() => {})
        await this.sim?.stop()
    }
}
