// Randomised recipes for every family and field phenomenon of the corpus. Each recipe draws
// its parameters from ranges seen on real e-bike chargers (docs/charge-curves.md) and says
// what a correct controller must conclude.

import { LeadAcidCharger, LeadAcidParams } from "./leadacid"
import { LithiumCharger, LithiumParams } from "./lithium"
import { Brownout, Mains } from "./mains"
import { Rng } from "./rng"
import { Events, MeterOptions } from "./simulate"
import { ChargerModel } from "./types"

export interface Recipe {
    family: string
    description: string
    charger: ChargerModel | null
    mains: Mains
    events: Events
    meter: MeterOptions
    /** simulate this long (s) */
    simulateS: number
    expected: "full" | "unplugged" | "no_load" | "overload" | "short" | "max_duration"
    /** cut the written curve this long after the truth moment (s) */
    tailS: number
    eventAtS?: number
    healthy: boolean
    neverFull?: boolean
}

const HOUR = 3600

export function meterDefaults(rng: Rng, sampleS = 1): MeterOptions {
    return { noiseW: rng.uniform(0.05, 0.3), noisePct: rng.uniform(0.002, 0.01), floorW: rng.uniform(0.1, 0.5), glitchesAtS: [], silences: [], sampleS }
}

function mains(rng: Rng, brownouts: Brownout[] = []): Mains {
    const nominal = rng.chance(0.15) ? rng.uniform(247, 252) : rng.uniform(215, 240)
    return new Mains(nominal, brownouts, rng)
}

const LI_CELLS = [10, 10, 13, 13, 14]

export function lithiumParams(rng: Rng, over: Partial<LithiumParams> = {}): LithiumParams {
    const cells = rng.pick(LI_CELLS)
    const capAh = rng.uniform(10, 20)
    const iccA = rng.pick([2, 2.5, 3, 4, 5])
    const idle = rng.pick(["zero", "low", "brand"])
    return {
        cells,
        packs: [{ capAh, soc0: rng.uniform(0.05, 0.7) }],
        iccA,
        termFrac: rng.uniform(0.04, 0.2),
        rOhm: rng.uniform(0.25, 0.7),
        eff: rng.uniform(0.84, 0.92),
        overheadW: rng.uniform(0.5, 3),
        idleW: idle === "zero" ? rng.uniform(0, 0.1) : idle === "low" ? rng.uniform(0.5, 0.9) : rng.uniform(4, 6),
        softStartS: rng.uniform(0, 3),
        inrushW: 0,
        pf: rng.uniform(0.93, 0.99),
        brownout: { dropoutV: 0, restartS: 0 },
        switchDipS: 0,
        leakFrac: 0,
        pulseOnS: 0,
        pulseOffS: 0,
        balanceS: 0,
        restartDelayS: 0,
        restartS: 0,
        fanW: 0,
        fanRunOnS: 0,
        fanCycleOnS: 0,
        fanCycleOffS: 0,
        maintEveryS: 0,
        maintS: 0,
        ...over,
    }
}

function li(family: string, description: string, rng: Rng, over: Partial<LithiumParams> = {}, extra: Partial<Recipe> = {}): Recipe {
    const p = lithiumParams(rng, over)
    return {
        family,
        description,
        charger: new LithiumCharger(family, p, () => rng.next()),
        mains: mains(rng),
        events: {},
        meter: meterDefaults(rng),
        simulateS: 14 * HOUR,
        expected: "full",
        tailS: rng.uniform(45, 90) * 60,
        healthy: true,
        ...extra,
    }
}

export function leadAcidParams(rng: Rng, stages: 2 | 3): LeadAcidParams {
    const capAh = rng.uniform(10, 24)
    return {
        blocks: rng.pick([2, 3, 4]),
        capAh,
        soc0: rng.uniform(0.1, 0.6),
        ibulkA: capAh * rng.uniform(0.1, 0.25),
        stages,
        socAbs: rng.uniform(0.7, 0.85),
        tauAbsS: rng.uniform(20, 80) * 60,
        iAsymFrac: rng.uniform(0.02, 0.06),
        iFloatSwitchFrac: rng.uniform(0.08, 0.2),
        floatStartFrac: rng.uniform(0.02, 0.05),
        floatEndFrac: rng.uniform(0.005, 0.015),
        floatTauS: rng.uniform(30, 120) * 60,
        eff: rng.uniform(0.75, 0.88),
        overheadW: rng.uniform(1, 4),
        softStartS: rng.uniform(0, 5),
        inrushW: 0,
        pf: rng.uniform(0.6, 0.95),
        brownout: { dropoutV: 0, restartS: 0 },
        flatTruthFrac: 0.1,
    }
}

