// A board's core with the shell's persistence, in node: what src/shell/shed.ts writes to flash
// and reads back at boot, step for step (lockouts, whole session records, checkpoints), over a
// flash that counts its writes as the runtime's settings store costs them (an append log: a
// value unchanged is skipped, each write takes its value aligned to 8 bytes plus a 24-byte
// entry; /work/shared/notes/devicescript.md section 6). The node tests of the power-cut rules
// and the bench's flash-wear figures run on it; a power cut is boot() on the same flash, after
// mainsLost() when the board had its warning.
import { ShedConfig } from "../src/core/config"
import { SocketEvent } from "../src/core/session"
import { Supervisor } from "../src/core/supervisor"

export class Flash {
    readonly data = new Map<string, string>()
    writes = 0
    bytes = 0
    /** writes by key without its socket number ("ck", "sess", "locks") */
    readonly byKind = new Map<string, number>()

    write(key: string, value: unknown) {
        const json = JSON.stringify(value)
        if (key.length + 1 + json.length > 232) throw new Error(`setting ${key} of ${json.length} bytes over the limit`)
        if (this.data.get(key) === json) return
        this.data.set(key, json)
        this.count(key)
        this.bytes += Math.ceil(json.length / 8) * 8 + 24
    }

    remove(key: string) {
        if (!this.data.has(key)) return
        this.data.delete(key)
        this.count(key)
        this.bytes += 24
    }

    private count(key: string) {
        this.writes++
        const kind = key.replace(/\d+$/, "")
        this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1)
    }

    read(key: string): any {
        const j = this.data.get(key)
        return j === undefined ? null : JSON.parse(j)
    }
}

export class FlashBoard {
    sup!: Supervisor
    /**
     * every event this boot's supervisor gave out, in order, as tick() took them: a session keeps
     * no record once ended, the tests and the bench read it from its ended event here
     */
    events: SocketEvent[] = []
    relays: boolean[] = []
    private locks = 0
    /** lock setting refused at the last boot */
    refused = false

    constructor(
        readonly cfg: ShedConfig,
        readonly flash = new Flash()
    ) {
        this.boot(0)
    }

    /** Power on (again): relays open, lockouts restored first, then sessions resumed. */
    boot(now: number) {
        const sup = new Supervisor({ ...this.cfg })
        this.sup = sup
        this.events = []
        this.relays = sup.sockets.map(() => false)
        this.refused = !sup.restoreLocks(this.flash.read("locks"))
        this.locks = sup.locks()
        for (let s = 1; s <= sup.sockets.length; s++) {
            const p = this.flash.read("sess" + s)
            if (p && p.order) sup.socket(s)!.resume(p, now, this.flash.read("ck" + s))
        }
    }

    /** One control tick as the shell runs it (power `p`, voltage `v` a socket); returns the relay states applied. */
    tick(now: number, p: number[], v: number[]): boolean[] {
        const sup = this.sup
        this.relays = sup.tick(now, p, v, this.relays)
        const k = sup.locks()
        if (k !== this.locks) {
            this.locks = k
            this.flash.write("locks", k)
        }
        for (const e of sup.takeEvents()) {
            this.events.push(e)
            if (e.kind === "state" || e.kind === "started" || e.kind === "ended") {
                this.flash.remove("ck" + e.socket)
                const p = sup.socket(e.socket)!.persisted(now)
                if (p) this.flash.write("sess" + e.socket, p)
                else this.flash.remove("sess" + e.socket)
            }
        }
        for (let i = 0; i < sup.sockets.length; i++) {
            const s = sup.sockets[i]
            if (s.checkpointDue(now)) this.flash.write("ck" + (i + 1), s.checkpoint(now))
        }
        return this.relays
    }

    /** The mains went (a meter's mains_lost): every running session's progress, on the hold-up (at most once a CHECKPOINT_MS). */
    mainsLost(now: number) {
        const sup = this.sup
        if (!sup.mainsLostDue(now)) return
        for (let i = 0; i < sup.sockets.length; i++) {
            const s = sup.sockets[i]
            if (s.checkpointDue(now, true)) this.flash.write("ck" + (i + 1), s.checkpoint(now))
        }
    }
}
