// The fleet engineer's command line: `npm run fleet -- <command>`. The server's address comes
// from --api or FLEET_API (default http://127.0.0.1:8090), its token from FLEET_TOKEN.
import { parseArgs } from "node:util"
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { FleetServer } from "./server"
import { summaryText } from "./summary"
import { buildRelease, generateSigningKey } from "./release"
import { BoardType } from "./types"
import { BOARD_NAMES } from "../boards/catalogue"
import { provisionBoard } from "../host/provision"
import { ACCOUNT_NAME, BrokerAccount, brokerFiles, checkMqttPassword, hashMqttPassword } from "./broker-config"
import { newMqttPassword } from "../host/provision"
import { apiCall } from "../host/api-client"
import { ROOT } from "../host/root"

const USAGE = `fleet <command> [options]

  keygen --out <dir>                       a release signing key pair (keep the .key offline)
  release --tag <vX.Y.Z> --key <file.key> --pub <file.pub> [--boards ${BOARD_NAMES.join(",")}] [--out releases]
                                           build each board's image from the git tag, sign it
  server --trust <file.pub>[,<file.pub>] [--host 0.0.0.0] [--port 8090] [--data fleet-data] [--mqtt mqtts://host:8883]
                                           run the update server. FLEET_TOKEN protects its API: without
                                           it the server refuses any --host but 127.0.0.1/localhost.
                                           Its broker account: FLEET_MQTT_USER, FLEET_MQTT_PASS.
                                           --db postgres://... (or FLEET_DATABASE_URL): the registry on
                                           PostgreSQL, shared by several servers, instead of --data
  boards [--wait] [--timeout 900]          boards with their version, assignment and health; --wait: once the
                                           fleet has settled (a board registered, no rollout under way, every
                                           board running its assigned release), else exit 1 at the timeout
  upload <releases/vX.Y.Z>                 upload a release's signed images
  rollout <vX.Y.Z> [--canary id,id] [--percent 10] [--soak 600] [--report 300] [--force]
                                           start a staged rollout (canary, percent, all)
  pause <rollout id> | resume <rollout id>
  rollback [<rollout id>]                  the latest rollout's boards go back to the release each ran before
  watch [--board <id>]                     follow rollouts, deploys and boards: the counts per version and
                                           rollout stage (on it, updating, failed, rolled back, silent)
                                           whenever they change, and the log
  paycodes --id <board id> --url <template>
                                           the board's pay URL changed: every socket's QR code rendered
                                           again and sent to it, signed (the template names {socket})
  provision --id <board id> --type <${BOARD_NAMES.join("|")}> --mqtt <host[:8883]> --server <host:port>
            [--mqtt-proto tls|tcp] [--keys board-keys] [--hub 8082] [--url <pay URL template>] [--lang zh|en]
                                           register the board on the bus (devs devtools) and write its
                                           settings, its sockets' pay codes and the riders' language on its
                                           screen (zh by default); its command key goes to <keys>/<id>.json (0600)
  broker-config --out <dir> [--services backend,fleet] [--secrets broker-secrets]
                                           the broker's accounts and ACLs from the registry: Mosquitto
                                           (password file, acl file, dynamic-security JSON) and EMQX
                                           (acl.conf, users CSV); service account passwords are kept
                                           in <secrets>/<name>.pass (mode 0600), made when missing
`

const api = () => process.env.FLEET_API ?? "http://127.0.0.1:8090"

const call = (method: "GET" | "POST", path: string, body?: object) => apiCall(api(), process.env.FLEET_TOKEN, method, path, body)

function ago(ms?: number): string {
    if (!ms) return "-"
    const s = Math.round((Date.now() - ms) / 1000)
    return s < 120 ? s + " s ago" : Math.round(s / 60) + " min ago"
}

function table(rows: string[][]) {
    const w = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)))
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join("  "))
}

async function boards(bs: any[]) {
    const rows = [["board", "type", "version", "assigned", "health", "channel", "seen"]]
    for (const b of bs) {
        const health = b.deploying
            ? `deploying ${Math.round((100 * b.deploying.sent) / b.deploying.total)} %`
            : b.deployedAt && !b.healthyAt
              ? "waiting for report"
              : b.crashes
                ? `${b.crashes} crashes`
                : b.healthyAt
                  ? "healthy"
                  : "-"
        rows.push([b.id, b.type, b.version ?? "?", b.assigned ?? "-", health, b.channel ? "open" : "-", ago(b.lastSeen)])
    }
    table(rows)
}

