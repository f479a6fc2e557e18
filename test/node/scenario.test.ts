// The scenario format of `npm run sim`: the tariff a scenario may set.
import { test } from "node:test"
import assert from "node:assert/strict"
import { parseScenario } from "../../sim/scenario"
import { DEFAULT_TARIFF } from "../../sim/cloud/backend"

const base = { board: "shed2", actions: [] as object[] }

test("a scenario's tariff replaces the default prices it names, and only valid ones", () => {
    assert.deepEqual(parseScenario(JSON.stringify(base)).tariff, DEFAULT_TARIFF)
    assert.deepEqual(parseScenario(JSON.stringify({ ...base, tariff: { centsPerKWh: 45 } })).tariff, { ...DEFAULT_TARIFF, centsPerKWh: 45 })
    assert.throws(() => parseScenario(JSON.stringify({ ...base, tariff: { cents: 1 } })), /tariff: unknown field cents/)
    assert.throws(() => parseScenario(JSON.stringify({ ...base, tariff: { depositCents: -1 } })), /tariff.depositCents must be a whole number/)
    assert.throws(() => parseScenario(JSON.stringify({ ...base, tariff: { centsPerMinute: 1.5 } })), /tariff.centsPerMinute/)
    assert.throws(() => parseScenario(JSON.stringify({ ...base, tariff: [] })), /tariff must be an object/)
})
