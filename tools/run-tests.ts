// npm test: every test file in test/node, four at a time, reported as node --test does (spec
// on a terminal, TAP else); the exit code fails when a test does. `npm test -- <files>` runs
// those files alone. Most files wait on simulated time far more than they compute (three at a
// time used under half of two cores), so four overlap well. node --test sorts its files by
// name, which starts soak-e2e and vm last: long files that mostly wait (soak-e2e: 3 min of a
// shed at 240x, a few % of a core), which then ran on alone for the run's last minute. run()
// keeps the order given: those first, every other file by name. (Taking the longest files
// first, CPU-heavy ones included, overloaded the machine at the start and once timed out a
// relay's wait: d321b6f, reverted.)
import { run } from "node:test"
import { spec, tap } from "node:test/reporters"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../host/root"

const FIRST = ["soak-e2e.test.ts", "vm.test.ts"]

const dir = join(ROOT, "test/node")
const all = readdirSync(dir)
    .filter(f => f.endsWith(".test.ts"))
    .sort()
const given = process.argv.slice(2)
const files = given.length ? given : [...FIRST.filter(f => all.includes(f)), ...all.filter(f => !FIRST.includes(f))].map(f => join(dir, f))

run({ files, concurrency: 4 })
    .on("test:fail", () => {
        process.exitCode = 1
    })
    .compose(process.stdout.isTTY ? new spec() : tap)
    .pipe(process.stdout)
