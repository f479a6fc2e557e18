// The BL0910 metering front end on the 10-socket board: polls the chip over SPI and serves each
// channel as a Socket Meter (services/socketmeter.md) on the board's own bus, so the control
// loop reads the chip through the same client roles that the simulator's meters bind to.
// Datasheet: Shanghai Belling BL0910, 10-channel energy metering IC (SPI mode 1, <= 1 MHz).
import * as ds from "@devicescript/core"
import "@devicescript/gpio"
import { spi } from "@devicescript/spi"
import { Server, startServer } from "@devicescript/server"
import {
    Bl0910Readings,
    ChannelReading,
    checkRef,
    DEFAULT_REF,
    MeterRef,
    parseRead,
    readFrame,
    REG_CF_CNT_1,
    REG_RMS_1,
    REG_SOFT_RESET,
    REG_V_RMS,
    REG_WATT_1,
    SOFT_RESET,
    writeFrame,
} from "../core/meter/bl0910"
import { loadJson } from "./persist"

/** power is read every poll (a short is cut on the reading itself); the rest every 10th */
const POLL_MS = 50
const SLOW_EVERY = 10

export interface Bl0910Pins {
    sck: ds.OutputPin
    miso: ds.InputPin
    mosi: ds.OutputPin
    cs: ds.OutputPin
}

/**
 * One channel as a Jacdac Socket Meter. Samples go out only after a good read: a chip that
 * stops answering (or answers with bad checksums) goes silent on the bus, and the control loop
 * cuts a socket whose meter is silent.
 */
class ChannelServer extends Server implements ds.SocketMeterServerSpec {
    last: ChannelReading = { powerW: 0, currentA: 0, voltageV: 0, energyWh: 0 }
    samples = 0
    interval = POLL_MS
    constructor(
        private readings: Bl0910Readings,
        private ch: number
    ) {
        super(ds.SocketMeter.spec)
    }
    reading() {
        return this.last.powerW
    }
    voltage() {
        return this.last.voltageV
    }
    current() {
        return this.last.currentA
    }
    energy() {
        return Math.floor(this.last.energyWh)
    }
    resetEnergy() {
        this.readings.resetEnergy(this.ch)
    }
    streamingSamples() {
        return this.samples
    }
    set_streamingSamples(v: number) {
        this.samples = v
    }
    streamingInterval() {
        return this.interval
    }
    set_streamingInterval(v: number) {
        this.interval = Math.max(POLL_MS, v)
    }
    async publish(r: ChannelReading) {
        this.last = r
        if (this.samples <= 0) return
        this.samples--
        await this._send(ds.SocketMeter.spec.lookup("reading").encode(r.powerW))
    }
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
 * Starts the driver: `channels` Socket Meter roles named meter1..meterN, served from the chip.
 * The LSB-per-unit constants come from the setting "meterRef" (docs/hardware.md), the design
 * values otherwise (said in the log: an uncalibrated board still protects, roughly).
 */
export async function startBl0910(pins: Bl0910Pins, channels: number): Promise<ds.SocketMeter[]> {
    const stored = await loadJson("meterRef")
    const err = stored === null || stored === undefined ? "not provisioned" : checkRef(stored)
    const ref: MeterRef = err ? DEFAULT_REF : stored
    if (err) console.log("bl0910: meterRef " + err + "; using the design values")
    pins.cs.write(1)
    spi.configure({ sck: pins.sck, miso: pins.miso, mosi: pins.mosi, mode: 1, hz: 1000000 })
    await xfer(pins.cs, writeFrame(REG_SOFT_RESET, SOFT_RESET))
    await ds.sleep(10)
    const readings = new Bl0910Readings(ref)
    const servers: ChannelServer[] = []
    const roles: ds.SocketMeter[] = []
    for (let ch = 0; ch < channels; ch++) {
        const s = new ChannelServer(readings, ch)
        servers.push(s)
        roles.push(new ds.SocketMeter(startServer(s, { roleName: "meter" + (ch + 1) })))
    }
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
            if (full) {
                const v = await readReg(pins.cs, REG_V_RMS, false)
                if (v === v) vrms = v
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
                    await servers[ch].publish(r)
                }
            }
        } catch (e) {
            console.log("bl0910: " + e)
        }
        busy = false
    }, POLL_MS)
    return roles
}