/** Why the fleet has not settled yet, or null: a board registered, no rollout under way, each board on its assigned release. */
function unsettled(bs: any[], rollouts: any[]): string | null {
    if (!bs.length) return "no board registered yet"
    const r = rollouts[rollouts.length - 1]
    if (r && ["canary", "percent", "all"].includes(r.stage)) return `rollout ${r.id} of ${r.version} at its ${r.stage} stage`
    const off = bs.filter(b => b.assigned && (b.version !== b.assigned || b.deploying))
    if (off.length) return off.map(b => `${b.id} runs ${b.version ?? "?"}, assigned ${b.assigned}`).join("; ")
    return null
}

/** `boards --wait`: polls until the fleet settles (a server not up yet counts as not settled). */
async function waitSettled(timeoutS: number) {
    const t0 = Date.now()
    let why = "the server did not answer"
    let said = ""
    for (;;) {
        try {
            const bs: any[] = await call("GET", "/api/boards")
            const rollouts: any[] = await call("GET", "/api/rollouts")
            const u = unsettled(bs, rollouts)
            if (!u) {
                await boards(bs)
                const r = rollouts[rollouts.length - 1]
                if (r) console.log(`rollout ${r.id} of ${r.version}: ${r.stage}${r.reason ? " (" + r.reason + ")" : ""}`)
                return
            }
            why = u
        } catch (e) {
            const m = (e as Error).message
            // the server refused (a bad token): waiting will not change that
            if (/^\d{3}: /.test(m)) throw e
            why = `no answer from the server at ${api()} (${m})`
        }
        if (why !== said) console.log(`waiting: ${why}`)
        said = why
        if (Date.now() - t0 > timeoutS * 1000) throw new Error(`the fleet did not settle within ${timeoutS} s: ${why}`)
        await new Promise(r => setTimeout(r, 1000))
    }
}

