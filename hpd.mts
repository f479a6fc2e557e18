import { measureHeap } from "./scratch/heapd"
console.log(JSON.stringify(await measureHeap(Number(process.env.N ?? 10), Number(process.env.MS ?? 20000))))
process.exit(0)
