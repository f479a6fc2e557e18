// Which simulated server plays each of the firmware's roles, checked on the bus.
import { JDBus, JDService, RoleManagerClient, SRV_ROLE_MANAGER } from "jacdac-ts"

export interface RoleBinding {
    /** the role's full name in the firmware ("socket1[int:0]", "meter1") */
    role: string
    /** the server that must play the role, on one of the simulator's devices */
    server: { serviceIndex: number; device: { deviceId: string } | undefined }
}

/** Order of the runtime's role list (and of its automatic binding): byte-wise strcmp. */
export function roleOrder(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Waits until the firmware has bound every role and checks each is bound to the server meant
 * for it. The runtime binds each unbound role, in role-name order, to the first free service
 * of its class (its SetRole command has no effect in the VM), so the simulator lists its
 * services in that same order; this check makes any mismatch an error, never a silent swap.
 */
export async function checkRoles(bus: JDBus, roles: RoleBinding[], ms = 20000) {
    const t0 = Date.now()
    let srv: JDService | undefined
    while (!(srv = bus.services({ serviceClass: SRV_ROLE_MANAGER })[0])) {
        if (Date.now() - t0 > ms) throw new Error("no role manager on the bus")
        await new Promise(r => setTimeout(r, 100))
    }
    const rm = new RoleManagerClient(srv)
    ;(rm as any).log = () => {} // its debug log prints every role list
    try {
        for (;;) {
            await (rm as any).collectRoles() // private in its typings; it is how the dashboard lists roles
            const listed: { name: string; deviceId: string; serviceIndex: number }[] = rm.roles
            const wrong = roles.filter(r => {
                const l = listed.find(x => x.name === r.role)
                return !l || l.deviceId !== r.server.device?.deviceId || l.serviceIndex !== r.server.serviceIndex
            })
            if (!wrong.length) return
            if (Date.now() - t0 > ms)
                throw new Error(
                    `firmware roles not bound to their sockets: ${wrong.map(r => r.role).join(", ")}; listed ${listed.map(l => l.name + "=" + l.deviceId.slice(0, 4) + ":" + l.serviceIndex).join(" ")}`
                )
            await new Promise(r => setTimeout(r, 250))
        }
    } finally {
        rm.unmount()
    }
}
