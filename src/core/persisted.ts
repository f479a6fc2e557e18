// What a session record read from flash must be before a session resumes from it (the shape of
// SocketSession.persisted()).
import { checkShape, isObject } from "./shape"

const SESSION_SHAPE = `{"order":"o","limit":"L","elapsedS":"n","energyWh":"n","peakW":"n","refW":"n","drew":"b","powerCapW":"n","topOffMin":"n","profile":"s?","fullAtS":"n"}`

/**
 * What is wrong with a session record read from flash ("" when it is whole). Fields the shape
 * does not name are left alone: a later release may add some.
 */
export function persistedError(p: any): string {
    if (!isObject(p)) return "not an object"
    const e = checkShape(SESSION_SHAPE, p, 0, false)
    return e ? e.detail : ""
}
