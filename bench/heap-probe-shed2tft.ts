// Bench-only firmware entry: the 2-socket TFT board's program as shipped, then the heap probe.
import "../src/main_shed2_tft"
import { probeWhenAsked } from "./heap-probe-run"

await probeWhenAsked()
