// Runs every test/vm/*.test.ts inside the DeviceScript VM, one process each,
// and fails if any of them fails. The VM's own runner prints "tests: N, pass: N, error: N".
import { readdirSync } from "node:fs"
import { spawnSync } from "node:child_process"
import { join } from "node:path"

const dir = "test/vm"
const files = readdirSync(dir).filter(f => f.endsWith(".test.ts")).sort()
let failed = 0
let passedTotal = 0
for (const f of files) {
    const file = join(dir, f)
    const r = spawnSync("npx", ["devs", "run", file, "--test", "--test-self-exit", "--test-timeout", "120000"], {
        encoding: "utf8",
    })
    const out = (r.stdout || "") + (r.stderr || "")
    const m = /tests: (\d+), pass: (\d+), error: (\d+)/.exec(out)
    const ok = r.status === 0 && m && m[3] === "0" && m[1] === m[2]
    if (m) passedTotal += +m[2]
    console.log(`${ok ? "ok" : "FAIL"} ${file}${m ? ` (${m[2]}/${m[1]} passed)` : ""}`)
    if (!ok) {
        failed++
        console.log(out.split("\n").filter(l => !/nodedir/.test(l)).join("\n"))
    }
}
console.log(`vm: ${passedTotal} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
