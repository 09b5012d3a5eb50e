import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'

/**
Installs the package the way a user gets it: `npm pack`, then `npm install` of the tarball into an
empty prefix (its dependencies come from the npm registry), then runs the installed bin with the
repo's Node 24 on PATH, from a folder outside the repo so nothing resolves from our node_modules.

Outside CI, DAGGER_EXPLORE_SKIP_PACK_TEST=1 skips it (it downloads the dependencies); under CI=true
it always runs.
*/

const CI = process.env.CI === 'true' || process.env.CI === '1'
const SKIP = !CI && process.env.DAGGER_EXPLORE_SKIP_PACK_TEST === '1'
// A warm npm cache installs in under a minute here; a cold one downloads about 70 MB.
const INSTALL_TIMEOUT_MS = Number(process.env.DAGGER_EXPLORE_PACK_INSTALL_TIMEOUT_MS) || 5 * 60_000
const NODE_DIR = path.join(ROOT, 'node_modules', 'node', 'bin')
/** What a user's machine has on PATH: our Node 24 first, then the system's basics (no repo node_modules/.bin). */
const USER_PATH = [NODE_DIR, '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter)

/** npm run passes its own settings down as npm_* variables; the inner npm must not inherit them. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value
  return {...env, PATH: USER_PATH, NO_UPDATE_NOTIFIER: '1'}
}

interface PackInfo {
  filename: string
  size: number
  unpackedSize: number
  files: {path: string; size: number}[]
}

let work = ''
let tarball = ''
let prefix = ''
let bin = ''
let packInfo: PackInfo
let entries: string[] = []
let installMs = 0

/** Runs the installed bin as a user would: a bare environment, Node 24 on PATH, a Docker socket that is not there. */
function runInstalled(args: readonly string[], timeout = 60_000) {
  return execa(bin, args, {
    cwd: work,
    reject: false,
    timeout,
    stdin: 'ignore',
    extendEnv: false,
    env: {
      PATH: USER_PATH,
      HOME: path.join(work, 'home'),
      XDG_STATE_HOME: path.join(work, 'state'),
      DOCKER_HOST: `unix://${path.join(work, 'missing.sock')}`,
      DOCKER_CONFIG: path.join(work, 'home', '.docker'),
      LANG: 'C.UTF-8',
      // Keep the Registry cell's probes on loopback (see vitest.config.ts).
      DAGGER_EXPLORE_REGISTRY_HOST: '127.0.0.1:9',
      DAGGER_EXPLORE_REGISTRY_CONTROL: 'none',
    },
  })
}

describe.skipIf(SKIP)('installed from the packed tarball, like a user', () => {
  beforeAll(async () => {
    // Packed as built by `npm test` (pretest builds dist/): running prepack here would rebuild dist/
    // under the feet of the suites that run the built CLI at the same time.
    if (!existsSync(path.join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it in pretest).')
    work = await mkdtemp(path.join(tmpdir(), 'de-pack-'))
    await mkdir(path.join(work, 'home'))
    prefix = path.join(work, 'prefix')
    await mkdir(prefix)
    const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {cwd: ROOT, env: npmEnv(), extendEnv: false, reject: false, timeout: 120_000})
    if (pack.exitCode !== 0) throw new Error(`npm pack failed (${pack.exitCode ?? 'timed out'}):\n${pack.stderr.slice(-2000)}`)
    const [info] = JSON.parse(pack.stdout) as PackInfo[]
    if (!info) throw new Error(`npm pack printed no package: ${pack.stdout.slice(0, 500)}`)
    packInfo = info
    tarball = path.join(work, info.filename)
    const list = await execa('tar', ['-tzf', tarball], {reject: false, timeout: 30_000})
    entries = list.stdout.split('\n').filter(Boolean)

    const started = performance.now()
    const install = await execa('npm', ['install', '--prefix', prefix, tarball, '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: work,
      env: npmEnv(),
      extendEnv: false,
      reject: false,
      timeout: INSTALL_TIMEOUT_MS,
    })
    installMs = performance.now() - started
    if (install.timedOut) throw new Error(`npm install of the tarball took longer than ${INSTALL_TIMEOUT_MS / 1000} s (DAGGER_EXPLORE_PACK_INSTALL_TIMEOUT_MS raises the bound).`)
    if (install.exitCode !== 0) throw new Error(`npm install of the tarball failed (exit ${install.exitCode}):\n${install.stderr.slice(-3000)}`)
    bin = path.join(prefix, 'node_modules', '.bin', 'dagger-explore')
    process.stderr.write(
      `pack: ${info.filename} ${(info.size / 1024).toFixed(0)} KiB packed, ${(info.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${info.files.length} files; npm install of the tarball took ${(installMs / 1000).toFixed(1)} s\n`,
    )
  }, INSTALL_TIMEOUT_MS + 180_000)

  afterAll(async () => {
    if (work) await rm(work, {recursive: true, force: true})
  })

  it('packs only runtime files: bin/, dist/, recipes/, README.md, package.json (and a LICENSE)', async () => {
    expect(entries.length).toBeGreaterThan(0)
    expect(entries.every((e) => e.startsWith('package/'))).toBe(true)
    const files = entries.map((e) => e.slice('package/'.length))
    const unexpected = files.filter((f) => !/^(?:bin\/|dist\/|recipes\/|README\.md$|package\.json$|LICEN[CS]E(?:\.\w+)?$)/.test(f))
    expect(unexpected).toEqual([])
    for (const forbidden of [/^src\//, /^test\//, /^bench\//, /^\.lab/, /^scripts\//, /node_modules\//, /\.tsx?$/, /^dist\/meta\.json$/, /\.map$/]) {
      expect(files.filter((f) => forbidden.test(f)), String(forbidden)).toEqual([])
    }
    expect(files).toContain('bin/dagger-explore.js')
    expect(files).toContain('dist/cli.js')
    expect(files.filter((f) => f.startsWith('recipes/')).length).toBeGreaterThan(0)
    // npm's own listing agrees with the tarball.
    expect([...packInfo.files.map((f) => f.path)].sort()).toEqual([...files].sort())
    const manifest = JSON.parse(await readFile(path.join(prefix, 'node_modules', 'dagger-explore', 'package.json'), 'utf8')) as {bin: Record<string, string>; engines: {node: string}}
    expect(manifest.bin['dagger-explore']).toBe('bin/dagger-explore.js')
    expect(manifest.engines.node).toBe('>=22')
  })

  it('installs a runnable bin that answers --version and --help', async () => {
    expect((await stat(bin)).isFile()).toBe(true)
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {version: string}
    const version = await runInstalled(['--version'])
    expect(version.exitCode, version.stderr).toBe(0)
    expect(version.stdout).toBe(pkg.version)
    const help = await runInstalled(['--help'])
    expect(help.exitCode, help.stderr).toBe(0)
    expect(help.stdout).toMatch(/^dagger-explore \d+\.\d+\.\d+: /)
    expect(help.stdout).toMatch(/\nUsage\n/)
    expect(help.stderr).toBe('')
  })

  it('runs check --plain against a missing Docker socket: FAIL line, exit 1, notes saved; then exports them', async () => {
    const nodeVersion = (await execa(path.join(NODE_DIR, 'node'), ['--version'])).stdout.trim()
    const started = performance.now()
    const check = await runInstalled(['check', '--plain'])
    const checkMs = performance.now() - started
    expect(check.exitCode, `${check.stdout}\n${check.stderr}`).toBe(1)
    expect(check.stdout).toMatch(/^\[FAIL\] Environment \(/m)
    expect(check.stdout).toContain(`FAIL No Docker socket at ${path.join(work, 'missing.sock')}`)
    // The shebang found the Node on PATH: the one from this repo's node_modules.
    expect(check.stdout).toContain(`Node: ${nodeVersion}`)
    expect(check.stderr).not.toMatch(/\n\s+at /)
    expect(checkMs).toBeLessThan(30_000)
    const saved = /^Notes saved to (.+-session\.md)$/m.exec(check.stdout)?.[1]
    expect(saved).toBeDefined()
    expect(saved!.startsWith(path.join(work, 'state', 'dagger-explore', 'notes'))).toBe(true)

    const out = path.join(work, 'share.md')
    const exported = await runInstalled(['notes', 'export', '--out', out, '--json'])
    expect(exported.exitCode, exported.stderr).toBe(0)
    expect(JSON.parse(exported.stdout)).toMatchObject({session: saved, out})
    const text = await readFile(out, 'utf8')
    expect(text).toMatch(/^# dagger-explore session /)
    expect(text).toContain('## Contents')
    expect(text).toContain('No Docker socket at')
  })
})
