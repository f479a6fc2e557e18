// Board temperature guard, for boards with a sensor: warning, then no new starts, then all
// relays off, each level left only when the temperature falls a hysteresis below it.

export interface ThermalLimits {
    tempWarnC: number
    tempNoStartC: number
    tempCutC: number
    tempHysteresisC: number
}

/** 0 normal, 1 warning, 2 no new starts, 3 all relays off */
export type ThermalLevel = number

export class ThermalGuard {
    level: ThermalLevel = 0
    tempC = NaN

    constructor(private lim: ThermalLimits) {}

    setLimits(lim: ThermalLimits) {
        this.lim = lim
    }

    update(c: number): ThermalLevel {
        if (!(c === c)) return this.level
        this.tempC = c
        const l = this.lim
        const th = [l.tempWarnC, l.tempNoStartC, l.tempCutC]
        let up = 0
        for (let i = 0; i < 3; i++) if (c >= th[i]) up = i + 1
        if (up > this.level) this.level = up
        while (this.level > 0 && c < th[this.level - 1] - l.tempHysteresisC) this.level--
        return this.level
    }
}
