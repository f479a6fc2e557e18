// The rider's text inside the DeviceScript VM: the same lines, widths and pages as in node
// (test/node/screen-text.test.ts), Chinese strings included (the VM indexes strings by code point).
import { describe, test, expect } from "@devicescript/test"
import { faultCard, fitWords, LANG_EN, LANG_ZH, pageSockets, parseLang, socketLine, textWidth, word, W_BUSY, W_NOCODE, W_SCAN } from "../../src/core/screen-text"

describe("screen text in the VM", () => {
    test("lines as in node, fitted to the OLED's 65 px", () => {
        expect(socketLine(3, "charging", 45.9, 120.7, "", LANG_EN, 65, 1)).toBe("3 0:45 120Wh")
        expect(socketLine(10, "charging", 605, 1234, "", LANG_EN, 65, 1)).toBe("10 10h 1234Wh")
        expect(socketLine(4, "ended", 0, 0, "no_load", LANG_ZH, 65, 1)).toBe("4 已结束")
        expect(socketLine(5, "faulted", 0, 0, "short", LANG_ZH, 240, 1)).toBe("5 故障 请报修 E1")
        expect(socketLine(5, "faulted", 0, 0, "short", LANG_EN, 65, 1)).toBe("5 fault E1")
        expect(textWidth(word(W_SCAN, LANG_ZH), 1)).toBe(64)
        // the words table, first, middle and last, in both languages
        expect(word(W_SCAN, LANG_EN) + "|" + word(W_NOCODE, LANG_ZH) + "|" + word(W_BUSY, LANG_EN) + "|" + word(W_BUSY, LANG_ZH)).toBe("scan to pay|暂停|all busy|无空位")
        expect(textWidth("1 0:45 120Wh", 2)).toBe(112)
        expect(fitWords("S10 faulted welded_relay suspect", 65, 1)).toBe("S10 faulted")
        expect(faultCard(2, "overload", LANG_ZH).join("|")).toBe("2 故障|请报修|E2")
    })
    test("pages and the language setting", () => {
        expect(pageSockets("0000011111", 2, 5, 0).join(",")).toBe("2,6,7,8,9")
        expect(pageSockets("0000011111", 2, 5, 1).join(",")).toBe("2,6,7,8,10")
        expect(pageSockets("0000000000", 7, 5, 0).join(",")).toBe("6,7,8,9,10")
        expect(parseLang("en")).toBe(LANG_EN)
        expect(parseLang(null)).toBe(LANG_ZH)
        expect(parseLang("fr")).toBe(-1)
    })
})
