// Preloaded into `devs run --tcp` (node -r): what the simulated board needs from the CLI's
// process:
// - The CLI connects its VM to the dev tools hub on the fixed port 8082; that connection goes
//   to the port in DEVS_HUB_PORT instead, so several simulated sheds (and tests) run side by
//   side without the fixed dev tools ports.
// - The program's own socket (MQTT) gets its bytes in TCP segments of at most one MSS, as the
//   board's lwIP stack hands them over. Node would hand over up to 64 KB at once, which the
//   runtime copies into the VM's 64 KB heap in one piece: a burst of large commands would then
//   crash the simulated board where a real one would not.
// - The runtime's flash is a file the CLI rewrites whole (writeFileSync truncates, then writes);
//   a power cut (the process killed) in the middle could leave an empty or cut file, and the
//   board come back without its program or settings, which a real flash's settings store does
//   not do. Each save goes to a temporary file renamed over the old one: the old or the new
//   image, never half of one. (Not seen to happen: a board that once came back deaf after a
//   power cut was in safe mode, a race in the simulator's provisioning, see shed-sim.ts.)
const fs = require("fs")
const path = require("path")
const net = require("net")
const port = Number(process.env.DEVS_HUB_PORT)
const MSS = 1436
const original = net.createConnection
net.createConnection = function (p, host, ...rest) {
    if (p === 8082 && port > 0) return original.call(this, port, host, ...rest)
    if (typeof p === "object" && p !== null && p.port !== 8082) return segmented(original.call(this, p, host, ...rest))
    return original.call(this, p, host, ...rest)
}

const writeFileSync = fs.writeFileSync
fs.writeFileSync = function (file, data, ...rest) {
    if (typeof file !== "string" || path.basename(file) !== "sim.bin") return writeFileSync.call(this, file, data, ...rest)
    const tmp = file + ".tmp"
    writeFileSync.call(this, tmp, data, ...rest)
    fs.renameSync(tmp, file)
}

/**
 * Re-emits each 'data' chunk as segments of at most MSS bytes, one a millisecond, so the VM
 * takes each in before the next arrives (a real link's pace); later events keep their order.
 */
function segmented(sock) {
    const emit = sock.emit
    const queue = []
    let pumping = false
    function pump() {
        const e = queue.shift()
        if (!e) {
            pumping = false
            return
        }
        emit.apply(sock, e)
        setTimeout(pump, 1)
    }
    sock.emit = function (ev, ...args) {
        const big = ev === "data" && Buffer.isBuffer(args[0]) && args[0].length > MSS
        if (!big && queue.length === 0 && !pumping) return emit.call(this, ev, ...args)
        if (big) for (let at = 0; at < args[0].length; at += MSS) queue.push(["data", args[0].subarray(at, at + MSS)])
        else queue.push([ev, ...args])
        if (!pumping) {
            pumping = true
            pump()
        }
        return true
    }
    return sock
}

// The simulated board dies with the simulator that started it: a test run killed from outside
// (a CI timeout, kill -9) must not leave firmware VMs running.
const parent = process.ppid
setInterval(() => {
    try {
        process.kill(parent, 0)
    } catch {
        process.exit(0)
    }
}, 1000).unref()
