// The fleet update server's records. One release is one version (a git tag) built for each
// board type; a board gets the image for its own type.
import type { MqttAuth } from "./broker-config"

import type { BoardName } from "../boards/catalogue"

/** board types: the catalogue's boards (boards/catalogue.ts) */
export type BoardType = BoardName

/** What a release engineer signs: one board type's image of one version. */
export interface Manifest {
    /** the git tag the image was built from, which the program reports on its boot event ("v1.2.0") */
    version: string
    board: BoardType
    /** git commit of the tag */
    commit: string
    /** the image as deployed: bytes, padded with zeros to a multiple of 32 (the runtime's alignment) */
    size: number
    /** sha256 of the padded image, hex: what the runtime's get_hash reports once deployed */
    sha256: string
    /** DeviceScript compiler the image was built with; the boards' runtime must match its major */
    compiler: string
    /** ISO time of the build */
    builtAt: string
    /** ed25519 over canonicalManifest(manifest without sig), base64 */
    sig?: string
    /** which signing key signed it: first 16 hex of sha256 of the public key's DER */
    keyId?: string
}

export interface BoardRecord {
    /** the board id in MQTT topics and settings (shed/<id>/...) */
    id: string
    /** the runtime's device id (16 hex), the last part of the WSSK path */
    deviceId: string
    type: BoardType
    /** WSSK master key, 64 hex */
    wsskKey: string
    /** the command signing key the board verifies (boardKey setting), 64 hex */
    cmdKey: string
    /** its broker account (user = id): the password's hash only, the password is on the board (fleet/broker-config.ts) */
    mqttAuth?: MqttAuth
    /** release version the board should run (undefined: leave it as it is) */
    assigned?: string
    /** the release it ran before `assigned` (for rollback) */
    previous?: string
    /** version from its last boot event */
    version?: string
    /** program sha256 from its last get_hash over WSSK */
    hash?: string
    /** ms: last boot event, presence or WSSK message */
    lastSeen?: number
    /** ms: when the server last finished a verified deploy to it */
    deployedAt?: number
    /** ms: when it first reported `assigned` after that deploy */
    healthyAt?: number
    /** exception reports or unexpected restarts since deployedAt */
    crashes: number
    /** consecutive failed deploy attempts (back-off) */
    fails: number
    /** ms: no deploy attempt before this (back-off) */
    retryAt?: number
    /** ms: end of the update window the board granted (any server may deploy in it) */
    windowUntil?: number
    /** ms: when a server last asked it for a window (one server asks, the others see it) */
    askedAt?: number
    /** boot nonce of the last boot event taken in (every server hears it; one counts it) */
    boot?: string
    /** the last few boot nonces taken in (a server behind by more than one boot finds its event here) */
    recentBoots?: string[]
    /** ms: a deploy began writing and did not finish: the board may have no program to ask */
    cutAt?: number
    /** the release a rollback sent it back from (the operator's counts); cleared by its next assignment */
    rolledBackFrom?: string
    /** the server deploying to it now (a lease: until claimUntil), kept by the store */
    claimedBy?: string
    /** ms: the claim's lease ends; a server killed mid-deploy leaves it to expire */
    claimUntil?: number
}

export type RolloutStage = "canary" | "percent" | "all" | "done" | "rolled_back" | "paused"

export interface Rollout {
    id: string
    version: string
    /** the version boards without a release of their own to go back to get when this one fails; none for a first release */
    previous?: string
    /** board ids that get it first */
    canary: string[]
    /** then this share of the fleet (0..100) */
    percent: number
    stage: RolloutStage
    /** ms */
    startedAt: number
    /** ms: when the current stage began */
    stageAt: number
    /** a stage's boards must all be healthy this long (s) before the next stage */
    soakS: number
    /** after a deploy, a board must report the new version within this (s), else rollback */
    reportS: number
    /** deploy while sessions run (they are persisted and resumed) instead of waiting for idle */
    force: boolean
    /** why it was rolled back or paused */
    reason?: string
}
