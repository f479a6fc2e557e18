// Remembers recent command ids so a replayed command is refused. Bounded memory: when full,
// the oldest id is forgotten and its server time becomes a floor under which every command
// counts as replayed (so forgetting never opens a window for a replay).
// Ids are kept as 32-bit hashes: an id string took ~50 B of the VM's heap, 64 of them ~3 KB. A
// replay has the same id, so the same hash, and is always refused; two ids with one hash can
// only make a new command look replayed (about one in 2^32 / 64 per command).

import { fnv1a32 } from "../mathx"

export class ReplayGuard {
    private ids: number[] = []
    private tss: number[] = []
    floorTs = 0

    constructor(private capacity: number) {}

    seen(id: string, ts: number): boolean {
        if (ts <= this.floorTs) return true
        return this.ids.indexOf(fnv1a32(id)) >= 0
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
        this.ids.push(fnv1a32(id))
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
