// Preloaded into `devs devtools` (node -r) by tests: its servers listen on the ports in
// DEVTOOLS_PORTS ("http,tcp,debug") instead of the fixed 8081, 8082 and 8083, so a test's dev
// tools never clash with a developer's.
const net = require("net")
const [http, tcp, dbg] = String(process.env.DEVTOOLS_PORTS || "").split(",").map(Number)
const map = { 8081: http, 8082: tcp, 8083: dbg }
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
    if (typeof args[0] === "number" && map[args[0]]) args[0] = map[args[0]]
    else if (args[0] && typeof args[0] === "object" && map[args[0].port]) args[0] = { ...args[0], port: map[args[0].port] }
    return listen.apply(this, args)
}
