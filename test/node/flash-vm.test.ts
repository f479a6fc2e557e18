// Flash writes in the VM (test/vm-flash/*.test.ts) fill the VM's flash, which `devs run` keeps in
// its working folder (.devicescript/flash): they run in a throwaway folder that links the
// project's files, so the other VM tests' flash is left as it is.
import { test } from "node:test"
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { symlinkSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../../host/root"
import { tempDir } from "../support/temp-dir"

const CLI = join(ROOT, "node_modules/@devicescript/cli/built/devicescript-cli.cjs")
const LINKED = ["devsconfig.json", "package.json", "tsconfig.json", "node_modules", "src", "services", "boards", "test"]

test("in a VM of its own: test/vm-flash/persist.test.ts", { timeout: 300000 }, async () => {
    const dir = tempDir("shed-flash-")
    for (const f of LINKED) symlinkSync(join(ROOT, f), join(dir, f))
    const out = await new Promise<string>(res => {
        const p = spawn(process.execPath, [CLI, "run", "test/vm-flash/persist.test.ts", "--test", "--test-self-exit", "--test-timeout", "120000"], {
            cwd: dir,
            env: { ...process.env, NO_COLOR: "1" },
        })
        let o = ""
        p.stdout.on("data", d => (o += d))
        p.stderr.on("data", d => (o += d))
        p.on("close", code => res(o + "\nexit " + code))
    })
    const m = /tests: (\d+), pass: (\d+), error: (\d+)/.exec(out)
    assert.ok(m, `no test summary from the VM:\n${out}`)
    assert.equal(m[3], "0", out)
    assert.equal(m[1], m[2], out)
    assert.match(out, /exit 0$/, out)
    assert.match(out, /flash fill: accepted \d+, refused [1-9]\d*, lost 0/, out)
})
