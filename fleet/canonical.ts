// Canonical JSON for release manifests' signatures (fleet/release.ts), node only: object keys
// sorted (by UTF-16 code unit) at every level, no white space, strings and numbers as
// JSON.stringify writes them. The cloud protocol signs bytes instead (host/board-command.ts).

/** Code-unit order, written out: the VM's string `<` does not order strings this way. */
function byCodeUnits(a: string, b: string): number {
    const n = Math.min(a.length, b.length)
    for (let i = 0; i < n; i++) {
        const d = a.charCodeAt(i) - b.charCodeAt(i)
        if (d !== 0) return d
    }
    return a.length - b.length
}

export function canonicalJson(v: any): string {
    if (v === null || v === undefined) return "null"
    const t = typeof v
    if (t === "number" || t === "boolean" || t === "string") return JSON.stringify(v)
    if (Array.isArray(v)) {
        let s = "["
        for (let i = 0; i < v.length; i++) s += (i ? "," : "") + canonicalJson(v[i])
        return s + "]"
    }
    const keys = Object.keys(v).sort(byCodeUnits)
    let s = "{"
    let first = true
    for (let i = 0; i < keys.length; i++) {
        if (v[keys[i]] === undefined) continue
        s += (first ? "" : ",") + JSON.stringify(keys[i]) + ":" + canonicalJson(v[keys[i]])
        first = false
    }
    return s + "}"
}
