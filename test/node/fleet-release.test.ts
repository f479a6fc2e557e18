// Releases: a signed manifest verifies, and every way a release can be wrong is refused; a
// release built from a tag reports exactly the tag.
import { test } from "node:test"
import assert from "node:assert/strict"
import { execFileSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { ROOT } from "../../host/root"
import { buildRelease, canonicalManifest, DEVS_MAGIC, generateSigningKey, keyId, padImage, sha256Hex, signManifest, verifyRelease } from "../../fleet/release"
import type { Manifest } from "../../fleet/types"
import { tempDir } from "../support/temp-dir"

const key = generateSigningKey()
const other = generateSigningKey()

function fakeImage(n = 100): Buffer {
    const b = Buffer.alloc(n, 0x5a)
    DEVS_MAGIC.copy(b)
    return padImage(b)
}

function manifest(image: Buffer, over: Partial<Manifest> = {}): Manifest {
    return {
        version: "v1.2.3",
        board: "shed2",
        commit: "0123456789abcdef0123456789abcdef01234567",
        size: image.length,
        sha256: sha256Hex(image),
        compiler: "2.16.4",
        builtAt: "2026-01-01T00:00:00.000Z",
        ...over,
    }
}

test("padImage pads with zeros to a multiple of 32 and leaves an aligned image as it is", () => {
    for (const n of [0, 1, 31, 32, 33, 100]) {
        const src = Buffer.alloc(n, 7)
        const p = padImage(src)
        assert.equal(p.length % 32, 0)
        assert.ok(p.length - n < 32)
        assert.deepEqual(p.subarray(0, n), src)
        assert.ok(p.subarray(n).every(x => x === 0))
    }
})

test("keyId is 16 hex, the same for the same key and differs between keys", () => {
    assert.match(keyId(key.publicKeyPem), /^[0-9a-f]{16}$/)
    assert.equal(keyId(key.publicKeyPem), keyId(key.publicKeyPem))
    assert.notEqual(keyId(key.publicKeyPem), keyId(other.publicKeyPem))
})

test("canonicalManifest sorts keys and leaves out sig and keyId", () => {
    const img = fakeImage()
    const m = manifest(img)
    const shuffled = Object.fromEntries(Object.entries(m).reverse()) as Manifest
    assert.equal(canonicalManifest(shuffled), canonicalManifest(m))
    assert.equal(canonicalManifest({ ...m, sig: "x", keyId: "y" }), canonicalManifest(m))
    const keys = Object.keys(JSON.parse(canonicalManifest(m)))
    assert.deepEqual(keys, [...keys].sort())
    assert.ok(!keys.includes("sig") && !keys.includes("keyId"))
})

test("a signed release verifies with its key among the trusted ones", () => {
    const img = fakeImage()
    const m = signManifest(manifest(img), key.privateKeyPem, key.publicKeyPem)
    assert.equal(m.keyId, keyId(key.publicKeyPem))
    assert.equal(Buffer.from(m.sig!, "base64").length, 64)
    assert.equal(verifyRelease(m, img, [other.publicKeyPem, key.publicKeyPem]), null)
})

test("signing with a public key that is not the private key's is refused", () => {
    const img = fakeImage()
    assert.throws(() => signManifest(manifest(img), key.privateKeyPem, other.publicKeyPem), /not the signing key/)
})

test("refusals: unsigned, unknown key, bad signature", () => {
    const img = fakeImage()
    const m = signManifest(manifest(img), key.privateKeyPem, key.publicKeyPem)
    assert.equal(verifyRelease(manifest(img), img, [key.publicKeyPem]), "unsigned")
    assert.match(verifyRelease(m, img, [other.publicKeyPem])!, /unknown key/)
    // another key's signature under this key's id
    const forged = signManifest(manifest(img), other.privateKeyPem, other.publicKeyPem)
    assert.match(verifyRelease({ ...forged, keyId: m.keyId }, img, [key.publicKeyPem])!, /bad signature/)
    // any signed field changed after signing
    for (const f of ["version", "commit", "builtAt", "compiler"] as const) assert.match(verifyRelease({ ...m, [f]: m[f] + "0" }, img, [key.publicKeyPem])!, /bad signature/, f)
    assert.match(verifyRelease({ ...m, sig: "AAAA" }, img, [key.publicKeyPem])!, /bad signature/)
})

test("refusals: a tampered byte, a changed size", () => {
    const img = fakeImage()
    const m = signManifest(manifest(img), key.privateKeyPem, key.publicKeyPem)
    for (const i of [0, 8, img.length - 1]) {
        const t = Buffer.from(img)
        t[i] ^= 1
        assert.match(verifyRelease(m, t, [key.publicKeyPem])!, /sha256 mismatch/, `byte ${i}`)
    }
    assert.match(verifyRelease(m, Buffer.concat([img, Buffer.alloc(32)]), [key.publicKeyPem])!, /size mismatch/)
    assert.match(verifyRelease(m, img.subarray(0, img.length - 32), [key.publicKeyPem])!, /size mismatch/)
})

test("refusals of signed manifests: bad version, board, compiler major, magic, padding", () => {
    const img = fakeImage()
    const signed = (over: Partial<Manifest>, image = img) => signManifest(manifest(image, over), key.privateKeyPem, key.publicKeyPem)
    for (const v of ["1.2.3", "v1.2", "v1.2.3-", "v1.2.3 ", "v1.2.3+build", "latest"]) assert.match(verifyRelease(signed({ version: v }), img, [key.publicKeyPem])!, /bad version/, v)
    assert.equal(verifyRelease(signed({ version: "v10.0.1-rc.1" }), img, [key.publicKeyPem]), null)
    assert.match(verifyRelease(signed({ board: "shed99" as any }), img, [key.publicKeyPem])!, /unknown board/)
    assert.match(verifyRelease(signed({ board: "toString" as any }), img, [key.publicKeyPem])!, /unknown board/)
    assert.match(verifyRelease(signed({ compiler: "3.0.0" }), img, [key.publicKeyPem])!, /compiler/)
    assert.match(verifyRelease(signed({ compiler: "garbage" }), img, [key.publicKeyPem])!, /compiler/)
    const jacs = padImage(Buffer.from("4a6163530a7e6a9a" + "00".repeat(40), "hex"))
    assert.match(verifyRelease(signed({}, jacs), jacs, [key.publicKeyPem])!, /magic/)
    const odd = Buffer.concat([DEVS_MAGIC, Buffer.alloc(3)])
    assert.match(verifyRelease(signed({}, odd), odd, [key.publicKeyPem])!, /padded/)
})

function git(cwd: string, ...args: string[]): string {
    return execFileSync("git", args, { cwd, encoding: "utf8" }).trim()
}

/** A throwaway repo with the project's firmware sources at one commit, tagged v9.8.7. */
function throwawayRepo(): string {
    const dir = tempDir("fleet-repo-")
    const files = git(ROOT, "ls-files")
        .split("\n")
        .filter(f => /^(src|boards|services)\//.test(f) || ["package.json", "devsconfig.json", "tsconfig.json", ".gitignore"].includes(f))
    for (const f of files) {
        mkdirSync(dirname(join(dir, f)), { recursive: true })
        copyFileSync(join(ROOT, f), join(dir, f))
    }
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir")
    git(dir, "init", "-q")
    git(dir, "add", ".")
    git(dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "release")
    git(dir, "tag", "v9.8.7")
    return dir
}

test("buildRelease builds a tag whose image reports the tag, signed, and refuses a missing tag", async () => {
    const repo = throwawayRepo()
    const out = tempDir("fleet-out-")
    // a dirty work tree in the repo must not leak into the build
    execFileSync("sh", ["-c", "echo '// dirty' >> src/main.ts"], { cwd: repo })
    const r = await buildRelease({ repo, tag: "v9.8.7", boards: ["shed10"], outDir: out, ...key })
    assert.equal(r.length, 1)
    const { manifest: m, imagePath } = r[0]
    assert.equal(imagePath, join(out, "v9.8.7", "shed10.devs"))
    const image = readFileSync(imagePath)
    assert.ok(image.includes(Buffer.from("\0v9.8.7\0")), "the image reports v9.8.7")
    assert.equal(m.version, "v9.8.7")
    assert.equal(m.board, "shed10")
    assert.equal(m.commit, git(repo, "rev-parse", "v9.8.7"))
    assert.equal(m.compiler, JSON.parse(readFileSync(join(ROOT, "node_modules/@devicescript/cli/package.json"), "utf8")).version)
    assert.equal(verifyRelease(m, image, [key.publicKeyPem]), null)
    const onDisk = JSON.parse(readFileSync(join(out, "v9.8.7", "shed10.manifest.json"), "utf8"))
    assert.deepEqual(onDisk, m)
    assert.equal(git(repo, "worktree", "list").split("\n").length, 1, "the build worktree is gone")
    assert.ok(existsSync(join(ROOT, "node_modules/@devicescript/cli/package.json")), "node_modules survived the worktree removal")

    await assert.rejects(buildRelease({ repo, tag: "v9.9.9", boards: ["shed10"], outDir: out, ...key }), /tag v9\.9\.9 does not exist in .*\n {2}git tag v9\.9\.9\n/)
    await assert.rejects(buildRelease({ repo, tag: "v9.8.7-rc.1", boards: ["shed10"], outDir: out, ...key }), /"-"/)
    // a tree made dirty after checkout (here by a hook): the compiler reports a dev version
    const hook = join(repo, ".git/hooks/post-checkout")
    writeFileSync(hook, "#!/bin/sh\necho '// dirty' >> src/main.ts\n", { mode: 0o755 })
    await assert.rejects(buildRelease({ repo, tag: "v9.8.7", boards: ["shed10"], outDir: out, ...key }), /does not report version v9\.8\.7/)
    rmSync(hook)
    // a second release tag on the same commit: the compiler reports the one git describe
    // picks (v9.8.7), so v9.8.8 cannot be built from there
    git(repo, "tag", "v9.8.8")
    await assert.rejects(buildRelease({ repo, tag: "v9.8.8", boards: ["shed10"], outDir: out, ...key }), /git describe in the build tree says v9\.8\.7/)
    assert.equal(git(repo, "worktree", "list").split("\n").length, 1, "the worktree is removed after a failure too")
})
