// Lead-acid battery on a three-stage (bulk, absorption, float) or two-stage (bulk, then a
// constant voltage held for ever) charger. Bulk: constant current, block voltage rising with
// charge. Absorption: constant voltage, current decaying towards the gassing/float current the
// battery keeps taking at that voltage. Three-stage chargers drop to a lower float voltage
// when the current falls under their threshold (a step down); two-stage ones never do, the
// taper just flattens onto the float current.

import { BrownoutBehaviour, ChargerModel, Dropout } from "./types"

export interface LeadAcidParams {
    blocks: number
    capAh: number
    soc0: number
    ibulkA: number
    stages: 2 | 3
    /** state of charge where bulk ends and absorption starts */
    socAbs: number
    /** absorption taper time constant (s) */
    tauAbsS: number
    /** current the battery keeps taking at absorption voltage (fraction of ibulk): two-stage asymptote */
    iAsymFrac: number
    /** three-stage: switch to float when the current falls under this fraction of ibulk */
    iFloatSwitchFrac: number
    /** three-stage float current: start and settled fraction of ibulk, settling time constant (s) */
    floatStartFrac: number
    floatEndFrac: number
    floatTauS: number
    eff: number
    overheadW: number
    softStartS: number
    inrushW: number
    pf: number
    brownout: BrownoutBehaviour
    /** two-stage truth: full when the wall draw is within this fraction of its final float draw */
    flatTruthFrac: number
    /**
     * pulse maintenance instead of a steady float (three-stage): every pulseEveryS the charger
     * pushes pulseFrac of ibulk for pulseOnS, in between it draws only its own electronics
     * (0: steady float)
     */
    pulseEveryS?: number
    pulseOnS?: number
    pulseFrac?: number
}

type Phase = "soft" | "bulk" | "abs" | "float"

export class LeadAcidCharger implements ChargerModel {
    readonly pf: number
    private phase: Phase = "soft"
    private phaseT = 0
    private soc: number
    private full: number | null = null
    private dropout = new Dropout(() => this.p.brownout)
    private inrushPending = true
    private absI0 = 0

    constructor(
        readonly family: string,
        readonly p: LeadAcidParams
    ) {
        this.pf = p.pf
        this.soc = p.soc0
    }

    fullAt() {
        return this.full
    }

    params() {
        const p = this.p
        return {
            stages: p.stages,
            blocks: p.blocks,
            capAh: +p.capAh.toFixed(1),
            soc0: +p.soc0.toFixed(2),
            ibulkA: +p.ibulkA.toFixed(2),
            tauAbsMin: +(p.tauAbsS / 60).toFixed(1),
            iAsymFrac: +p.iAsymFrac.toFixed(3),
            iFloatSwitchFrac: +p.iFloatSwitchFrac.toFixed(3),
            pulseEveryS: Math.round(p.pulseEveryS ?? 0),
            pulseOnS: Math.round(p.pulseOnS ?? 0),
        }
    }

    private cells() {
        return this.p.blocks * 6
    }

    step(t: number, dt: number, v: number): number {
        const p = this.p
        if (this.dropout.off(t, v)) return 0
        if (this.dropout.takeRestart()) this.inrushPending = true
        let i = 0
        let vcell = 2.1
        if (this.phase === "soft") {
            if (t - this.phaseT >= p.softStartS) this.setPhase("bulk", t)
            return 0
        }
        if (this.phase === "bulk") {
            i = p.ibulkA
            vcell = 2.05 + (0.38 * this.soc) / p.socAbs
            if (this.soc >= p.socAbs) {
                this.setPhase("abs", t)
                this.absI0 = i
            }
        } else if (this.phase === "abs") {
            const ia = p.iAsymFrac * p.ibulkA
            i = ia + (this.absI0 - ia) * Math.exp(-(t - this.phaseT) / p.tauAbsS)
            vcell = 2.43
            if (p.stages === 3 && i < p.iFloatSwitchFrac * p.ibulkA) {
                this.setPhase("float", t)
                if (this.full === null) this.full = t
            }
            // two-stage: full once the draw has flattened to within flatTruthFrac of its final float draw
            if (p.stages === 2 && this.full === null) {
                const finalW = (vcell * this.cells() * ia) / p.eff + p.overheadW
                const nowW = (vcell * this.cells() * i) / p.eff + p.overheadW
                if (nowW <= (1 + p.flatTruthFrac) * finalW) this.full = t
            }
        }
        if (this.phase === "float") {
            vcell = 2.28
            i = p.ibulkA * (p.floatEndFrac + (p.floatStartFrac - p.floatEndFrac) * Math.exp(-(t - this.phaseT) / p.floatTauS))
            if (p.pulseEveryS) {
                vcell = 2.4
                i = (t - this.phaseT) % p.pulseEveryS < p.pulseOnS! ? p.pulseFrac! * p.ibulkA : 0
            }
        }
        // charge acceptance falls as the battery fills; the rest of the current is gassing
        this.soc = Math.min(1, this.soc + (i * 0.85 * (1 - this.soc * 0.5) * dt) / 3600 / p.capAh)
        let w = (vcell * this.cells() * i) / p.eff + p.overheadW
        if (this.inrushPending) {
            w += p.inrushW
            this.inrushPending = false
        }
        return w
    }

    private setPhase(ph: Phase, t: number) {
        this.phase = ph
        this.phaseT = t
    }
}
