// One update-server process for the fleet load run (test/support/fleet-load.ts): the FleetServer
// with the options given as JSON in argv[2], its log in the database only. Prints
// "listening <port>" once it takes connections; SIGTERM stops it cleanly, SIGKILL is the crash
// the load run injects.
import { FleetServer, FleetServerOptions } from "../../fleet/server"

const o = JSON.parse(process.argv[2]) as FleetServerOptions
const s = new FleetServer(o)
s.start().then(
    () => console.log("listening " + s.port),
    e => {
        console.error("fleet server: " + (e as Error).message)
        process.exit(1)
    }
)
process.on("SIGTERM", () => {
    s.stop().finally(() => process.exit(0))
})
