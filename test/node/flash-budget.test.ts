// The flash budget's largest values (bench/flash-budget.ts) against what makes each setting: a
// setting that grows past its figure makes the budget the bench prints wrong.
import { test } from "node:test"
import assert from "node:assert/strict"
import { RECORD_MAX, SETTINGS, settingCost, worstFlash, recordsThatFit, SETTINGS_REGION } from "../../bench/flash-budget"
import { payCodeHexLength } from "../../src/core/paycode"
import { SETTING_LIMIT } from "../../src/core/protocol/outbox"
import { MQTT_HOST_MAX, newMqttPassword } from "../../host/provision"
import { checkCal } from "../../src/core/metering"
import { endedEvent, faultEvent } from "../../src/core/protocol/events"
import { stopReasons } from "../../src/core/reasons"

const max = (key: string) => SETTINGS.find(s => s.key === key)!.max

test("each setting's largest value is within its budget figure", () => {
    // a pay code is at most a 29-module symbol (QR version 3), stored as the bytes its hex spells
    assert.ok(payCodeHexLength(29) / 2 <= max("qrN"), `qr: ${payCodeHexLength(29) / 2}`)
    // a checkpoint: [elapsed s, Wh to 2 places, s at full]: a week at 99,999.99 Wh
    assert.ok(JSON.stringify([604800, 99999.99, 604800]).length <= max("ckN"))
    // a calibration checkCal accepts, with the longest doubles in its ranges
    const cal = { gain: 0.5000000000000001, offsetW: -19.999999999999996 }
    assert.equal(checkCal(cal), null)
    assert.ok(JSON.stringify(cal).length <= max("calN"), JSON.stringify(cal))
    // board id: the update server's 1-24 characters (also the broker user); password, host
    assert.ok(JSON.stringify("x".repeat(24)).length <= max("boardId") && JSON.stringify("x".repeat(24)).length <= max("mqttUser"))
    assert.ok(JSON.stringify(newMqttPassword()).length <= max("mqttPass"))
    assert.ok(MQTT_HOST_MAX + 2 <= max("mqttHost"))
    assert.equal(JSON.stringify("a".repeat(64)).length, max("boardKey"))
    // config and records: whatever saveJson takes (key + 1 + JSON within the setting limit)
    assert.ok(SETTING_LIMIT - "config".length - 1 <= max("config"))
    assert.ok(SETTING_LIMIT - "ob0".length - 1 <= RECORD_MAX && SETTING_LIMIT - "sess1".length - 1 <= RECORD_MAX)
    // lock numbers: a decimal digit a socket, up to 16 sockets, as a double
    assert.ok(JSON.stringify(9999999999999999).length <= max("locks"))
})

test("the outbox's records are within a setting: the longest ended and fault records", () => {
    const order = "o".repeat(32)
    const reason = stopReasons().reduce((a, b) => (b.length > a.length ? b : a))
    const ended = endedEvent(
        "b" + "f".repeat(12),
        { order, socket: 16, reason, detail: "", energyWh: 99999.94, durationS: 604800, peakW: 99999, endT: 1e13, fullAtS: 604800, topOffS: 604800, levelW: 9999.94, refW: 99999 } as any,
        ms => ms
    )
    assert.ok(ended.length <= RECORD_MAX, `${ended.length}: ${ended}`)
    const fault = faultEvent("f" + "f".repeat(12), 16, "over_temperature", "d".repeat(300), 1e13)
    assert.ok(fault.length <= RECORD_MAX, `${fault.length}: ${fault}`)
})

test("the worst case adds up: more records cost more, and a board that fits them all says so", () => {
    assert.ok(worstFlash(2, 18) > worstFlash(2, 17))
    assert.equal(settingCost(0), 24)
    assert.equal(settingCost(1), 32)
    const r = recordsThatFit(10)
    assert.ok(worstFlash(10, r) <= SETTINGS_REGION && worstFlash(10, r + 1) > SETTINGS_REGION, String(r))
    assert.equal(recordsThatFit(2), 2 + 16)
})
