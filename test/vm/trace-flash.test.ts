// A power trace whose finished chunks go to the board's flash (settings), inside the VM.
import { describe, test, expect } from "@devicescript/test"
import { PowerTrace, decodeTrace } from "../../src/core/trace"
import { flashTraces } from "../../src/shell/trace-flash"

describe("power trace in flash", () => {
    test("260 minutes: rows merged twice, every finished row read back from flash", async () => {
        const tr = new PowerTrace(flashTraces, 4)
        for (let t = 0; t <= 260 * 60; t += 20) {
            tr.add(t * 1000, t < 100 * 60 ? 300 : 40)
            if (tr.spillDue()) await tr.spill()
        }
        // 120 one-minute rows -> 60 of 2 -> 120 of 2 -> 60 of 4 (240 min), then 5 rows of 4
        expect(tr.minutesPerRow()).toBe(4)
        expect(tr.rows()).toBe(65)
        const chunks = await tr.chunks()
        expect(chunks.length).toBe(3)
        const rows = decodeTrace(chunks)
        expect(rows.length).toBe(65)
        expect(Math.abs(rows[0][0] - 300) < 12).toBe(true)
        expect(Math.abs(rows[64][0] - 40) < 2).toBe(true)
    })
})
