// The BL0910 (Shanghai Belling), the 10-socket board's metering front end: 10 current channels
// and one voltage channel on SPI (mode 1, up to 1 MHz). Every transfer is 6 bytes: command,
// register, 24 bits of data MSB first, checksum = ~(sum of the other five) & 0xff. Frames,
// register map and unit conversion here; the shell (src/shell/bl0910.ts) moves the bytes.
// Register map as published in the datasheet (see also ESPHome's bl0910 component).

export const READ = 0x82
export const WRITE = 0x81

/** RMS of current channel n (1..10) at 0x0c + n - 1; the voltage channel is the 11th */
export const REG_RMS_1 = 0x0c
export const REG_V_RMS = 0x16
/** active power of channel n at 0x22 + n - 1, signed */
export const REG_WATT_1 = 0x22
/** energy pulse count of channel n at 0x2f + n - 1, 24-bit, wraps */
export const REG_CF_CNT_1 = 0x2f
export const REG_USR_WRPROT = 0x9e
export const REG_SOFT_RESET = 0x9f
/** writes to the calibration registers are allowed while this is in USR_WRPROT */
export const UNLOCK = 0x5555
export const SOFT_RESET = 0x5a5a5a

export const CHANNELS = 10

/**
 * LSBs per unit, set by the board's analog front end (shunts or CTs, voltage divider, PGA):
 * computed from the datasheet's formulas for our front end, then corrected per board with the
 * calibration procedure (docs/hardware.md). Stored in the setting "meterRef".
 */
export interface MeterRef {
    /** voltage register counts per volt */
    v: number
    /** current register counts per ampere */
    i: number
    /** power register counts per watt */
    p: number
    /** energy pulses per Wh */
    e: number
}

/**
 * Placeholders of a plausible magnitude until a board is calibrated: not derived from a built
 * front end (none exists yet). A board without a provisioned "meterRef" says so at boot.
 */
export const DEFAULT_REF: MeterRef = { v: 13162, i: 251210, p: 597, e: 1.6 }

export function checkRef(r: any): string {
    if (r === null || typeof r !== "object") return "meterRef must be an object {v, i, p, e}"
    const keys = ["v", "i", "p", "e"]
    for (let k = 0; k < keys.length; k++) {
        const x = r[keys[k]]
        if (typeof x !== "number" || !(x > 0 && x < 1e9)) return "meterRef." + keys[k] + " must be a positive number"
    }
    return null
}

function sum5(b: Buffer): number {
    let s = 0
    for (let i = 0; i < 5; i++) s += b[i]
    return ~s & 0xff
}

/** The 6 bytes clocked out to read register `addr` (the chip answers in bytes 2..5). */
export function readFrame(addr: number): Buffer {
    const b = Buffer.alloc(6)
    b[0] = READ
    b[1] = addr
    return b
}

export function writeFrame(addr: number, value: number): Buffer {
    const b = Buffer.alloc(6)
    b[0] = WRITE
    b[1] = addr
    b[2] = (value >> 16) & 0xff
    b[3] = (value >> 8) & 0xff
    b[4] = value & 0xff
    b[5] = sum5(b)
    return b
}

/**
 * The register's value from the bytes clocked in during a read of `addr`, or NaN when the
 * checksum fails (a glitch on the wires: the caller keeps no value rather than a wrong one).
 */
export function parseRead(addr: number, rx: Buffer, signed: boolean): number {
    if (!rx || rx.length < 6) return NaN
    let s = READ + addr
    for (let i = 2; i < 5; i++) s += rx[i]
    if ((~s & 0xff) !== rx[5]) return NaN
    let v = (rx[2] << 16) | (rx[3] << 8) | rx[4]
    if (signed && v >= 0x800000) v -= 0x1000000
    return v
}

export interface ChannelReading {
    powerW: number
    currentA: number
    voltageV: number
    /** since the driver started, pulses unwrapped */
    energyWh: number
}

/**
 * Turns raw registers into readings, one channel at a time; keeps the energy counters across
 * the 24-bit wrap. A NaN register (bad checksum) gives a NaN reading: the control loop treats
 * a channel without a trustworthy value like a silent meter.
 */
export class Bl0910Readings {
    private lastCf: number[] = []
    private pulses: number[] = []

    constructor(public ref: MeterRef) {
        for (let i = 0; i < CHANNELS; i++) {
            this.lastCf.push(-1)
            this.pulses.push(0)
        }
    }

    /** `ch` 0..9; raw values as read (NaN when unreadable). */
    update(ch: number, rawWatt: number, rawRms: number, rawVrms: number, rawCf: number): ChannelReading {
        if (rawCf === rawCf) {
            if (this.lastCf[ch] >= 0) {
                let d = rawCf - this.lastCf[ch]
                if (d < 0) d += 0x1000000
                this.pulses[ch] += d
            }
            this.lastCf[ch] = rawCf
        }
        return {
            powerW: rawWatt / this.ref.p,
            currentA: rawRms / this.ref.i,
            voltageV: rawVrms / this.ref.v,
            energyWh: this.pulses[ch] / this.ref.e,
        }
    }

    resetEnergy(ch: number) {
        this.pulses[ch] = 0
    }
}
