import { printFirmwareBench } from "./firmware"
import { measureHeap } from "./heap"
async function main() {
    printFirmwareBench()
    const runs: [number, number, boolean, any][] = [[0, 5000, false, "shed10"], [10, 20000, false, "shed10"], [10, 20000, false, "shed10"], [9, 20000, false, "shed10"], [10, 20000, true, "shed10"], [1, 20000, false, "shed2"], [1, 20000, false, "shed2tft"]]
    for (const [n, ms, off, b] of runs) console.log(JSON.stringify(await measureHeap(n, ms, off, b)))
}
main()
