// The operator's first hour as docs/updates.md tells it: the command lines between its
// `operator-path` markers, read from the file and run in order, as a user types them, in a
// fresh copy of the project (a git repository of its own: the path tags and commits), on ports
// of this test's own. Lines marked "leave it running" run in the background until the end
// (`it says "..."`: the test waits for those words before the next line); every other line
// must exit 0. At the end nothing the commands started is left running.
import { test, after } from "node:test"
import assert from "node:assert/strict"
import { ChildProcess, execFileSync, spawn } from "node:child_process"
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, existsSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { randomBytes } from "node:crypto"
import { dirname, join } from "node:path"
import { ROOT } from "../../host/root"
import { tempDir } from "../support/temp-dir"

export interface DocLine {
    cmd: string
    comment: string
}

/** The command lines of the docs' operator path, each with its trailing comment. */
export function operatorPath(markdown: string): DocLine[] {
    const m = /<!-- operator-path: begin -->\s*```sh\n([\s\S]*?)```\s*<!-- operator-path: end -->/.exec(markdown)
    if (!m) throw new Error("docs/updates.md has no operator-path block")
    return m[1]
        .split("\n")
        .map(l => l.trim())
        .filter(l => l && !l.startsWith("#"))
        .map(l => {
            const c = /\s+#\s(.*)$/.exec(l)
            return { cmd: c ? l.slice(0, c.index).trim() : l, comment: c ? c[1] : "" }
        })
}

/** A TCP port free right now on 127.0.0.1. */
function freePort(): Promise<number> {
    return new Promise((res, rej) => {
        const s = createServer()
        s.listen(0, "127.0.0.1", () => {
            const p = (s.address() as any).port
            s.close(() => res(p))
        }).on("error", rej)
    })
}

/** The project as a fresh clone has it (the work tree's files, committed once), node_modules linked. */
function freshCopy(): string {
    const dir = tempDir("operator-path-")
    const files = execFileSync("git", ["-C", ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z"], { encoding: "utf8" }).split("\0").filter(Boolean)
    for (const f of files) {
        if (!existsSync(join(ROOT, f))) continue
        mkdirSync(dirname(join(dir, f)), { recursive: true })
        copyFileSync(join(ROOT, f), join(dir, f))
    }
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"))
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "pipe", env: gitEnv() })
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "a fresh clone")
    return dir
}

function gitEnv(): NodeJS.ProcessEnv {
    return { ...process.env, GIT_AUTHOR_NAME: "operator", GIT_AUTHOR_EMAIL: "operator@example.invalid", GIT_COMMITTER_NAME: "operator", GIT_COMMITTER_EMAIL: "operator@example.invalid" }
}

/** pids of processes whose environment carries the tag: everything the path's commands started */
function tagged(tag: string): number[] {
    const pids: number[] = []
    for (const d of readdirSync("/proc")) {
        if (!/^\d+$/.test(d)) continue
        try {
            if (readFileSync(`/proc/${d}/environ`, "latin1").includes(`OPERATOR_PATH_TAG=${tag}`)) pids.push(Number(d))
        } catch {
            // ended meanwhile, or not ours to read
        }
    }
    return pids
}

interface Running {
    line: string
    p: ChildProcess
    out: string
    exited: boolean
}

const tag = randomBytes(6).toString("hex")
const background: Running[] = []
let dir = ""

async function stopAll() {
    // OPERATOR_PATH_LOGS=<folder>: every background line's whole output, to read after a failure
    const logs = process.env.OPERATOR_PATH_LOGS
    if (logs) background.forEach((b, i) => writeFileSync(join(logs, `${i}.log`), `${b.line}\n${b.out}`))
    for (const b of background) if (!b.exited) process.kill(-b.p.pid!, "SIGTERM")
    const t0 = Date.now()
    while (tagged(tag).length && Date.now() - t0 < 30000) await new Promise(r => setTimeout(r, 200))
    for (const pid of tagged(tag)) process.kill(pid, "SIGKILL")
}

after(async () => {
    await stopAll()
})

function run(cmd: string, env: NodeJS.ProcessEnv, bg: boolean): Running {
    // its own process group: the line and everything it starts (npm, tsx, the VM) stop together
    const p = spawn("sh", ["-c", cmd], { cwd: dir, env, detached: true, stdio: ["pipe", "pipe", "pipe"] })
    const r: Running = { line: cmd, p, out: "", exited: false }
    p.stdout!.on("data", d => (r.out += d))
    p.stderr!.on("data", d => (r.out += d))
    p.on("exit", () => (r.exited = true))
    if (!bg) p.stdin!.end()
    return r
}

async function waitFor(r: Running, text: string, ms: number) {
    const t0 = Date.now()
    while (!r.out.includes(text)) {
        if (r.exited) throw new Error(`"${r.line}" ended before it said "${text}":\n${r.out.slice(-3000)}`)
        if (Date.now() - t0 > ms) throw new Error(`"${r.line}" did not say "${text}" within ${ms} ms:\n${r.out.slice(-3000)}`)
        await new Promise(res => setTimeout(res, 200))
    }
}

