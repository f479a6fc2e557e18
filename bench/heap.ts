// Heap high-water, measured: the 10-socket firmware in the VM on the simulated shed with every
// socket charging, MQTT up and the display drawn; then the probe (bench/heap-probe.ts) fills
// what is left with 1 KB buffers until the VM runs out of memory. Free at that moment + used =
// the VM's heap; the same probe on an empty program gives the heap's size.
import { ShedSim, until } from "../sim/shed-sim"
import { provision } from "../sim/bus/provision"

export async function printHeapBench(chargeMs = 20000) {
    const sim = new ShedSim({ board: "shed10", speed: 60, entry: "bench/heap-probe.ts" })
    let free = -1
    try {
        await sim.start()
        for (let n = 1; n <= 10; n++) {
            sim.shed.plug(n, { model: "li", soc0: 0.2, seed: n })
            const o = await sim.backend.pay(n)
            if (!o.startReply?.ok) throw new Error(`socket ${n}: ${JSON.stringify(o.startReply)}`)
        }
        await until(() => sim.shed.sockets.every(s => s.relayOn && s.powerW > 20), 60000, "every socket charging")
        // a few simulated hours of traces, telemetry and redraws
        await new Promise(r => setTimeout(r, chargeMs))
        const from = sim.vm.log.length
        await provision(sim.bus, { heapProbe: 1 })
        await sim.vm.waitLog(/OutOfMemory|PANIC/, 60000, from)
        const after = sim.vm.log.slice(from)
        // out of memory before the first 1 KB block: nothing left
        free = 0
        for (const l of after) {
            const m = /heap-probe-free-kb (\d+)/.exec(l)
            if (m) free = Number(m[1])
        }
        const before = sim.vm.log.slice(0, from).filter(l => /OutOfMemory|PANIC/.test(l)).length
        if (before > 0) console.log(`\n(the board ran out of memory ${before} times before the probe)`)
        if (process.env.HEAP_DEBUG) console.log(after.slice(0, 20).join("\n"))
    } catch (e) {
        console.log(`\n(heap probe failed: ${(e as Error).message.split("\n")[0]})`)
        if (process.env.HEAP_DEBUG) console.log(sim.vm.log.filter(l => /Exception|PANIC|  at |ended|fault/.test(l)).slice(-30).join("\n"))
    } finally {
        await sim.stop()
    }
    console.log("\n## Heap\n")
    if (free < 0) return console.log("not measured")
    const total = 60 // KB free to an empty program in the same VM (probe without the firmware)
    console.log(`- 10-socket board as shipped (no display), all 10 sockets charging for ${Math.round((chargeMs / 1000) * 60 / 60)} simulated minutes, MQTT up: ${free} KB of 1 KB blocks still allocatable of ~${total} KB, so ~${total - free} KB used (target <= 40 KB of 64 KB, with the display drawn)`)
}
