// Small numeric helpers shared by the core. Plain functions: they compile for the
// DeviceScript VM and for node alike.

export function clamp(x: number, lo: number, hi: number): number {
    return x < lo ? lo : x > hi ? hi : x
}

/** Round to `digits` decimals (for figures that go on the wire or in reports). */
export function roundTo(x: number, digits: number): number {
    const f = Math.pow(10, digits)
    return Math.round(x * f) / f
}

/** A number that is neither NaN nor infinite (the VM has no global isFinite). */
export function finite(x: number): boolean {
    return typeof x === "number" && x === x && x !== Infinity && x !== -Infinity
}

/** FNV-1a, 32 bit, of `text`'s char codes (their low 8 bits). */
export function fnv1a32(text: string): number {
    let h = 0x811c9dc5
    for (let j = 0; j < text.length; j++) {
        h = (h ^ (text.charCodeAt(j) & 0xff)) >>> 0
        // h * 0x01000193 mod 2^32 in 16-bit halves (exact in doubles, no Math.imul needed)
        const lo = h & 0xffff
        const hi = h >>> 16
        h = (lo * 0x193 + (((hi * 0x193 + lo * 0x100) & 0xffff) << 16)) >>> 0
    }
    return h
}
