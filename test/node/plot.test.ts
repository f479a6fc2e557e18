import { test } from "node:test"
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { formatCurveCsv } from "../../sim/csv"
import { PowerTrace } from "../../src/core/trace"
import { lithiumW } from "../shared/scenarios"
import { tempDir } from "../support/temp-dir"

const tsx = join("node_modules", ".bin", "tsx")

test("plot: a replayed curve is drawn with its decision marked", () => {
    const dir = tempDir("plot-")
    const rows = []
    for (let t = 0; t < 4 * 3600; t += 10) rows.push({ t_s: t, power_w: Math.round(lithiumW(t, 200, 3600, 1200, 0.08, 0.7) * 10) / 10, current_a: 0.9, voltage_v: 230 })
    writeFileSync(join(dir, "c.csv"), formatCurveCsv(rows))
    const r = spawnSync(tsx, ["tools/plot.ts", join(dir, "c.csv"), "--out", join(dir, "c.svg")], { encoding: "utf8" })
    assert.equal(r.status, 0, r.stderr)
    const svg = readFileSync(join(dir, "c.svg"), "utf8")
    assert.match(svg, /^<svg/)
    assert.match(svg, /class="decision-label"><tspan[^>]*>full at /)
    assert.match(svg, /class="power"/)
})

test("plot: a long 1 s curve is drawn as buckets with their min-max band, the decision on the full curve", () => {
    const dir = tempDir("plot-")
    const rows = []
    for (let t = 0; t < 5 * 3600; t++) rows.push({ t_s: t, power_w: Math.round(lithiumW(t, 200, 3600, 1200, 0.08, 0.7) * 10) / 10, current_a: NaN, voltage_v: NaN })
    writeFileSync(join(dir, "c.csv"), formatCurveCsv(rows))
    const r = spawnSync(tsx, ["tools/plot.ts", join(dir, "c.csv"), "--out", join(dir, "c.svg")], { encoding: "utf8" })
    assert.equal(r.status, 0, r.stderr)
    const svg = readFileSync(join(dir, "c.svg"), "utf8")
    assert.ok(svg.length < 120000, `${svg.length} bytes`)
    assert.match(svg, /class="band"/)
    assert.match(svg, /class="decision-label"><tspan[^>]*>full at /)
})

test("plot: a session trace is drawn with its min-max band; bad input exits 2", () => {
    const dir = tempDir("plot-")
    const tr = new PowerTrace()
    for (let t = 0; t <= 3 * 3600; t += 5) tr.add(t * 1000, 150 + (t % 60))
    writeFileSync(join(dir, "t.json"), JSON.stringify({ trace: tr.chunks(), min: tr.minutesPerRow(), reason: "unplugged", stopMin: 180 }))
    const r = spawnSync(tsx, ["tools/plot.ts", join(dir, "t.json"), "--out", join(dir, "t.svg")], { encoding: "utf8" })
    assert.equal(r.status, 0, r.stderr)
    const svg = readFileSync(join(dir, "t.svg"), "utf8")
    assert.match(svg, /class="band"/)
    assert.match(svg, />unplugged</)
    assert.match(svg, /session trace \(180 min, 4 min a row\)/)
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ trace: ["xyz"] }))
    const bad = spawnSync(tsx, ["tools/plot.ts", join(dir, "bad.json"), "--out", join(dir, "b.svg")], { encoding: "utf8" })
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /hex trace chunks/)
})

test("plot: the decision's label stays inside the picture wherever the decision falls", async () => {
    const { svgPlot, CHAR_PX } = await import("../../tools/plot-svg")
    const long = "full at 3.85 h: " + "taper flattened onto a level that held for 30 min under 8 % of the plateau ".repeat(2)
    for (const at of [0, 60, 120, 200, 239]) {
        const svg = svgPlot({ t: [0, 120, 240], mean: [200, 100, 5] }, "t", { t: at, label: long })
        const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1])
        const label = /<text[^>]*text-anchor="(start|end)" class="decision-label">(.*?)<\/text>/.exec(svg)!
        const spans = [...label[2].matchAll(/<tspan x="([\d.]+)"[^>]*>([^<]*)<\/tspan>/g)]
        assert.ok(spans.length >= 2, "a long label is wrapped")
        assert.equal(spans.map(s => s[2]).join(" "), long.trim())
        for (const [, xs, text] of spans) {
            const x0 = label[1] === "start" ? Number(xs) : Number(xs) - text.length * CHAR_PX
            assert.ok(x0 >= 0 && x0 + text.length * CHAR_PX <= width, `decision at ${at} min: "${text}" from ${x0.toFixed(0)} px`)
        }
    }
})