function la(stages: 2 | 3, rng: Rng, family?: string, description?: string, over: Partial<LeadAcidParams> = {}): Recipe {
    const p = { ...leadAcidParams(rng, stages), ...over }
    family = family ?? (stages === 3 ? "leadacid-3stage" : "leadacid-2stage")
    return {
        family,
        description: description ?? (stages === 3 ? "lead-acid bulk, absorption taper, step to float" : "lead-acid bulk, then a constant voltage taper flattening onto float current"),
        charger: new LeadAcidCharger(family, p),
        mains: mains(rng),
        events: {},
        meter: meterDefaults(rng),
        simulateS: 16 * HOUR,
        expected: "full",
        tailS: rng.uniform(45, 90) * 60,
        healthy: true,
    }
}

export type RecipeMaker = (rng: Rng) => Recipe

/** [name, count, maker] */
export const RECIPES: [string, number, RecipeMaker][] = [
    ["li-basic", 16, rng => li("li-cccv", "lithium CC/CV, termination then idle", rng)],
    [
        "li-small24",
        5,
        rng =>
            li("li-small24", "24 V pack on a small charger plateauing near 25 W", rng, {
                cells: 7,
                iccA: rng.uniform(0.8, 1.0),
                packs: [{ capAh: rng.uniform(6, 10), soc0: rng.uniform(0.1, 0.6) }],
                idleW: rng.uniform(0.1, 0.8),
            }),
    ],
    [
        "li-fan",
        6,
        rng =>
            li("li-fan", "fan runs on, then cycles, after full", rng, {
                fanW: rng.uniform(3, 10),
                fanRunOnS: rng.uniform(120, 900),
                fanCycleOnS: rng.uniform(30, 120),
                fanCycleOffS: rng.uniform(60, 300),
            }),
    ],
    ["li-maint", 4, rng => li("li-maint", "periodic maintenance pulses after full", rng, { maintEveryS: rng.uniform(600, 1800), maintS: rng.uniform(20, 120) })],
    ["li-balance", 5, rng => li("li-balance", "BMS balancing flicker before the charger terminates", rng, { balanceS: rng.uniform(120, 900) })],
    ["li-restart", 4, rng => li("li-restart", "charger restarts briefly after full", rng, { restartDelayS: rng.uniform(60, 1200), restartS: rng.uniform(30, 300) })],
    [
        "li-dual",
        5,
        rng =>
            li("li-dual", "dual-battery bike: a brief dip when the charger switches packs", rng, {
                packs: [
                    { capAh: rng.uniform(10, 17), soc0: rng.uniform(0.1, 0.6) },
                    { capAh: rng.uniform(10, 17), soc0: rng.uniform(0.1, 0.6) },
                ],
                switchDipS: rng.uniform(2, 12),
            }),
    ],
    ["li-pulse", 4, rng => li("li-pulse", "pulse charger switching on and off every few seconds in bulk", rng, { pulseOnS: rng.int(2, 6), pulseOffS: rng.int(1, 4) })],
    ["li-softstart", 5, rng => li("li-softstart", "soft start (no draw for seconds) and capacitor inrush", rng, { softStartS: rng.uniform(2, 30), inrushW: rng.uniform(500, 2400) })],
    ["li-already-full", 4, rng => li("li-already-full", "battery already full at plug-in: a brief top-up then idle", rng, { packs: [{ capAh: rng.uniform(10, 17), soc0: rng.uniform(0.95, 0.98) }] })],
    ["la-3stage", 6, rng => la(3, rng)],
    ["la-2stage", 6, rng => la(2, rng)],
    [
        "la-pulse",
        6,
        rng => {
            const every = rng.uniform(30, 600)
            return la(3, rng, "leadacid-pulse", "lead-acid three-stage whose float is pulse maintenance: short current pulses, the charger's electronics in between", {
                pulseEveryS: every,
                pulseOnS: rng.uniform(3, 0.4 * every),
                pulseFrac: rng.uniform(0.03, 0.15),
            })
        },
    ],
    [
        "la-already-full",
        6,
        rng => {
            const stages = rng.pick([3, 3, 2] as const)
            // a full battery takes almost nothing at absorption voltage: the charger's bulk
            // current collapses within minutes and it goes to float
            return la(stages, rng, "leadacid-already-full", "lead-acid battery already full at plug-in: a few minutes of collapsing absorption current, then float", {
                soc0: rng.uniform(0.95, 1),
                tauAbsS: rng.uniform(1, 8) * 60,
            })
        },
    ],
    [
        "lfp",
        8,
        rng => {
            const cells = rng.pick([15, 16, 16, 20, 24])
            return li("lifepo4", "LiFePO4 pack (3.65 V a cell at the end of charge): a long flat plateau, a sharp knee, a short taper", rng, {
                chem: "lfp",
                cells,
                packs: [{ capAh: rng.uniform(12, 30), soc0: rng.uniform(0.05, 0.7) }],
            })
        },
    ],
    [
        "li-laststep",
        5,
        rng =>
            li("li-laststep", "48 V lithium charger that ends by stepping from about a quarter of its plateau to a few watts of standby (or off)", rng, {
                cells: 13,
                iccA: rng.uniform(2, 3),
                termFrac: rng.uniform(0.2, 0.33),
                idleW: rng.chance(0.3) ? rng.uniform(0, 0.1) : rng.uniform(2, 6),
            }),
    ],
]
