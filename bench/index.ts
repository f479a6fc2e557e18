// npm run bench: prints every figure tracked in README's performance table.
import { printChargeBench } from "./charge"
import { printQrBench } from "./qr"
import { printTraceBench } from "./trace"
import { printFirmwareBench } from "./firmware"

console.log("# shed controller benchmark")
printChargeBench()
printTraceBench()
printQrBench()
printFirmwareBench()
