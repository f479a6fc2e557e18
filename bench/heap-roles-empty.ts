// Heap bench: nothing but the heap probe, beside bench/heap-roles-meters.ts (the same with the
// ten Socket Meter roles the simulated 10-socket board reads): their difference is what those
// roles hold, which the board itself, fed by its metering chip, does not (bench/heap-roles.ts).
import { probeWhenAsked } from "./heap-probe-run"

console.log("heap-roles: ready")
await probeWhenAsked()
