// The fleet CLI run as a user runs it, against an update server on this machine. Never
// synchronously: the server answers from the test's own process.
import { execFile } from "node:child_process"
import { join } from "node:path"
import { ROOT } from "../../host/root"

export const TSX = join(ROOT, "node_modules/.bin/tsx")

/** `npm run fleet -- <args>` against the server on `port` (token "t0ken"): exit code and output. */
export function runFleet(port: number, ...args: string[]): Promise<{ code: number; out: string }> {
    return new Promise(res => {
        execFile(TSX, [join(ROOT, "fleet/cli.ts"), ...args], { encoding: "utf8", env: { ...process.env, FLEET_API: `http://127.0.0.1:${port}`, FLEET_TOKEN: "t0ken" } }, (err, stdout, stderr) => {
            res({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, out: stdout + stderr })
        })
    })
}
