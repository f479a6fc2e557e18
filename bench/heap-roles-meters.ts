// Heap bench: the ten Socket Meter roles of the simulated 10-socket board, watched as its
// program watches them (src/shell/meters.ts), readings kept as the control loop keeps them;
// then the heap probe (bench/heap-roles.ts).
import { busMeters, meterRoles } from "../src/shell/meters"
import { probeWhenAsked } from "./heap-probe-run"

const p: number[] = []
const v: number[] = []
const a: number[] = []
for (let i = 0; i < 10; i++) {
    p.push(0)
    v.push(0)
    a.push(0)
}
await busMeters(meterRoles(10))({
    power: async (i, w) => {
        p[i] = w
    },
    voltage: (i, x) => {
        v[i] = x
    },
    current: (i, x) => {
        a[i] = x
    },
    wantsCurrent: () => false,
    mainsLost: async () => {},
})
console.log("heap-roles: ready")
await probeWhenAsked()
