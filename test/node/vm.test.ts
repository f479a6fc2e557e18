// The core and the shell inside the DeviceScript VM: each test/vm/*.test.ts runs in its own VM
// (`devs run --test --test-self-exit`), whose runner prints "tests: N, pass: N, error: N".
// A node test file, so `npm test` runs them in the same pool as the others.
import { describe, test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../../host/root"

const CLI = join(ROOT, "node_modules/@devicescript/cli/built/devicescript-cli.cjs")
const dir = join(ROOT, "test/vm")

function run(file: string): Promise<{ code: number | null; out: string }> {
    return new Promise(res => {
        const p = spawn(process.execPath, [CLI, "run", file, "--test", "--test-self-exit", "--test-timeout", "120000"], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } })
        let out = ""
        p.stdout.on("data", d => (out += d))
        p.stderr.on("data", d => (out += d))
        p.on("close", code => res({ code, out }))
    })
}

// Two VMs at a time: each mostly waits on its own timers (shell.test: ~9 s of CPU in 70 s);
// each compiles its program in memory, so they share nothing but the build's output folder.
// The longest (shell.test, its 20 short-circuit trials: over half of the files' time) first.
const files = readdirSync(dir)
    .filter(f => f.endsWith(".test.ts"))
    .sort((a, b) => Number(b === "shell.test.ts") - Number(a === "shell.test.ts") || a.localeCompare(b))
describe("the VM tests", { concurrency: 2 }, () => {
    for (const f of files) {
        test(`in the VM: test/vm/${f}`, { timeout: 300000 }, async () => {
            const r = await run(join("test/vm", f))
            const m = /tests: (\d+), pass: (\d+), error: (\d+)/.exec(r.out.replace(/\x1b\[[0-9;]*m/g, ""))
            const said = r.out
                .split("\n")
                .filter(l => !/nodedir/.test(l))
                .join("\n")
            assert.ok(m, `no test summary from the VM:\n${said}`)
            assert.equal(m[3], "0", said)
            assert.equal(m[1], m[2], said)
            assert.equal(r.code, 0, said)
        })
    }
})
