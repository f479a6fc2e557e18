// QR encode time in node and inside the DeviceScript VM (WASM on this host).
import { spawnSync } from "node:child_process"
import { encodeQr } from "../src/core/qr/encoder"
import { payUrl, planLayout } from "../src/core/screen-layout"

export function printQrBench() {
    const url = "https://pay.example.com/s/SHED-0042?socket=3"
    const n = 200
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) encodeQr(url, "M")
    const nodeMs = Number(process.hrtime.bigint() - t0) / 1e6 / n
    const r = spawnSync("npx", ["devs", "run", "test/vm/qr.test.ts", "--test", "--test-self-exit", "--test-timeout", "120000"], { encoding: "utf8" })
    const out = (r.stdout || "") + (r.stderr || "")
    const vm = /qr-encode-ms: (\d+)/.exec(out)
    const vm10 = /qr-v10-encode-ms: (\d+)/.exec(out)
    const code = encodeQr(url, "M")
    console.log(`\n## QR encoder\n`)
    console.log(`| figure | value |`)
    console.log(`|---|---|`)
    console.log(`| pay URL (${url.length} chars, ECC M) | version ${code.version}, ${code.size}x${code.size} modules |`)
    console.log(`| encode time, node | ${nodeMs.toFixed(2)} ms |`)
    console.log(`| encode time, DeviceScript VM (WASM on this host), pay URL | ${vm ? vm[1] + " ms" : "not measured (VM run failed)"} |`)
    console.log(`| encode time, DeviceScript VM, version 10 (200 bytes) | ${vm10 ? vm10[1] + " ms" : "not measured"} |`)
    const short = encodeQr(payUrl("HTTPS://P.EXAMPLE.COM/{board}/{socket}", "SHED42", 3), "M")
    for (const [w, h, c, name] of [[128, 64, short, "OLED 128x64, short upper-case URL"], [240, 240, code, "TFT 240x240, pay URL"]] as const) {
        const l = planLayout(w, h, c.size, 10)
        console.log(`| ${name} (version ${c.version}) | module ${l.module} px, quiet zone ${l.quiet} modules, ${l.perPage} sockets a page |`)
    }
}
