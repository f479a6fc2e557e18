// npm run qr -- --text "<text>" --png <out.png> [--ecc M] [--scale 8]
// Renders the firmware's own encoder output (src/core/qr) to a PNG with a 4-module quiet zone.
import { writeFileSync } from "node:fs"
import { encodeQr, QrError } from "../src/core/qr/encoder"
import { qrToPng } from "./qr-image"

const USAGE = 'usage: npm run qr -- --text "<text>" --png <out.png> [--ecc L|M|Q|H] [--scale 1..64]'

function fail(msg: string): never {
    process.stderr.write(`qr: ${msg}\n${USAGE}\n`)
    process.exit(2)
}

const args = process.argv.slice(2)
const opts: Record<string, string> = {}
for (let i = 0; i < args.length; i++) {
    const k = args[i]
    if (!["--text", "--png", "--ecc", "--scale"].includes(k)) fail(`unknown argument ${k}`)
    if (i + 1 >= args.length) fail(`${k} needs a value`)
    opts[k.slice(2)] = args[++i]
}
if (opts.text === undefined || opts.text === "") fail("--text is required")
if (!opts.png) fail("--png is required")
const scale = opts.scale === undefined ? 8 : Number(opts.scale)
if (!Number.isInteger(scale) || scale < 1 || scale > 64) fail("--scale must be a whole number from 1 to 64")
try {
    const code = encodeQr(opts.text, (opts.ecc ?? "M").toUpperCase())
    writeFileSync(opts.png, qrToPng(code, scale, 4))
    console.log(JSON.stringify({ png: opts.png, version: code.version, size: code.size, ecc: code.ecc, mask: code.mask, mode: code.mode }))
} catch (e: any) {
    if (e instanceof QrError) fail(e.message)
    throw e
}
