// Bytes of a session's power trace: a 12 h session at one reading a second.
import { PowerTrace } from "../src/core/trace"

export function printTraceBench() {
    const tr = new PowerTrace(720)
    for (let t = 0; t <= 12 * 3600; t++) tr.add(t * 1000, 200 + 50 * Math.sin(t / 600))
    const chunks = tr.chunks()
    const bytes = tr.minutes() * 3
    const wire = chunks.reduce((s, c) => s + c.length, 0)
    console.log(`\n## Power trace\n\n12 h session: ${tr.minutes()} minutes, ${bytes} bytes (3 per minute), ${chunks.length} chunks of <= ${Math.max(...chunks.map(c => c.length))} hex chars, ${wire} chars on the wire`)
}
