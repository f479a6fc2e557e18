// A bench's charges judged for their minutes from full to cut-off (bench/corner.ts, bench/interruptions.ts,
// bench/pulse-floats.ts, bench/brownouts.ts).

export interface LateRow {
    /** minutes after full; null: not cut as full */
    lateMin: number | null
    early: boolean
}

/** A replayed charge against its true full time `fullS` (s): early when cut before it, late when cut as full after it. */
export function judgeLate(r: { outcome: string | null; stop_s: number | null }, fullS: number): LateRow {
    return { early: r.stop_s !== null && r.stop_s < fullS, lateMin: r.outcome === "full" && r.stop_s! >= fullS ? (r.stop_s! - fullS) / 60 : null }
}

/** The rows' minutes after full, sorted, and `at(q)`: their q-quantile as text (1: the worst; "-" when none). */
export function lateMinutes(rows: LateRow[]) {
    const late = rows
        .map(r => r.lateMin)
        .filter((x): x is number => x !== null)
        .sort((a, b) => a - b)
    return { late, at: (q: number) => (late.length ? late[Math.min(late.length - 1, Math.floor(q * late.length))].toFixed(1) : "-") }
}
