// A bench's charges judged for their minutes from full to cut-off (bench/corner.ts, bench/interruptions.ts).

export interface LateRow {
    /** minutes after full; null: not cut as full */
    lateMin: number | null
    early: boolean
}

/** The rows' minutes after full, sorted, and `at(q)`: their q-quantile as text (1: the worst; "-" when none). */
export function lateMinutes(rows: LateRow[]) {
    const late = rows
        .map(r => r.lateMin)
        .filter((x): x is number => x !== null)
        .sort((a, b) => a - b)
    return { late, at: (q: number) => (late.length ? late[Math.min(late.length - 1, Math.floor(q * late.length))].toFixed(1) : "-") }
}
