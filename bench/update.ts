// Time from a rollout's update command to the board reporting the new version, through the
// whole path in the simulator: the signed `update` command over MQTT, the board going quiet,
// the runtime connecting to the update server, hash check, deploy, hash read back, the new
// program booting, reconnecting and sending its boot event. The 10-socket board, idle.
import { FleetSim } from "../test/support/fleet-sim"
import { until } from "../sim/shed-sim"

function pct(xs: number[], p: number): number {
    const s = [...xs].sort((a, b) => a - b)
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

export async function printUpdateBench(trials = 3) {
    const tags = ["v1.0.0", "v1.1.0"]
    const f = new FleetSim({ board: "shed10", releases: tags.map(tag => ({ tag, edit: "none" as const })) })
    try {
        await f.start()
        for (const t of tags) await f.upload(t)
        const total: number[] = []
        for (let i = 0; i < trials; i++) {
            const v = tags[i % 2]
            await f.rolloutsFinished()
            const before = f.sim.backend.events.filter(e => e.t === "boot" && e.ver === v).length
            const t0 = Date.now()
            await f.post("/api/rollouts", { version: v, canary: [f.sim.boardId], percent: 100, soakS: 1, reportS: 120 })
            await until(() => f.sim.backend.events.filter(e => e.t === "boot" && e.ver === v).length > before, 180000, "the new version's boot event")
            total.push(Date.now() - t0)
        }
        const size = f.images.get(tags[0])!.manifest.size
        console.log("\n## field update (simulator, 10-socket board, idle)")
        // the first window finds the runtime polling for the socket; later ones wait for the
        // runtime's next try, up to 32 s after its last update-channel session (docs/updates.md)
        console.log(`update command to new version reporting, ${trials} deploys one after another: ${total.map(t => (t / 1000).toFixed(1) + " s").join(", ")}`)
        console.log(`of which the deploy itself (hash, ${size} bytes in 192-byte writes, hash read back): p50 ${pct(f.server.deployTimes, 50)} ms, max ${Math.max(...f.server.deployTimes)} ms`)
    } finally {
        await f.stop()
    }
}
