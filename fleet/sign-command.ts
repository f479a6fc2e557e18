// A command as the board accepts it: HMAC-SHA256 with the board's key over the canonical text
// of {id, ts, cmd, args} and the board id (src/core/protocol/canonical.ts). The operator's
// backend and the fleet update server both sign this way.
import { createHmac } from "node:crypto"
import { signedText } from "../src/core/protocol/canonical"

export function signCommand(boardId: string, keyHex: string, cmd: object): string {
    const sig = createHmac("sha256", Buffer.from(keyHex, "hex")).update(signedText(boardId, cmd as any), "utf8").digest("hex")
    return JSON.stringify({ ...cmd, sig })
}