async function finish(r: Running, ms: number): Promise<number> {
    const t0 = Date.now()
    while (!r.exited) {
        if (Date.now() - t0 > ms) {
            process.kill(-r.p.pid!, "SIGKILL")
            throw new Error(`"${r.line}" still running after ${ms} ms:\n${r.out.slice(-3000)}`)
        }
        await new Promise(res => setTimeout(res, 200))
    }
    return r.p.exitCode ?? -1
}

test("the docs' operator path parses: the commands a user types, with what to leave running", () => {
    const lines = operatorPath(readFileSync(join(ROOT, "docs/updates.md"), "utf8"))
    const cmds = lines.map(l => l.cmd)
    for (const want of [
        /fleet -- keygen/,
        /npm start -- --fleet/,
        /fleet -- server/,
        /fleet -- watch/,
        /^git tag v1\.0\.0$/,
        /fleet -- release --tag v1\.0\.0/,
        /fleet -- upload/,
        /fleet -- rollout v1\.0\.0/,
    ])
        assert.ok(
            cmds.some(c => want.test(c)),
            `${want} in the path`
        )
    assert.equal(lines.filter(l => /leave it running/.test(l.comment)).length, 3)
    assert.deepEqual(operatorPath("<!-- operator-path: begin -->\n```sh\n# a note\nnpm x   # leave it running\n\ngit tag v1\n```\n<!-- operator-path: end -->"), [
        { cmd: "npm x", comment: "leave it running" },
        { cmd: "git tag v1", comment: "" },
    ])
})

test("the operator's first hour runs from the docs: keys, server, the shed provisioned by it, two releases rolled out, a rollback", { timeout: 1_500_000 }, async () => {
    const lines = operatorPath(readFileSync(join(ROOT, "docs/updates.md"), "utf8"))
    dir = freshCopy()
    const api = await freePort()
    const mqtt = await freePort()
    const env: NodeJS.ProcessEnv = { ...gitEnv(), OPERATOR_PATH_TAG: tag, npm_config_update_notifier: "false" }
    delete env.FLEET_TOKEN
    // the copy builds its own firmware, as a fresh clone's npm start does
    delete env.SHED_FIRMWARE_PREBUILT
    delete env.FLEET_API
    const done: { cmd: string; out: string }[] = []
    for (const { cmd: raw, comment } of lines) {
        const cmd = raw.replace(/\b8090\b/g, String(api)).replace(/\b1885\b/g, String(mqtt))
        const ex = /^export (\w+)=(\S+)$/.exec(cmd)
        if (ex) {
            env[ex[1]] = ex[2]
            continue
        }
        if (/leave it running/.test(comment)) {
            const r = run(cmd, env, true)
            background.push(r)
            const says = /it says "([^"]+)"/.exec(comment)
            if (says) await waitFor(r, says[1], 600000)
            continue
        }
        const r = run(cmd, env, false)
        const code = await finish(r, 900000)
        const bgTail = background.map(b => `--- ${b.line}:\n${b.out.slice(-1500)}`).join("\n")
        assert.equal(code, 0, `"${cmd}" exited ${code}:\n${r.out}\n${bgTail}`)
        done.push({ cmd, out: r.out })
    }
    const out = (re: RegExp) => done.filter(d => re.test(d.cmd)).map(d => d.out)
    assert.match(out(/rollout v1\.0\.0/)[0], /nothing to roll back to/, "the first release says it has no rollback target")
    assert.match(out(/rollout v1\.1\.0/)[0], /back to v1\.0\.0/, "the second release's rollback target is the first")
    const settled = out(/boards --wait/)
    assert.equal(settled.length, 4)
    // the board, as the server saw it after each settling: v1.0.0, v1.1.0, then v1.0.0 again (rolled back)
    assert.match(settled[1], /shed10\s+v1\.0\.0\s+v1\.0\.0\s+healthy/)
    assert.match(settled[2], /shed10\s+v1\.1\.0\s+v1\.1\.0\s+healthy/)
    assert.match(settled[3], /shed10\s+v1\.0\.0\s+v1\.0\.0\s+healthy/)
    // what watch followed: the three deploys, the last one the rollback
    const watch = background.find(b => /fleet -- watch/.test(b.line))!
    const deploys = [...watch.out.matchAll(/deployed (v\d+\.\d+\.\d+)/g)].map(m => m[1])
    assert.deepEqual(deploys, ["v1.0.0", "v1.1.0", "v1.0.0"], watch.out.slice(-3000))
    // the shed says it is the fleet's
    assert.match(background.find(b => /npm start/.test(b.line))!.out, /registered with the fleet server/)

    // release without its tag says what to run
    const noTag = run("npm run fleet -- release --tag v1.2.0 --key keys/release-signing.key --pub keys/release-signing.pub --boards shed10", env, false)
    assert.equal(await finish(noTag, 120000), 1)
    assert.match(noTag.out, /tag v1\.2\.0 does not exist in .*\n\s+git tag v1\.2\.0\n/)

    await stopAll()
    assert.deepEqual(tagged(tag), [], "nothing the path started is left running")
})
