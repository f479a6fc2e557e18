// The layout's rules, checked on the imports: the core is pure and portable (no DeviceScript
// or node imports, nothing from the shell), and the fleet tools and the simulator do not import
// each other (what both use is in host/ and boards/).
import { test } from "node:test"
import assert from "node:assert/strict"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { ROOT } from "../../host/root"

function tsFiles(dir: string): string[] {
    return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap(e => (e.isDirectory() ? tsFiles(`${dir}/${e.name}`) : e.name.endsWith(".ts") ? [`${dir}/${e.name}`] : []))
}

/** every module a file imports: package names as written, relative ones as project paths */
function importsOf(file: string): string[] {
    const text = readFileSync(join(ROOT, file), "utf8")
    const from = /^(?:import|export)\s+(?:type\s+)?(?:\{[^}]*\}|\*(?:\s+as\s+\w+)?|\w+(?:\s*,\s*\{[^}]*\})?)\s+from\s+["']([^"']+)["']/gm
    const bare = /^import\s+["']([^"']+)["']/gm
    return [...text.matchAll(from), ...text.matchAll(bare)].map(m => (m[1].startsWith(".") ? relative(ROOT, resolve(ROOT, dirname(file), m[1])) : m[1]))
}

test("the core imports nothing but the core", () => {
    for (const f of tsFiles("src/core")) for (const i of importsOf(f)) assert.ok(i.startsWith("src/core/"), `${f} imports ${i}`)
})

test("the fleet tools and the simulator do not import each other", () => {
    for (const f of tsFiles("fleet")) for (const i of importsOf(f)) assert.ok(!i.startsWith("sim/") && !i.startsWith("test/"), `${f} imports ${i}`)
    for (const f of tsFiles("sim")) for (const i of importsOf(f)) assert.ok(!i.startsWith("fleet/") && !i.startsWith("test/"), `${f} imports ${i}`)
    for (const f of tsFiles("host")) for (const i of importsOf(f)) assert.ok(!i.startsWith("fleet/") && !i.startsWith("sim/") && !i.startsWith("test/"), `${f} imports ${i}`)
})

test("the core's layers point one way: the protocol uses the sessions, never the other way", () => {
    const top = tsFiles("src/core").filter(f => f.split("/").length === 3)
    for (const f of top) for (const i of importsOf(f)) assert.ok(!i.startsWith("src/core/protocol/"), `${f} imports ${i}`)
})
