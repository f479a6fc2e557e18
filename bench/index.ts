// npm run bench: prints every figure tracked in README's performance table.
import { printChargeBench } from "./charge"

console.log("# shed controller benchmark")
printChargeBench()
