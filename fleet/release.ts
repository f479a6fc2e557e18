// Releases: one git tag built for each board type, padded, hashed and signed with ed25519, and
// the checks the server runs on a release before it stores or deploys it. The signature covers
// the manifest, the manifest covers the image by size and sha256, so a board only ever gets
// bytes a release engineer's key vouched for.
import { execFile } from "node:child_process"
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto"
import { mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { canonicalJson } from "./canonical"
import { BOARDS, isBoardName } from "../boards/catalogue"
import type { BoardType, Manifest } from "./types"

const run = promisify(execFile)

/** A version is a release tag; the compiler reports it only for a tag without a "-" (see buildRelease). */
export const VERSION_RE = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/

/**
 * The first 8 bytes of every image the pinned compiler writes: BinFmt.MAGIC0 0x53766544 ("DevS")
 * and MAGIC1 0xf1296e0a, little endian. (4a6163530a7e6a9a, "JacS", is the older Jacscript format
 * the runtime no longer loads.)
 */
export const DEVS_MAGIC = Buffer.from("446576530a6e29f1", "hex")

/** The runtime major the boards run; an image from another compiler major does not load. */
export const RUNTIME_MAJOR = 2

export function generateSigningKey(): { privateKeyPem: string; publicKeyPem: string } {
    const k = generateKeyPairSync("ed25519", {
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
        publicKeyEncoding: { type: "spki", format: "pem" },
    })
    return { privateKeyPem: k.privateKey, publicKeyPem: k.publicKey }
}

function spkiDer(publicKeyPem: string): Buffer {
    return createPublicKey(publicKeyPem).export({ type: "spki", format: "der" })
}

/** First 16 hex of sha256 of the public key's SPKI DER: the same key in any PEM layout has one id. */
export function keyId(publicKeyPem: string): string {
    return createHash("sha256").update(spkiDer(publicKeyPem)).digest("hex").slice(0, 16)
}

/** The text the signature covers: the project's canonical JSON (sorted keys) without sig and keyId. */
export function canonicalManifest(m: Manifest): string {
    return canonicalJson({ ...m, sig: undefined, keyId: undefined })
}

/** Zero pads to a multiple of 32, the runtime's deploy alignment (get_hash covers the padding). */
export function padImage(buf: Buffer): Buffer {
    const pad = (32 - (buf.length % 32)) % 32
    return pad ? Buffer.concat([buf, Buffer.alloc(pad)]) : Buffer.from(buf)
}

export function sha256Hex(buf: Buffer): string {
    return createHash("sha256").update(buf).digest("hex")
}

export function signManifest(m: Manifest, privateKeyPem: string, publicKeyPem: string): Manifest {
    const priv = createPrivateKey(privateKeyPem)
    // a keyId of another key than the one that signed would make every board refuse the release
    // much later, far from the mistake
    if (!spkiDer(publicKeyPem).equals(createPublicKey(priv).export({ type: "spki", format: "der" }))) throw new Error("the public key is not the signing key's")
    const sig = sign(null, Buffer.from(canonicalManifest(m)), priv).toString("base64")
    return { ...m, sig, keyId: keyId(publicKeyPem) }
}

/** Why a release must not be deployed, or null. The signature is checked before anything it covers. */
export function verifyRelease(m: Manifest, image: Buffer, trustedPublicKeyPems: string[]): string | null {
    if (!m.sig) return "unsigned"
    if (!m.keyId) return "no keyId: cannot tell which key signed it"
    const pem = trustedPublicKeyPems.find(p => keyId(p) === m.keyId)
    if (!pem) return `signed by unknown key ${m.keyId}`
    let ok = false
    try {
        ok = verify(null, Buffer.from(canonicalManifest(m)), createPublicKey(pem), Buffer.from(m.sig, "base64"))
    } catch {
        // a malformed signature throws rather than returning false
    }
    if (!ok) return `bad signature (key ${m.keyId})`
    if (typeof m.version !== "string" || !VERSION_RE.test(m.version)) return `bad version format ${JSON.stringify(m.version)}`
    if (!isBoardName(m.board)) return `unknown board type ${JSON.stringify(m.board)}`
    const major = /^(\d+)\./.exec(String(m.compiler))?.[1]
    if (Number(major) !== RUNTIME_MAJOR) return `compiler ${m.compiler}: boards run runtime major ${RUNTIME_MAJOR}`
    if (image.length !== m.size) return `size mismatch: manifest says ${m.size} bytes, image has ${image.length}`
    if (image.length % 32 !== 0) return `image not padded to a multiple of 32 (${image.length} bytes)`
    if (sha256Hex(image) !== m.sha256) return "sha256 mismatch: the image is not the one the manifest names"
    if (!image.subarray(0, DEVS_MAGIC.length).equals(DEVS_MAGIC)) return "not a DeviceScript image (magic bytes)"
    return null
}

async function git(repo: string, args: string[]): Promise<string> {
    const r = await run("git", ["-C", repo, ...args], { env: buildEnv(), maxBuffer: 16 << 20 })
    return r.stdout.trim()
}

/** A GIT_DIR or GIT_WORK_TREE from the caller (a git hook) would point git, and the compiler's git describe, at another tree. */
function buildEnv(): NodeJS.ProcessEnv {
    const env = { ...process.env }
    for (const k of ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_CEILING_DIRECTORIES"]) delete env[k]
    return env
}

function contains(image: Buffer, text: string): boolean {
    // the compiler stores strings NUL terminated: with the NULs around it, "v1.2.0" does not match
    // inside "v1.2.0-rc1" or "v11.2.0"
    return image.includes(Buffer.concat([Buffer.alloc(1), Buffer.from(text), Buffer.alloc(1)]))
}

export interface BuildOptions {
    repo: string
    tag: string
    boards: BoardType[]
    outDir: string
    privateKeyPem: string
    publicKeyPem: string
}

/**
 * Builds `tag` for each board in a clean worktree of `repo`, so the program reports exactly the
 * tag as its version: the compiler takes `@version` from `git describe --tags --match 'v[0-9]*'`
 * only when the tree is clean and exactly on a tag without a "-" in it (it would report a
 * prerelease tag v1.2.0-rc.1 as v1.2.1-rc.1, so those are refused). Writes `<outDir>/<tag>/<board>.devs`
 * and `<board>.manifest.json`, signed.
 */
export async function buildRelease(opts: BuildOptions): Promise<{ manifest: Manifest; imagePath: string }[]> {
    const repo = resolve(opts.repo)
    const { tag } = opts
    if (!VERSION_RE.test(tag)) throw new Error(`tag ${JSON.stringify(tag)} is not a release version (vMAJOR.MINOR.PATCH)`)
    if (tag.includes("-")) throw new Error(`tag ${tag}: the compiler does not report a tag with a "-" as the version, so it cannot be built as a release`)
    for (const b of opts.boards) if (!isBoardName(b)) throw new Error(`unknown board type ${JSON.stringify(b)}`)
    let commit: string
    try {
        commit = await git(repo, ["rev-parse", "--verify", "--quiet", `refs/tags/${tag}^{commit}`])
    } catch {
        throw new Error(
            `tag ${tag} does not exist in ${repo}: a release is built from a git tag. Tag the commit to release (committed changes only: the build uses a clean checkout of the tag), then run release again:\n  git tag ${tag}\n(git tag ${tag} <commit> tags another commit than HEAD)`
        )
    }
    const compiler: string = JSON.parse(await readFile(join(repo, "node_modules/@devicescript/cli/package.json"), "utf8")).version
    const cli = join(repo, "node_modules/@devicescript/cli/built/devicescript-cli.cjs")

    const parent = await mkdtemp(join(tmpdir(), "fleet-build-"))
    const tree = join(parent, "tree")
    let added = false
    try {
        await git(repo, ["worktree", "add", "--detach", tree, tag])
        added = true
        // node_modules is untracked, and the compiler's dirty check ignores untracked files
        await symlink(join(repo, "node_modules"), join(tree, "node_modules"), "dir")
        // with a second release tag on the same commit the compiler may report that one: say so
        // before building
        const described = await git(tree, ["describe", "--tags", "--match", "v[0-9]*"])
        if (described !== tag) throw new Error(`git describe in the build tree says ${described}, not ${tag} (another tag on the same commit?)`)

        const dir = join(resolve(opts.outDir), tag)
        await mkdir(dir, { recursive: true })
        const out: { manifest: Manifest; imagePath: string }[] = []
        for (const board of opts.boards) {
            const entry = BOARDS[board].entry
            try {
                await run(process.execPath, [cli, "build", entry], { cwd: tree, env: buildEnv(), maxBuffer: 64 << 20 })
            } catch (e: any) {
                throw new Error(`devs build ${entry} at ${tag} failed:\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`)
            }
            const built = await readFile(join(tree, ".devicescript/bin/bytecode.devs"))
            if (!contains(built, tag)) throw new Error(`the ${board} image does not report version ${tag}: the build tree was not clean or not exactly on the tag`)
            const image = padImage(built)
            const manifest = signManifest(
                { version: tag, board, commit, size: image.length, sha256: sha256Hex(image), compiler, builtAt: new Date().toISOString() },
                opts.privateKeyPem,
                opts.publicKeyPem
            )
            const bad = verifyRelease(manifest, image, [opts.publicKeyPem])
            if (bad) throw new Error(`built ${board} ${tag} but it does not verify: ${bad}`)
            const imagePath = join(dir, `${board}.devs`)
            await writeFile(imagePath, image)
            await writeFile(join(dir, `${board}.manifest.json`), JSON.stringify(manifest, null, 4) + "\n")
            out.push({ manifest, imagePath })
        }
        return out
    } finally {
        // git worktree remove must not follow the link into the repo's own node_modules
        await unlink(join(tree, "node_modules")).catch(() => {})
        if (added) await git(repo, ["worktree", "remove", "--force", tree]).catch(() => {})
        await rm(parent, { recursive: true, force: true })
        await git(repo, ["worktree", "prune"]).catch(() => {})
    }
}
