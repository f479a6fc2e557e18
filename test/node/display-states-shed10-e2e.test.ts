// Every state a rider meets on the shed10 board, captured from the firmware in the VM and read back
// (test/support/display-states.ts; docs/display.md). One language here (the boards take turns:
// each language runs end to end on some board); the other language's captures in docs/screens
// are read back by screen-captures.test.ts, and SCREENS_OUT=<dir> runs and writes both.
import { boardStates } from "../support/display-states"
import { LANG_EN, LANG_ZH } from "../../src/core/screen-text"

boardStates("shed10", LANG_ZH)
if (process.env.SCREENS_OUT) boardStates("shed10", LANG_EN)
