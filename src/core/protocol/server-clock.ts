// The board has no wall clock. Server time arrives in every verified command; the clock keeps
// the offset between it and the board's own milliseconds, so events carry server time and
// stale commands can be judged. Until the first verified command the clock is not anchored:
// then only the persisted high-water mark of server time protects against old replays.

export class ServerClock {
    private offset = 0
    anchored = false
    /** highest server time seen in a verified command (persist it, about once a minute) */
    highWater = 0

    constructor(persistedHighWater: number) {
        this.highWater = persistedHighWater > 0 ? persistedHighWater : 0
    }

    /** Learn from a verified command's server time. */
    learn(serverTs: number, boardMs: number) {
        this.offset = serverTs - boardMs
        this.anchored = true
        if (serverTs > this.highWater) this.highWater = serverTs
    }

    /** Server time now (ms), or -1 when not anchored. */
    now(boardMs: number): number {
        return this.anchored ? boardMs + this.offset : -1
    }
}
