// In-VM fake hardware for firmware tests: a relay and a socket meter served on the VM's own
// bus, so the firmware's client roles bind to them as they would to the board's.
import * as ds from "@devicescript/core"
import { Server, SensorServer, startServer } from "@devicescript/server"

export class FakeRelay extends Server implements ds.RelayServerSpec {
    on = false
    changedAt = 0
    constructor() {
        super(ds.Relay.spec)
    }
    enabled() {
        return this.on
    }
    set_enabled(v: boolean) {
        if (this.on !== v) this.changedAt = ds.millis()
        this.on = v
    }
}

export class FakeMeter extends SensorServer implements ds.SocketMeterServerSpec {
    p = 0
    constructor(intervalMs: number) {
        super(ds.SocketMeter.spec, { interval: intervalMs })
    }
    reading() {
        return this.p
    }
    voltage() {
        return 230
    }
    current() {
        return this.p / 230
    }
    energy() {
        return 0
    }
    resetEnergy() {}
}

export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
    const t0 = ds.millis()
    while (!cond()) {
        if (ds.millis() - t0 > ms) return false
        await ds.sleep(10)
    }
    return true
}

/** `n` fake sockets on the VM's bus, and the client roles the firmware takes them by. */
export function fakeSockets(n: number) {
    const fakeRelays: FakeRelay[] = []
    const fakeMeters: FakeMeter[] = []
    const relays: ds.Relay[] = []
    const meters: ds.SocketMeter[] = []
    for (let i = 0; i < n; i++) {
        const r = new FakeRelay()
        const m = new FakeMeter(50)
        fakeRelays.push(r)
        fakeMeters.push(m)
        relays.push(new ds.Relay(startServer(r, { roleName: "relay" + i })))
        meters.push(new ds.SocketMeter(startServer(m, { roleName: "meter" + i })))
    }
    return { fakeRelays: fakeRelays, fakeMeters: fakeMeters, relays: relays, meters: meters }
}
