// `npm run sim` as a user runs it: a scenario that ends with an order still running when its
// maxS is reached fails (exit 1) and names the order; the console says when a session ends.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../../host/root"
import { tempDir } from "../support/temp-dir"

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise(res => {
        const p = spawn(process.execPath, ["--import", "tsx", join(ROOT, "sim/run.ts"), ...args], { cwd: ROOT })
        let out = ""
        let err = ""
        p.stdout.on("data", d => (out += d))
        p.stderr.on("data", d => (err += d))
        p.on("close", code => res({ code, out, err }))
    })
}

test("npm run sim: a session left unbilled at maxS fails the run and is named; an ended one is printed", { timeout: 240000 }, async () => {
    const dir = tempDir("sim-run-")
    // socket 1: a charger without a battery ends (no_load) within the run; socket 2 charges past maxS
    const scenario = {
        board: "shed2",
        speed: 60,
        maxS: 900,
        actions: [
            { at: 0, do: "plug", socket: 1, model: "empty" },
            { at: 0, do: "plug", socket: 2, model: "li", soc0: 0.2, seed: 3 },
            { at: 5, do: "pay", socket: 1 },
            { at: 10, do: "pay", socket: 2 },
        ],
    }
    writeFileSync(join(dir, "s.json"), JSON.stringify(scenario))
    const r = await run(["--scenario", join(dir, "s.json"), "--report", join(dir, "r.json")])
    const report = JSON.parse(readFileSync(join(dir, "r.json"), "utf8"))
    assert.equal(report.timedOut, true)
    const open = report.sockets[1].sessions[0].order
    assert.equal(r.code, 1, r.err)
    assert.match(r.err, new RegExp(`not billed: ${open} \\(socket 2\\)`))
    assert.match(r.out, /socket 1: session \S+ ended: no_load, [\d.]+ Wh in [\d.]+ min/)
})
