// The firmware in the DeviceScript VM, as its own process connected to our hub. Its flash
// (settings, sessions, outbox) lives in its working folder, so killing the process and
// starting it again is a power cut: the board boots from the same flash.
import { spawn, ChildProcess } from "node:child_process"
import { appendFileSync, readFileSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { ROOT } from "../../host/root"

const CLI = join(ROOT, "node_modules/@devicescript/cli/built/devicescript-cli.cjs")
const REDIRECT = join(ROOT, "sim/bus/port-redirect.cjs")

export interface VmOptions {
    /** compiled program (.devs) */
    program: string
    hubPort: number
    /** a fixed device id keeps the board's identity across power cuts */
    deviceId?: string
    /** flash folder; a fresh temporary one by default (removed by dispose) */
    dir?: string
    onLine?: (line: string) => void
}

export class FirmwareVM {
    readonly dir: string
    private proc: ChildProcess | null = null
    private ownDir: boolean
    log: string[] = []
    starts = 0

    constructor(private opts: VmOptions) {
        this.ownDir = !opts.dir
        this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), "shed-vm-"))
    }

    /** The runtime's flash image as last written to disk ("sim.bin" in the VM's folder). */
    flash(): Buffer {
        try {
            return readFileSync(join(this.dir, ".devicescript", "flash", "sim.bin"))
        } catch {
            return Buffer.alloc(0)
        }
    }

    /** Waits until every text in `texts` is in the flash on disk (a write the runtime has flushed). */
    async waitFlash(texts: string[], ms = 20000) {
        const t0 = Date.now()
        for (;;) {
            const f = this.flash()
            if (texts.every(t => f.includes(Buffer.from(t)))) return
            if (Date.now() - t0 > ms) throw new Error(`the board's flash lacks ${texts.filter(t => !f.includes(Buffer.from(t))).join(", ")} after ${ms} ms`)
            await new Promise(r => setTimeout(r, 100))
        }
    }

    get running() {
        return !!this.proc && this.proc.exitCode === null && !this.proc.killed
    }

    /**
     * Powers the board on. The first start flashes the program, as the factory does; later
     * starts boot whatever program the flash holds, so one deployed over the air survives a
     * power cut.
     */
    start() {
        if (this.running) return
        this.starts++
        const args = ["-r", REDIRECT, CLI, "run", "--tcp", ...(this.starts === 1 ? [resolve(this.opts.program)] : ["--wait"])]
        if (this.opts.deviceId) args.push("--device-id", this.opts.deviceId)
        const p = spawn(process.execPath, args, {
            cwd: this.dir,
            env: { ...process.env, DEVS_HUB_PORT: String(this.opts.hubPort), NO_COLOR: "1", FORCE_COLOR: "0" },
            stdio: ["ignore", "pipe", "pipe"],
        })
        this.proc = p
        let rest = ""
        const onData = (d: Buffer) => {
            rest += d.toString()
            const lines = rest.split("\n")
            rest = lines.pop() ?? ""
            for (const raw of lines) {
                // eslint-disable-next-line no-control-regex
                const line = raw.replace(/\x1b\[[0-9;]*m/g, "")
                if (/nodedir/.test(line)) continue
                this.log.push(line)
                if (this.log.length > 4000) this.log.splice(0, 2000)
                // every line to a file as well, for a run whose VM nobody reads (docs/simulator.md)
                if (process.env.SHED_VM_LOG) appendFileSync(process.env.SHED_VM_LOG, `${new Date().toISOString()} ${line}\n`)
                this.opts.onLine?.(line)
            }
        }
        p.stdout!.on("data", onData)
        p.stderr!.on("data", onData)
    }

    /** Power cut: the process dies at once, flash stays as last written. */
    async kill() {
        const p = this.proc
        if (!p) return
        this.proc = null
        if (p.exitCode !== null) return
        await new Promise<void>(res => {
            p.once("exit", () => res())
            p.kill("SIGKILL")
        })
    }

    /**
     * The program stops running for `ms` (SIGSTOP, then SIGCONT) while the rest of the shed goes
     * on: what a board starved of its CPU sees (a long flash write, a loaded host). Its sockets
     * and the packets sent to it wait in the operating system meanwhile.
     */
    async stall(ms: number) {
        const p = this.proc
        if (!p || p.exitCode !== null) throw new Error("stall: the program is not running")
        p.kill("SIGSTOP")
        try {
            await new Promise(r => setTimeout(r, ms))
        } finally {
            p.kill("SIGCONT")
        }
    }

    async dispose() {
        await this.kill()
        if (this.ownDir) rmSync(this.dir, { recursive: true, force: true })
    }

    /** Waits until a log line matches (searching from line `from`). */
    async waitLog(re: RegExp, ms: number, from = 0): Promise<string> {
        const t0 = Date.now()
        for (;;) {
            for (let i = from; i < this.log.length; i++) if (re.test(this.log[i])) return this.log[i]
            if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re} in the VM log:\n${this.log.slice(-40).join("\n")}`)
            await new Promise(r => setTimeout(r, 50))
        }
    }
}
