// The size of a build's code: what the runtime's verifier limits (functions must end within the
// first 64 KB of the image, runtime/devicescript/verify.c check 1051), apart from the image total.
import { readFileSync } from "node:fs"

/**
 * Bytes of functions (descriptors, 16 B each, and code) a build may have: they follow the
 * image's 112-byte header (32 B and 10 section headers of 8 B), and must end before 64 KB.
 */
export const CODE_LIMIT = 65536 - 112

/** Bytes of functions in a build's size report (the last `devs build`'s by default). */
export function functionBytes(sizes = ".devicescript/bin/bytecode-sizes.md"): number {
    const m = /^\s*(\d+) \| Function TOTAL/m.exec(readFileSync(sizes, "utf8"))
    return m ? Number(m[1]) : -1
}
