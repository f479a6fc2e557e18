// What is plugged into a simulated socket: a charger model from the corpus recipes, a
// recorded curve (CSV, replayed against time powered), or a charger without a battery.
import { readFileSync } from "node:fs"
import { parseCurveCsv, CurveSample } from "../csv"
import { RECIPES } from "../chargers/recipes"
import { Rng } from "../chargers/rng"
import { ChargerModel } from "../chargers/types"

export interface PlugSpec {
    /** a recipe name (li-basic, la-3stage, ...), an alias (li, la3, la2, empty) or "csv" */
    model: string
    /** CSV file for model "csv" */
    csv?: string
    seed?: number
    /** state of charge at plug-in, for lithium models (0..1) */
    soc0?: number
}

export const ALIASES: { [k: string]: string } = { li: "li-basic", la3: "la-3stage", la2: "la-2stage", fan: "li-fan", soft: "li-softstart" }

export interface Plug {
    readonly name: string
    /** wall power (W) over the next `dt` seconds of being powered, at mains `v` */
    draw(tPowered: number, dt: number, v: number): number
    pf: number
    /**
     * the current (A at 230 V) its mains input filter draws while powered, whatever it draws
     * (sim/chargers/simulate.ts): 0 for a recording, whose own current is unknown
     */
    filterA: number
}

/** an X2 capacitor of 0.27 uF at 50 Hz */
const FILTER_A = 0.02

class ModelPlug implements Plug {
    filterA = FILTER_A
    constructor(
        readonly name: string,
        private m: ChargerModel
    ) {}
    get pf() {
        return this.m.pf
    }
    draw(t: number, dt: number, v: number) {
        return this.m.step(t, dt, v)
    }
}

class CsvPlug implements Plug {
    pf = 0.95
    filterA = 0
    private i = 0
    constructor(
        readonly name: string,
        private s: CurveSample[]
    ) {}
    draw(t: number) {
        while (this.i + 1 < this.s.length && this.s[this.i + 1].t_s <= t) this.i++
        return t > this.s[this.s.length - 1].t_s ? 0 : this.s[this.i].power_w
    }
}

/** A charger with no battery on it draws its idle power and nothing more. */
class EmptyCharger implements Plug {
    pf = 0.5
    filterA = FILTER_A
    name = "empty"
    constructor(private idleW: number) {}
    draw() {
        return this.idleW
    }
}

export function makePlug(spec: PlugSpec): Plug {
    const rng = new Rng(spec.seed ?? 1)
    if (spec.model === "empty") return new EmptyCharger(2.5)
    if (spec.model === "csv") {
        if (!spec.csv) throw new Error('model "csv" needs a "csv" file')
        return new CsvPlug("csv:" + spec.csv, parseCurveCsv(readFileSync(spec.csv, "utf8")))
    }
    const name = ALIASES[spec.model] ?? spec.model
    const r = RECIPES.find(x => x[0] === name)
    if (!r) throw new Error(`unknown charger model "${spec.model}": ${["empty", "csv", ...Object.keys(ALIASES), ...RECIPES.map(x => x[0])].join(", ")}`)
    const recipe = r[2](rng)
    if (!recipe.charger) throw new Error(`recipe "${name}" has no charger`)
    const m = recipe.charger as any
    if (spec.soc0 !== undefined && m.p?.packs) {
        m.p.packs[0].soc0 = spec.soc0
        m.soc = spec.soc0
    }
    return new ModelPlug(name, recipe.charger)
}
