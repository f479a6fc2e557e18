import * as ds from "@devicescript/core"

console.log("shed controller: firmware shell not wired yet")
