// Every state a rider meets on the shed10 board, in English and in Chinese, captured from the
// firmware in the VM and read back (test/support/display-states.ts; docs/display.md).
import { boardStates } from "../support/display-states"
import { LANG_EN, LANG_ZH } from "../../src/core/screen-text"

boardStates("shed10", LANG_EN)
boardStates("shed10", LANG_ZH)
