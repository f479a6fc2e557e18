// Bytes of a session's power trace: sessions of 1 to 24 h at one reading a second.
import { PowerTrace, TRACE_CHUNK_ROWS } from "../src/core/trace"

export async function printTraceBench() {
    console.log(`\n## Power trace\n\nheap: ${TRACE_CHUNK_ROWS * 3} bytes a session (the open chunk), whatever its length; finished chunks in flash (rows merge in pairs when full)`)
    for (const h of [1, 4, 12, 24]) {
        const tr = new PowerTrace()
        let writes = 0
        for (let t = 0; t <= h * 3600; t++) {
            tr.add(t * 1000, 200 + 50 * Math.sin(t / 600))
            if (tr.spillDue()) {
                // a spill writes one chunk, or two when the rows merge
                writes += tr.rows() >= 120 ? 2 : 1
                await tr.spill()
            }
        }
        const chunks = await tr.chunks()
        const wire = chunks.reduce((s, c) => s + c.length, 0)
        console.log(`- ${h} h session: ${tr.rows()} rows of ${tr.minutesPerRow()} min, ${chunks.length} chunk(s), ${wire} hex chars on the wire, ${writes} flash writes`)
    }
}
