// The BL0910 metering front end on the 10-socket board: polls the chip over SPI and feeds each
// channel's readings straight to the control loop (src/shell/meters.ts). Serving the channels
// as Socket Meters on the board's own bus, for the program to read back as clients, cost ~1.7 KB
// of code and a server and a role per channel of heap (docs/hardware.md, "Metering").
// Datasheet: Shanghai Belling BL0910, 10-channel energy metering IC (SPI mode 1, <= 1 MHz).
import * as ds from "@devicescript/core"
import "@devicescript/gpio"
import { spi } from "@devicescript/spi"
import { Bl0910Readings, checkRef, DEFAULT_REF, MeterRef, parseRead, readFrame, REG_CF_CNT_1, REG_RMS_1, REG_SOFT_RESET, REG_V_RMS, REG_WATT_1, SOFT_RESET, writeFrame } from "../core/meter/bl0910"
import { MAINS_LOST_V } from "../core/mains"
import { loadJson } from "./persist"
import { MeterFeed, MeterStart } from "./meters"

/** power and voltage are read every poll (a short is cut on the reading itself); the rest every 10th */
const POLL_MS = 50
const SLOW_EVERY = 10

export interface Bl0910Pins {
    sck: ds.OutputPin
    miso: ds.InputPin
    mosi: ds.OutputPin
    cs: ds.OutputPin
}

async function xfer(cs: ds.OutputPin, tx: Buffer): Promise<Buffer> {
    cs.write(0)
    const rx = await spi.transfer(tx)
    cs.write(1)
    return rx
}

async function readReg(cs: ds.OutputPin, addr: number, signed: boolean): Promise<number> {
    return parseRead(addr, await xfer(cs, readFrame(addr)), signed)
}

/**
 * The chip's `channels` as the board's meters. Readings go out only after a good read: a chip
 * that stops answering (or answers with bad checksums) goes silent, and the control loop cuts a
 * socket whose meter is silent. The LSB-per-unit constants come from the setting "meterRef"
 * (docs/hardware.md), the design values otherwise (said in the log: an uncalibrated board still
 * protects, roughly).
 */
export function bl0910Meters(pins: Bl0910Pins, channels: number): MeterStart {
    return async feed => {
        await pollChip(pins, channels, feed)
    }
}

async function pollChip(pins: Bl0910Pins, channels: number, feed: MeterFeed) {
    const stored = await loadJson("meterRef")
    const err = stored === null || stored === undefined ? "not provisioned" : checkRef(stored)
    const ref: MeterRef = err ? DEFAULT_REF : stored
    if (err) console.log("bl0910: meterRef " + err + "; using the design values")
    try {
        pins.cs.write(1)
        spi.configure({ sck: pins.sck, miso: pins.miso, mosi: pins.mosi, mode: 1, hz: 1000000 })
        await xfer(pins.cs, writeFrame(REG_SOFT_RESET, SOFT_RESET))
        await ds.sleep(10)
    } catch (e) {
        // the meters stay silent: the control loop keeps every socket off
        console.log("bl0910: " + e)
        return
    }
    const readings = new Bl0910Readings(ref)
    const slow: number[] = []
    for (let ch = 0; ch < channels; ch++) slow.push(0)
    let vrms = 0
    let round = 0
    let busy = false
    setInterval(async () => {
        if (busy) return
        busy = true
        try {
            const full = round % SLOW_EVERY === 0
            round++
            // the voltage every poll: a power cut is seen within one (the hold-up's budget)
            const v = await readReg(pins.cs, REG_V_RMS, false)
            if (v === v) {
                vrms = v
                if (v / ref.v < MAINS_LOST_V) await feed.mainsLost()
            }
            for (let ch = 0; ch < channels; ch++) {
                const w = await readReg(pins.cs, REG_WATT_1 + ch, true)
                let cf = NaN
                if (full) {
                    const rms = await readReg(pins.cs, REG_RMS_1 + ch, false)
                    if (rms === rms) slow[ch] = rms
                    cf = await readReg(pins.cs, REG_CF_CNT_1 + ch, false)
                }
                // a frame with a bad checksum publishes nothing for its channel
                if (w === w) {
                    const r = readings.update(ch, w, slow[ch], vrms, cf)
                    if (full) {
                        feed.voltage(ch, r.voltageV)
                        feed.current(ch, r.currentA)
                    }
                    await feed.power(ch, r.powerW)
                }
            }
        } catch (e) {
            console.log("bl0910: " + e)
        }
        busy = false
    }, POLL_MS)
}