async function main() {
    const [cmd, ...rest] = process.argv.slice(2)
    const { values: o, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
            out: { type: "string" },
            tag: { type: "string" },
            key: { type: "string" },
            pub: { type: "string" },
            boards: { type: "string" },
            trust: { type: "string" },
            port: { type: "string" },
            data: { type: "string" },
            db: { type: "string" },
            mqtt: { type: "string" },
            canary: { type: "string" },
            percent: { type: "string" },
            soak: { type: "string" },
            report: { type: "string" },
            force: { type: "boolean" },
            board: { type: "string" },
            id: { type: "string" },
            type: { type: "string" },
            server: { type: "string" },
            hub: { type: "string" },
            host: { type: "string" },
            "mqtt-proto": { type: "string" },
            keys: { type: "string" },
            services: { type: "string" },
            secrets: { type: "string" },
            url: { type: "string" },
            wait: { type: "boolean" },
            timeout: { type: "string" },
            lang: { type: "string" },
        },
    })
    const need = (v: string | undefined, what: string): string => {
        if (!v) throw new Error(`${cmd}: ${what} is required\n\n${USAGE}`)
        return v
    }
    switch (cmd) {
        case "keygen": {
            const dir = need(o.out, "--out")
            mkdirSync(dir, { recursive: true })
            const k = generateSigningKey()
            writeFileSync(join(dir, "release-signing.key"), k.privateKeyPem)
            chmodSync(join(dir, "release-signing.key"), 0o600)
            writeFileSync(join(dir, "release-signing.pub"), k.publicKeyPem)
            console.log(`wrote ${dir}/release-signing.key (keep it offline) and ${dir}/release-signing.pub (give it to the server: --trust)`)
            return
        }
        case "release": {
            const boards = (o.boards ?? BOARD_NAMES.join(",")).split(",") as BoardType[]
            const built = await buildRelease({
                repo: ROOT,
                tag: need(o.tag, "--tag"),
                boards,
                outDir: o.out ?? "releases",
                privateKeyPem: readFileSync(need(o.key, "--key"), "utf8"),
                publicKeyPem: readFileSync(need(o.pub, "--pub"), "utf8"),
            })
            for (const b of built) console.log(`${b.manifest.board}: ${b.imagePath} ${b.manifest.size} bytes sha256 ${b.manifest.sha256.slice(0, 16)}.. signed by ${b.manifest.keyId}`)
            return
        }
        case "server": {
            const trust = need(o.trust, "--trust")
                .split(",")
                .map(f => readFileSync(f, "utf8"))
            const s = new FleetServer({
                dataDir: o.data ?? "fleet-data",
                // PostgreSQL, shared by several servers (docs/updates.md "A large fleet"); else the data folder
                databaseUrl: o.db ?? (process.env.FLEET_DATABASE_URL || undefined),
                port: Number(o.port ?? 8090),
                host: o.host ?? "0.0.0.0",
                trust,
                mqttUrl: o.mqtt,
                mqttUser: process.env.FLEET_MQTT_USER,
                mqttPass: process.env.FLEET_MQTT_PASS,
                token: process.env.FLEET_TOKEN || undefined,
                log: l => console.log(new Date().toISOString(), l),
            })
            await s.start()
            const stop = async () => {
                await s.stop()
                process.exit(0)
            }
            process.on("SIGINT", stop)
            process.on("SIGTERM", stop)
            return
        }
        case "boards": {
            if (!o.wait) return boards(await call("GET", "/api/boards"))
            const timeoutS = Number(o.timeout ?? 900)
            if (!(timeoutS > 0)) throw new Error("--timeout: seconds, more than 0")
            return waitSettled(timeoutS)
        }
        case "upload": {
            const dir = need(positionals[0], "a release folder")
            if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a release folder`)
            const manifests = readdirSync(dir).filter(f => f.endsWith(".manifest.json"))
            if (!manifests.length) throw new Error(`no *.manifest.json in ${dir}`)
            for (const f of manifests) {
                const manifest = JSON.parse(readFileSync(join(dir, f), "utf8"))
                const image = readFileSync(join(dir, f.replace(/\.manifest\.json$/, ".devs")))
                await call("POST", "/api/releases", { manifest, image: image.toString("base64") })
                console.log(`uploaded ${manifest.version} for ${manifest.board}`)
            }
            return
        }
        case "rollout": {
            const r = await call("POST", "/api/rollouts", {
                version: need(positionals[0], "a version"),
                canary: o.canary ? o.canary.split(",") : [],
                percent: o.percent !== undefined ? Number(o.percent) : undefined,
                soakS: o.soak !== undefined ? Number(o.soak) : undefined,
                reportS: o.report !== undefined ? Number(o.report) : undefined,
                force: o.force === true,
            })
            console.log(
                `rollout ${r.id}: ${r.version}, stage ${r.stage}, ` +
                    (r.previous
                        ? `rolls back to ${r.previous} on failure`
                        : `nothing to roll back to on failure (no board runs another release the server has): a failure stops it, each board back on the release it ran before if it had one`)
            )
            return
        }
        case "rollback": {
            let id = positionals[0]
            if (!id) {
                const all: any[] = await call("GET", "/api/rollouts")
                if (!all.length) throw new Error("rollback: no rollout yet, nothing to roll back")
                id = all[all.length - 1].id
            }
            const r = await call("POST", `/api/rollouts/${encodeURIComponent(id)}/rollback`)
            console.log(`rollout ${r.rollout.id} of ${r.rollout.version} rolled back`)
            for (const a of r.assign) console.log(`${a.id} goes back to ${a.version}`)
            return
        }
        case "pause":
        case "resume": {
            const r = await call("POST", `/api/rollouts/${need(positionals[0], "a rollout id")}/${cmd}`)
            console.log(`rollout ${r.id}: ${r.stage}`)
            return
        }
        case "watch": {
            let last = 0
            let lastSummary = ""
            for (;;) {
                // the counts per version and stage, when they change
                const text = summaryText(await call("GET", "/api/summary"))
                if (text !== lastSummary) console.log(text)
                lastSummary = text
                const logs: any[] = await call("GET", `/api/log?limit=50${o.board ? "&board=" + encodeURIComponent(o.board) : ""}`)
                for (const l of logs.filter(x => x.t > last)) console.log(new Date(l.t).toISOString(), l.board ? l.board + ":" : "", l.msg)
                if (logs.length) last = Math.max(last, ...logs.map(x => x.t))
                await new Promise(r => setTimeout(r, 2000))
            }
        }
        case "paycodes": {
            const id = need(o.id, "--id")
            const r = await call("POST", `/api/boards/${encodeURIComponent(id)}/paycodes`, { payUrl: need(o.url, "--url <template>") })
            for (const x of r.replies) console.log(`socket ${x.socket}: ${x.ok ? "stored" : `not stored: ${x.error}${x.detail ? " (" + x.detail + ")" : ""}`}`)
            if (r.replies.some((x: any) => !x.ok)) process.exitCode = 1
            return
        }
        case "provision": {
            const proto = o["mqtt-proto"] ?? "tls"
            if (proto !== "tls" && proto !== "tcp") throw new Error("--mqtt-proto: tls or tcp")
            const [mh, mp] = need(o.mqtt, "--mqtt host[:port]").split(":")
            const [sh, sp] = need(o.server, "--server host:port").split(":")
            const id = need(o.id, "--id")
            const keysDir = o.keys ?? "board-keys"
            // require, not import(): under tsx, import() loads jacdac-ts's ES module build, whose
            // socket transport calls require("net"), which ES modules lack: it never connected
            const { JDBus, createNodeSocketTransport } = require("jacdac-ts") as typeof import("jacdac-ts")
            const bus = new JDBus([createNodeSocketTransport(Number(o.hub ?? 8082))], { client: false, disableRoleManager: true })
            bus.start()
            await bus.connect()
            try {
                const p = await provisionBoard(bus, {
                    api: api(),
                    token: process.env.FLEET_TOKEN,
                    serverHost: sh,
                    serverPort: Number(sp),
                    id,
                    type: need(o.type, "--type") as BoardType,
                    mqttHost: mh,
                    mqttPort: Number(mp ?? (proto === "tls" ? 8883 : 1883)),
                    mqttProto: proto,
                    payUrl: o.url,
                    lang: o.lang,
                })
                // keys are never printed (terminals, CI logs and screen shares keep them): a file only its owner reads
                const file = writePrivate(keysDir, `${id}.json`, JSON.stringify({ board: id, deviceId: p.deviceId, cmdKey: p.cmdKey }) + "\n")
                console.log(
                    `board ${id} (device ${p.deviceId}) registered and provisioned (broker ${mh} over ${proto}, its own broker account); its command key for the operator's backend is in ${file}`
                )
                console.log("reset the board to use the settings; run broker-config to give the broker its account")
            } finally {
                await bus.disconnect()
                bus.stop()
            }
            return
        }
        case "broker-config": {
            const out = need(o.out, "--out")
            const services = (o.services ?? "backend,fleet").split(",").filter(Boolean)
            const secrets = o.secrets ?? "broker-secrets"
            for (const n of services) if (!ACCOUNT_NAME.test(n)) throw new Error(`--services: "${n}" is not a name (1-24 letters, digits, _ or -)`)
            const boards: BrokerAccount[] = await call("GET", "/api/broker-accounts")
            const clash = services.filter(n => boards.some(b => b.user === n))
            if (clash.length) throw new Error(`--services: ${clash.join(", ")} is also a board id`)
            const accounts: BrokerAccount[] = []
            for (const n of services) {
                const f = join(secrets, n + ".pass")
                let pass: string
                if (existsSync(f)) {
                    pass = readFileSync(f, "utf8").trim()
                    const bad = checkMqttPassword(pass)
                    if (bad) throw new Error(`${f}: ${bad.replace("mqttPass: ", "")}`)
                } else {
                    pass = newMqttPassword()
                    writePrivate(secrets, n + ".pass", pass + "\n")
                }
                accounts.push({ user: n, auth: hashMqttPassword(pass), role: "service" })
            }
            accounts.push(...boards)
            const files = brokerFiles(accounts)
            for (const [name, text] of Object.entries(files)) writePrivate(out, name, text)
            console.log(
                `wrote ${Object.keys(files).join(", ")} to ${out} (mode 0600: give them to the broker's user): ${boards.length} boards, service accounts ${services.join(", ")} (passwords in ${secrets}/)`
            )
            return
        }
        default:
            console.log(USAGE)
            if (cmd && cmd !== "help") process.exitCode = 2
    }
}

/** Writes a file only its owner can read, in a folder only its owner can list. */
function writePrivate(dir: string, name: string, text: string): string {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const f = join(dir, name)
    writeFileSync(f, text, { mode: 0o600 })
    // an existing file keeps its mode on write
    chmodSync(f, 0o600)
    return f
}

main().catch(e => {
    console.error((e as Error).message)
    process.exit(1)
})
