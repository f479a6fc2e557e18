// Temporary folders for a test file: node --test runs each file in a process of its own, so
// they are removed when that process exits, whatever the tests did (a test that fails midway
// left its folder in /tmp before: hundreds after a day of runs).
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const made: string[] = []
process.on("exit", () => {
    for (const d of made) rmSync(d, { recursive: true, force: true })
})

/** A fresh folder under the system's temp folder, named from `prefix`, removed at exit. */
export function tempDir(prefix: string): string {
    const d = mkdtempSync(join(tmpdir(), prefix))
    made.push(d)
    return d
}
