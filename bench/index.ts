// npm run bench: prints every figure tracked in README's performance table.
import { JUDGING_SEEDS, printChargeBench, printFamilyTable, printGeneralisation, TUNING_SEEDS } from "./charge"
import { printQrBench } from "./qr"
import { printCornerBench } from "./corner"
import { printInterruptionBench } from "./interruptions"
import { printPullBench } from "./pulls"
import { printLongTailBench } from "./long-tail"
import { printPulseFloatBench } from "./pulse-floats"
import { printBrownoutBench } from "./brownouts"
import { printTraceBench } from "./trace"
import { printFlashBench } from "./flash"
import { printFlashBudget } from "./flash-budget"
import { printLiveFlash } from "./flash-live"
import { printFirmwareBench, printLatencyBench } from "./firmware"
import { printBusBench } from "./bus"
import { printHeapBench } from "./heap"
import { printWireBench } from "./wire"
import { printUpdateBench } from "./update"
import { printFloodBench } from "./flood"
import { printFleetLoadBench } from "./fleet-load"

console.log("# shed controller benchmark")
printChargeBench()
printFamilyTable(JUDGING_SEEDS)
printFamilyTable(JUDGING_SEEDS, true)
printGeneralisation([...TUNING_SEEDS, ...JUDGING_SEEDS])
printTraceBench()
printFlashBench()
printFlashBudget()
printQrBench()
printFirmwareBench()
printLatencyBench()
printInterruptionBench()
printPullBench()
printLongTailBench()
printPulseFloatBench()
printBrownoutBench()
printCornerBench()
    .then(() => printBusBench())
    .then(() => printWireBench())
    .then(() => printLiveFlash())
    .then(() => printHeapBench())
    .then(() => printUpdateBench())
    .then(() => printFloodBench())
    .then(() => printFleetLoadBench())
    .catch(e => {
        console.error(e)
        process.exitCode = 1
    })
