// Bench-only firmware entry: the 2-socket OLED board's program as shipped, then the heap probe.
import "../src/main_shed2"
import { probeWhenAsked } from "./heap-probe-run"

await probeWhenAsked()
