// The project's root folder (where package.json is), wherever a sim module is loaded from.
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"

function find(from: string): string {
    let d = resolve(from)
    for (;;) {
        if (existsSync(join(d, "package.json")) && existsSync(join(d, "devsconfig.json"))) return d
        const up = dirname(d)
        if (up === d) return process.cwd()
        d = up
    }
}

export const ROOT = find(__dirname)
