// Board temperature from the NTC divider on the 10-socket board (docs/hardware.md): a 10 kOhm
// (at 25 C) NTC, B = 3950, from 3.3 V to the ADC pin, 10 kOhm from the pin to ground. The
// ADC is served as a potentiometer (a 0..1 ratio of the supply), so the simulator can serve
// the same thing. An open or shorted sensor reads near 0 or 1: no temperature (NaN), never a
// wrong one; the thermal guard ignores NaN.

export const NTC_R25 = 10000
export const NTC_B = 3950
export const NTC_RFIXED = 10000
const T25K = 298.15

/** Temperature (C) from the divider ratio (pin voltage / supply), NaN when the sensor is broken. */
export function ntcCelsius(ratio: number): number {
    if (!(ratio > 0.01 && ratio < 0.99)) return NaN
    const r = NTC_RFIXED * (1 / ratio - 1)
    return 1 / (1 / T25K + Math.log(r / NTC_R25) / NTC_B) - 273.15
}

/** The ratio the divider gives at `c` degrees (the simulator's side of the same formula). */
export function ntcRatio(c: number): number {
    const r = NTC_R25 * Math.exp(NTC_B * (1 / (c + 273.15) - 1 / T25K))
    return NTC_RFIXED / (r + NTC_RFIXED)
}
