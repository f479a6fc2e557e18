// The fleet load run at an operator's scale (test/support/fleet-load.ts; docs/updates.md "A large
// fleet"): 10,000 simulated boards, two update-server processes on one PostgreSQL, a bad release
// whose canaries crash, then a good one through every stage with 1 % of the boards dropping mid
// deploy and one server killed (SIGKILL) at 40 %. FLEET_LOAD_BOARDS=<n> runs another size.
import { LoadFigures, LoadOptions, runFleetLoad } from "../test/support/fleet-load"

export const BENCH_LOAD: LoadOptions = {
    boards: 10000,
    canaries: 10,
    crashers: 3,
    dropShare: 0.01,
    killAt: 0.4,
    percent: 10,
    soakS: 2,
    imageBytes: 4096,
    writeMs: 5,
    mqttConns: 20,
    timeoutMs: 20 * 60000,
}

export function printLoadFigures(f: LoadFigures) {
    const g = f.good
    console.log(`  ${f.boards} boards, ${f.servers} update servers on one PostgreSQL, images of ${f.imageBytes} bytes`)
    console.log(`  bad release: ${f.bad.crashers} of ${f.bad.canaries} canaries crash; rolled back in ${(f.bad.ms / 1000).toFixed(1)} s (${f.bad.reason.split(";")[0]}...)`)
    console.log(
        `    rollback's reach: ${f.bad.reached} boards ran it (${f.boards - f.bad.reached} never did), ${f.bad.back} of ${f.bad.reached} back on the previous release, ${f.bad.rolledBack} counted rolled back, stages reached: ${f.bad.stagesReached.join(", ")}`
    )
    console.log(`  good release: ${g.updated} of ${f.boards} boards in ${(g.ms / 1000).toFixed(1)} s (stage soaks ${(g.soakMs / 1000).toFixed(0)} s of it): ${g.perMinute} boards updated per minute`)
    console.log(
        `    ${g.dropped} boards dropped mid-deploy; server B killed at ${g.atKill} boards with ${g.cutByKill} deploys claimed, ${g.halfAtKill} boards then on a half-written image, ${g.takenOver} claims taken over`
    )
    console.log(`  deploys duplicated: ${f.duplicated} (must be 0)`)
    console.log(`  boards left on a half-written image: ${f.halfWritten} (must be 0)`)
    console.log(`  records agreeing with the boards: ${f.recordsAgree} of ${f.boards}`)
}

export async function printFleetLoadBench() {
    const boards = Number(process.env.FLEET_LOAD_BOARDS ?? BENCH_LOAD.boards)
    console.log(`\n## Fleet load run (${boards} boards, two update servers, PostgreSQL)`)
    const t0 = Date.now()
    const f = await runFleetLoad({ ...BENCH_LOAD, boards, log: l => console.error(`  [${((Date.now() - t0) / 1000).toFixed(0)} s] ${l}`) })
    printLoadFigures(f)
}
