// npm start as a user runs it: commands on stdin, the live table on stdout, and nothing left
// running after Ctrl-C (every process it started carries our tag in its environment).
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { randomBytes } from "node:crypto"

function tagged(tag: string): number[] {
    const pids: number[] = []
    for (const d of readdirSync("/proc")) {
        if (!/^\d+$/.test(d)) continue
        try {
            if (readFileSync(`/proc/${d}/environ`, "latin1").includes(`SHED_LIVE_TAG=${tag}`)) pids.push(Number(d))
        } catch {
            // the process ended meanwhile, or is not ours to read
        }
    }
    return pids
}

test("npm start: pay on a plugged socket charges it; Ctrl-C leaves nothing running", { timeout: 180000 }, async () => {
    const tag = randomBytes(6).toString("hex")
    const p = spawn(process.execPath, ["--import", "tsx", "sim/live.ts", "--speed", "60", "--board", "shed2"], {
        env: { ...process.env, SHED_LIVE_TAG: tag },
        stdio: ["pipe", "pipe", "pipe"],
    })
    let out = ""
    p.stdout.on("data", d => (out += d))
    p.stderr.on("data", d => (out += d))
    const until = async (re: RegExp, ms: number) => {
        const t0 = Date.now()
        while (!re.test(out)) {
            if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re}:\n${out.slice(-2000)}`)
            await new Promise(r => setTimeout(r, 100))
        }
    }
    try {
        await until(/cloud online/, 120000)
        p.stdin.write("plug 2 li\npay 2\n")
        await until(/\n2\s+li-basic\s+charging\s+on\s/, 60000)
        // a typo is said, and changes nothing
        p.stdin.write("temp hot\nmains lots\n")
        await until(/temp takes degrees C, "open" or "silent", not "hot"/, 10000)
        await until(/mains takes volts, not "lots"/, 10000)
        assert.doesNotMatch(out, /NaN/)
        assert.ok(tagged(tag).length >= 2, "the live view and its VM run")
        p.kill("SIGINT")
        const code = await new Promise<number | null>(res => p.on("exit", c => res(c)))
        assert.equal(code, 0)
        await new Promise(r => setTimeout(r, 500))
        assert.deepEqual(tagged(tag), [], "no process left behind")
    } finally {
        for (const pid of tagged(tag)) process.kill(pid, "SIGKILL")
    }
})
