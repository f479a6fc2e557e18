// The firmware's version, reported on every boot event: the compiler embeds it from git. A
// release built on a tag says exactly that tag ("v1.2.0", fleet/release.ts); any other build
// says the next patch, the commit and, when the tree was dirty, the build time
// ("v0.1.1-d398324-2026.11.25.17.41"); outside git it is "dev".
import * as ds from "@devicescript/core"

export function firmwareVersion(): string {
    const v = ds._dcfgString("@version")
    return v ? v : "dev"
}
