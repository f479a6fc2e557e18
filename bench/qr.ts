// QR encode time in node and inside the DeviceScript VM (WASM on this host; no board encodes
// any more: the codes are rendered off the board), and the module size each screen layout gets
// for typical pay URLs (the renderer's choices: ECC by pickEcc or L to stay within version 3,
// placement by planLayout as the board does it).
import { spawnSync } from "node:child_process"
import { encodeQr } from "../src/core/qr/encoder"
import { planLayout } from "../src/core/screen-layout"
import { payUrl, renderPayCode } from "../src/core/paycode-render"

/** Pay URLs as boards show them: the firmware's default template, one per socket, a long one, a short upper-case one. */
const TYPICAL = [
    { name: "default, socket 2", text: payUrl("https://pay.example.com/{board}/{socket}", "S1a2b3c", 2) },
    { name: "default, socket 10", text: payUrl("https://pay.example.com/{board}/{socket}", "S1a2b3c", 10) },
    { name: "long", text: "https://pay.example.com/s/SHED-0042?socket=3" },
    { name: "short upper-case", text: payUrl("HTTPS://P.EXAMPLE.COM/{board}/{socket}", "SHED42", 3) },
]

const SCREENS = [
    { name: "OLED 128x64", w: 128, h: 64 },
    { name: "TFT 240x240", w: 240, h: 240 },
]

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
    printModuleSizes()
}

/** The largest module each layout gets: 2-socket boards (header + 2 lines) and 10 sockets. */
export function printModuleSizes() {
    console.log(`\n## Screen layouts: module size for typical pay URLs\n`)
    console.log(`| screen | pay URL | sockets | code | module | quiet zone | code with quiet zone | lines a page |`)
    console.log(`|---|---|---|---|---|---|---|---|`)
    for (const s of SCREENS)
        for (const u of TYPICAL)
            for (const sockets of [2, 10]) {
                const lines = sockets + 1
                const size = parseInt(renderPayCode(u.text, { width: s.w, height: s.h, lines, plan: planLayout }).slice(0, 2), 16)
                const l = planLayout(s.w, s.h, size, lines)
                const side = (size + 2 * l.quiet) * l.module
                console.log(
                    `| ${s.name} | ${u.name} \`${u.text}\` (${u.text.length}) | ${sockets} | version ${(size - 17) / 4}, ${size} modules | ${l.module} px | ${l.quiet} modules | ${side} px | ${l.perPage} (text ${l.text}x) |`
                )
            }
}
