import { test } from "node:test"
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { formatCurveCsv } from "../../sim/csv"
import { PowerTrace } from "../../src/core/trace"
import { lithiumW } from "../shared/scenarios"

const tsx = join("node_modules", ".bin", "tsx")

test("plot: a replayed curve is drawn with its decision marked", () => {
    const dir = mkdtempSync(join(tmpdir(), "plot-"))
    const rows = []
    for (let t = 0; t < 4 * 3600; t += 10) rows.push({ t_s: t, power_w: Math.round(lithiumW(t, 200, 3600, 1200, 0.08, 0.7) * 10) / 10, current_a: 0.9, voltage_v: 230 })
    writeFileSync(join(dir, "c.csv"), formatCurveCsv(rows))
    const r = spawnSync(tsx, ["tools/plot.ts", join(dir, "c.csv"), "--out", join(dir, "c.svg")], { encoding: "utf8" })
    assert.equal(r.status, 0, r.stderr)
    const svg = readFileSync(join(dir, "c.svg"), "utf8")
    assert.match(svg, /^<svg/)
    assert.match(svg, /class="decision-label">full at /)
    assert.match(svg, /class="power"/)
})

test("plot: a session trace is drawn with its min-max band; bad input exits 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "plot-"))
    const tr = new PowerTrace()
    for (let t = 0; t <= 3 * 3600; t += 5) tr.add(t * 1000, 150 + (t % 60))
    writeFileSync(join(dir, "t.json"), JSON.stringify({ trace: tr.chunks(), min: tr.minutesPerRow(), reason: "unplugged", stopMin: 180 }))
    const r = spawnSync(tsx, ["tools/plot.ts", join(dir, "t.json"), "--out", join(dir, "t.svg")], { encoding: "utf8" })
    assert.equal(r.status, 0, r.stderr)
    const svg = readFileSync(join(dir, "t.svg"), "utf8")
    assert.match(svg, /class="band"/)
    assert.match(svg, />unplugged</)
    assert.match(svg, /session trace \(180 min, 2 min a row\)/)
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ trace: ["xyz"] }))
    const bad = spawnSync(tsx, ["tools/plot.ts", join(dir, "bad.json"), "--out", join(dir, "b.svg")], { encoding: "utf8" })
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /hex trace chunks/)
})
