// Bench-only firmware entry: the 10-socket board's program as shipped, then the heap probe.
import "../src/main"
import { probeWhenAsked } from "./heap-probe-run"

await probeWhenAsked()
