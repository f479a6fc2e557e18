// Preloaded into `devs run --tcp` (node -r): the CLI connects its VM to the dev tools hub on
// the fixed port 8082; this sends that connection to the port in DEVS_HUB_PORT instead, so
// several simulated sheds (and tests) run side by side without the fixed dev tools ports.
const net = require("net")
const port = Number(process.env.DEVS_HUB_PORT)
if (port > 0) {
    const original = net.createConnection
    net.createConnection = function (p, host, ...rest) {
        if (p === 8082) return original.call(this, port, host, ...rest)
        return original.call(this, p, host, ...rest)
    }
}
