// Bytes of a session's power trace: sessions of 1 to 24 h at one reading a second.
import { PowerTrace, TRACE_ROWS } from "../src/core/trace"

export function printTraceBench() {
    console.log(`\n## Power trace\n\nheap: ${TRACE_ROWS * 3} bytes a session, whatever its length (${TRACE_ROWS} rows; rows merge in pairs when full)`)
    for (const h of [1, 4, 12, 24]) {
        const tr = new PowerTrace()
        for (let t = 0; t <= h * 3600; t++) tr.add(t * 1000, 200 + 50 * Math.sin(t / 600))
        const chunks = tr.chunks()
        const wire = chunks.reduce((s, c) => s + c.length, 0)
        console.log(`- ${h} h session: ${tr.rows()} rows of ${tr.minutesPerRow()} min, ${chunks.length} chunk(s), ${wire} hex chars on the wire`)
    }
}
