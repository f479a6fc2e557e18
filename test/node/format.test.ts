// The code is in the formatter's style (prettier with the repo's .prettierrc): `npm run format`
// fixes what this finds.
import { test } from "node:test"
import assert from "node:assert/strict"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import * as prettier from "prettier"
import { ROOT } from "../../host/root"

const DIRS = ["src", "sim", "fleet", "host", "boards", "bench", "tools", "test"]

function tsFiles(dir: string): string[] {
    return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap(e => (e.isDirectory() ? tsFiles(`${dir}/${e.name}`) : e.name.endsWith(".ts") ? [`${dir}/${e.name}`] : []))
}

test("every TypeScript file is formatted as .prettierrc says (npm run format)", async () => {
    const unformatted: string[] = []
    for (const f of DIRS.flatMap(tsFiles)) {
        const file = join(ROOT, f)
        const options = await prettier.resolveConfig(file)
        if (!(await prettier.check(readFileSync(file, "utf8"), { ...options, filepath: file }))) unformatted.push(f)
    }
    assert.deepEqual(unformatted, [])
})
