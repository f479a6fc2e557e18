// npm test: every test file in test/node, three at a time, the longest first. node --test sorts
// the files it is given by name, so a long file late in the alphabet (soak-e2e, vm) started
// last and ran on alone at the end; run() keeps the order given. TAP out, as node --test
// prints it; the exit code fails when a test does.
import { run } from "node:test"
import { tap } from "node:test/reporters"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../host/root"

/** the longest files (a fresh clone's run on two cores), longest first; every other file follows by name */
const LONGEST = [
    "fleet-e2e",
    "soak-e2e",
    "operator-path",
    "vm",
    "display-states-shed10-e2e",
    "powercut-e2e",
    "display-states-shed2tft-e2e",
    "display-states-shed2-e2e",
    "shed-e2e",
    "fuzz-e2e",
    "protections-e2e",
    "display-e2e",
    "flood-e2e",
]

const dir = join(ROOT, "test/node")
const all = readdirSync(dir)
    .filter(f => f.endsWith(".test.ts"))
    .sort()
const first = LONGEST.map(n => n + ".test.ts").filter(f => all.includes(f))
const files = [...first, ...all.filter(f => !first.includes(f))].map(f => join(dir, f))

run({ files, concurrency: 3 })
    .on("test:fail", () => {
        process.exitCode = 1
    })
    .compose(tap)
    .pipe(process.stdout)
