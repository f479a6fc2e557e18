// Every state a rider meets on the shed2tft board, in English and in Chinese, captured from the
// firmware in the VM and read back (test/support/display-states.ts; docs/display.md).
import { boardStates } from "../support/display-states"
import { LANG_EN, LANG_ZH } from "../../src/core/screen-text"

boardStates("shed2tft", LANG_EN)
boardStates("shed2tft", LANG_ZH)
