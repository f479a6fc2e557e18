// The fixed rules shipping charging piles use, replayed on the same curves for comparison:
// "full" once the draw has stayed under X W for N minutes (optionally plus a fixed
// top-off, which we leave out: we compare the moment each rule decides).

import { CurveSample } from "../sim/csv"

export interface FixedRule {
    name: string
    underW: number
    forMin: number
}

export const FIXED_RULES: FixedRule[] = [
    { name: "fixed: <10 W for 10 min", underW: 10, forMin: 10 },
    { name: "fixed: <30 W for 45 min (open pile)", underW: 30, forMin: 45 },
]

/** Seconds from plug-in at which the rule would cut, or null if never. */
export function fixedRuleStop(samples: CurveSample[], rule: FixedRule): number | null {
    let since = -1
    for (const s of samples) {
        if (s.power_w < rule.underW) {
            if (since < 0) since = s.t_s
            if (s.t_s - since >= rule.forMin * 60) return s.t_s
        } else since = -1
    }
    return null
}
