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
