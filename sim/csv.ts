// Charge curve CSV: `t_s,power_w,current_a,voltage_v`, one reading per line, any spacing.
// The reader is strict: a recorded curve with a bad line is refused with the line number,
// never half-read. Many smart plugs export power only: current and voltage may be left empty
// (NaN in the samples), but a column is then empty on every line, never on some; or left out
// of the header (`t_s,power_w`). The header names the columns, in any order.

export const CURVE_HEADER = "t_s,power_w,current_a,voltage_v"

export interface CurveSample {
    t_s: number
    power_w: number
    current_a: number
    voltage_v: number
}

/** The most a Socket Meter's register (i22.10) can carry: no recorded reading is larger. */
const MAX_READING = 2097151

export class CurveCsvError extends Error {
    constructor(
        readonly line: number,
        message: string
    ) {
        super(`line ${line}: ${message}`)
    }
}

/**
 * Text from a file, fit to echo in an error on a terminal: control characters (an escape
 * sequence in a hostile file could rewrite the screen) escaped as \uXXXX, cut at `max`.
 */
export function printable(text: string, max = 200): string {
    const cut = text.length > max ? text.slice(0, max) + "..." : text
    return cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, c => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"))
}

/** The columns a curve left empty on every line (power-only exports): current_a, voltage_v. */
export function missingColumns(samples: CurveSample[]): string[] {
    const out: string[] = []
    if (samples.length && samples.every(x => Number.isNaN(x.current_a))) out.push("current_a")
    if (samples.length && samples.every(x => Number.isNaN(x.voltage_v))) out.push("voltage_v")
    return out
}

/** The columns a curve may have; the first two it must. */
const COLUMNS = ["t_s", "power_w", "current_a", "voltage_v"]

export function parseCurveCsv(text: string): CurveSample[] {
    const lines = text.split(/\r?\n/)
    const head = lines[0]
        .replace(/^\uFEFF/, "")
        .split(",")
        .map(x => x.trim())
    // where each known column is (-1: left out, as empty on every line)
    const at = COLUMNS.map(n => head.indexOf(n))
    if (at[0] < 0 || at[1] < 0 || head.some((n, k) => COLUMNS.indexOf(n) < 0 || head.indexOf(n) !== k))
        throw new CurveCsvError(1, `header must name t_s and power_w, and may name current_a and voltage_v, each once in any order ("${CURVE_HEADER}"), got "${printable(lines[0], 80)}"`)
    const out: CurveSample[] = []
    const emptyCols = [false, false, false, false]
    let lastT = -Infinity
    for (let i = 1; i < lines.length; i++) {
        const line = lines[i].trim()
        if (line === "") {
            if (lines.slice(i).every(l => l.trim() === "")) break
            throw new CurveCsvError(i + 1, "empty line inside the data")
        }
        const cells = line.split(",")
        if (cells.length !== head.length) throw new CurveCsvError(i + 1, `expected ${head.length} fields (the header's), got ${cells.length}`)
        const f = at.map(k => (k < 0 ? "" : cells[k]))
        const nums = f.map(x => (x.trim() === "" ? NaN : Number(x)))
        for (let k = 0; k < 4; k++) {
            const empty = f[k].trim() === ""
            // current and voltage may be empty, but then on every line: a column that is
            // empty on some lines only is a damaged file
            if (k >= 2 && empty && (i === 1 || emptyCols[k])) {
                emptyCols[k] = true
                continue
            }
            if (k >= 2 && i > 1 && emptyCols[k]) throw new CurveCsvError(i + 1, `${COLUMNS[k]} is empty on line 2 but not here: leave it empty on every line or on none`)
            if (k >= 2 && empty) throw new CurveCsvError(i + 1, `${COLUMNS[k]} is empty here but not on line 2: leave it empty on every line or on none`)
            if (!Number.isFinite(nums[k])) throw new CurveCsvError(i + 1, `${COLUMNS[k]} is not a number: "${printable(f[k], 40)}"`)
        }
        if (nums[0] <= lastT) throw new CurveCsvError(i + 1, `t_s must increase (${nums[0]} after ${lastT})`)
        if (nums[1] < 0 || nums[2] < 0 || nums[3] < 0) throw new CurveCsvError(i + 1, "power, current and voltage must not be negative")
        if (nums[1] > MAX_READING || nums[2] > MAX_READING || nums[3] > MAX_READING)
            throw new CurveCsvError(i + 1, `power, current and voltage must be at most ${MAX_READING} (what a socket meter can read)`)
        lastT = nums[0]
        out.push({ t_s: nums[0], power_w: nums[1], current_a: nums[2], voltage_v: nums[3] })
    }
    if (out.length === 0) throw new CurveCsvError(2, "no readings")
    return out
}

export function formatCurveCsv(samples: CurveSample[]): string {
    const rows = [CURVE_HEADER]
    const f = (x: number) => (Number.isNaN(x) ? "" : String(x))
    for (const s of samples) rows.push(`${s.t_s},${s.power_w},${f(s.current_a)},${f(s.voltage_v)}`)
    return rows.join("\n") + "\n"
}
