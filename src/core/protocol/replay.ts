// Remembers recent command ids so a replayed command is refused. Bounded memory: when full,
// the oldest id is forgotten and its server time becomes a floor under which every command
// counts as replayed (so forgetting never opens a window for a replay).

export class ReplayGuard {
    private ids: string[] = []
    private tss: number[] = []
    floorTs = 0

    constructor(private capacity: number) {}

    seen(id: string, ts: number): boolean {
        if (ts <= this.floorTs) return true
        return this.ids.indexOf(id) >= 0
    }

    remember(id: string, ts: number, oldestUseful: number) {
        // drop ids too old to matter: the stale check refuses them anyway
        while (this.tss.length > 0 && this.tss[0] < oldestUseful) {
            this.ids.shift()
            this.tss.shift()
        }
        if (this.ids.length >= this.capacity) {
            const t = this.tss.shift()
            this.ids.shift()
            if (t > this.floorTs) this.floorTs = t
        }
        // keep sorted by ts so the oldest is first (insertion by bubbling: no splice in the VM)
        this.ids.push(id)
        this.tss.push(ts)
        for (let i = this.tss.length - 1; i > 0 && this.tss[i - 1] > this.tss[i]; i--) {
            const t = this.tss[i]
            this.tss[i] = this.tss[i - 1]
            this.tss[i - 1] = t
            const d = this.ids[i]
            this.ids[i] = this.ids[i - 1]
            this.ids[i - 1] = d
        }
    }
}
