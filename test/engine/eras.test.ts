import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {hackBuildFacts} from '../../src/core/engine/build-script.js'
import {type DaggerCheckout, detectCheckout} from '../../src/core/engine/checkout.js'
import {ERAS} from '../../src/core/engine/era.js'
import {planRun} from '../../src/core/engine/launch.js'
import {goModFor, preflight} from '../../src/core/engine/preflight.js'
import {buildScripts, whatRuns} from '../../src/core/engine/scripts.js'
import {eraRunFlags} from '../../src/core/engine/session.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {FAKE_DAGGER_DIR, FAKE_GO_DIR} from './fixtures/checkout.js'
import {ERA_ROWS, type EraRow, writeEraCheckout} from './fixtures/eras.js'

const parent = mkdtempSync(path.join(os.tmpdir(), 'dxeng-eras-'))
afterAll(() => rmSync(parent, {recursive: true, force: true}))

/** PATH with the fake tools first, so they answer before the host's own go (the lab has no dagger). */
function envWith(dirs: readonly string[], extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {PATH: [...dirs, '/usr/local/bin', '/usr/bin', '/bin'].join(':'), HOME: parent, ...extra}
}

const checkouts = new Map<string, DaggerCheckout>()
beforeAll(async () => {
  for (const row of ERA_ROWS) {
    const found = await detectCheckout(writeEraCheckout(row, parent), new Recorder())
    if (!found.ok) throw new Error(`${row.tag}: ${found.reason}`)
    checkouts.set(row.tag, found.checkout)
  }
})

function checkoutOf(row: EraRow): DaggerCheckout {
  const c = checkouts.get(row.tag)
  if (c === undefined) throw new Error(`no checkout for ${row.tag}`)
  return c
}

describe.each(ERA_ROWS.map((row) => [row.tag, row] as const))('dagger %s', (_tag, row) => {
  it(`is the ${row.era} era, by its files and (when tagged) its version`, () => {
    const c = checkoutOf(row)
    expect(c.era.id).toBe(row.era)
    expect(c.versionEra).toBeUndefined()
    if (row.gitTag !== undefined) expect(c.tags).toContain(row.gitTag)
  })

  it('names the go.mod Go compiles the mage module with, or needs no Go', () => {
    const c = checkoutOf(row)
    expect(c.era.needsGo).toBe(row.goMod !== undefined)
    if (row.goMod !== undefined) expect(goModFor(c)).toEqual(row.goMod)
  })

  it('says what runs, and every path and command it names is in the checkout', () => {
    const c = checkoutOf(row)
    const scripts = buildScripts(c)
    expect(scripts[0]?.path).toBe(c.era.mageDir === undefined ? 'hack/build' : 'hack/dev')
    const entry = readFileSync(path.join(c.root, c.era.entrypoint), 'utf8')
    if (c.era.mageDir !== undefined) {
      expect(entry).toContain(`${c.era.mageDir}"`)
      expect(entry).toMatch(/go run main\.go -w \$DAGGER_SRC_ROOT engine:dev/)
      expect(c.era.explains).toContain(c.era.mageDir)
      // hack/dev either evaluates mage's export lines or exports them itself: the sentence says which.
      expect(c.era.explains.includes('evaluates')).toBe(entry.includes('eval $(go run'))
      const target = readFileSync(path.join(c.root, c.era.mageDir, 'engine.go'), 'utf8')
      expect(target).toContain('"docker", "load", "-i"')
      expect(c.era.explains.includes('dagger call')).toBe(target.includes('DaggerCall('))
    } else {
      const facts = hackBuildFacts(c.root)
      expect(facts?.startsEngine).toBe(true)
      expect(c.era.explains.includes('dagger shell')).toBe(facts?.daggerShell)
      expect(c.era.explains.includes('--x-release')).toBe(!facts?.daggerShell)
    }
    expect(c.era.explains.includes('no bin/engine.tar')).toBe(!row.writesEngineTar)
    const said = whatRuns(c)
    if (c.era.mageDir === undefined) {
      expect(said).toContain(`starts with \`${readFileSync(path.join(c.root, 'hack/build'), 'utf8').split('\n')[0]}\``)
      if (c.era.id === 'dagger-shell') expect(said.includes('publishes port 6060')).toBe(row.publishesDebugPort)
    } else expect(said).toBe(c.era.explains)
  })

  it('knows whether the build writes bin/engine.tar and how it starts the engine', () => {
    const c = checkoutOf(row)
    expect(c.era.writesEngineTar).toBe(row.writesEngineTar)
    const facts = hackBuildFacts(c.root)
    if (facts !== undefined) expect(facts.writesEngineTar).toBe(row.writesEngineTar)
    const flags = eraRunFlags(c)
    expect(flags.cmd).toEqual(row.cmd)
    expect(flags.debugPort !== undefined).toBe(row.publishesDebugPort)
    const plan = planRun(c.era.id, flags, {DAGGER_CLOUD_TOKEN: 'x', _EXPERIMENTAL_DAGGER_CLOUD_TOKEN: 'y'})
    const passed = plan.argv.filter((_, i) => plan.argv[i - 1] === '-e')
    const engineFile = c.era.mageDir === undefined ? undefined : readFileSync(path.join(c.root, c.era.mageDir, 'engine.go'), 'utf8')
    for (const name of passed) if (engineFile !== undefined) expect(engineFile).toContain(`"-e", "${name}"`)
    expect(plan.argv.slice(-row.cmd.length)).toEqual(row.cmd)
  })

  it('pre-flight asks for exactly the tools this release needs', async () => {
    const c = checkoutOf(row)
    const env = envWith([FAKE_GO_DIR, FAKE_DAGGER_DIR], {FIXTURE_GO_VERSION: '1.26.1', FIXTURE_DAGGER_VERSION: 'v0.21.8'})
    const pre = await preflight(c, env, new Recorder())
    const ids = pre.findings.map((f) => f.id)
    expect(ids.includes('go-ok')).toBe(c.era.needsGo)
    expect(ids.includes('dagger-cli-ok')).toBe(c.era.daggerCli !== undefined)
    if (c.era.needsGo) expect(pre.findings.find((f) => f.id === 'go-ok')?.title).toContain(`needs ${row.goMod?.version ?? ''}`)
  })
})

describe('pre-flight per era, against the fake go and dagger', () => {
  const row = (tag: string): EraRow => ERA_ROWS.find((r) => r.tag === tag) as EraRow
  const run = async (tag: string, env: NodeJS.ProcessEnv) => (await preflight(checkoutOf(row(tag)), env, new Recorder())).findings

  it('v0.9.11 needs no dagger CLI: mage connects through the Go SDK', async () => {
    const findings = await run('v0.9.11', envWith([FAKE_GO_DIR], {FIXTURE_GO_VERSION: '1.21.3'}))
    expect(findings.map((f) => f.id)).toContain('go-ok')
    expect(findings.some((f) => f.id.startsWith('dagger-cli'))).toBe(false)
  })

  it('v0.11.9 (ci/mage) needs Go from ci/go.mod and the dagger CLI that mage calls', async () => {
    const findings = await run('v0.11.9', envWith([FAKE_GO_DIR], {FIXTURE_GO_VERSION: '1.22.5'}))
    const missing = findings.find((f) => f.id === 'dagger-cli-missing')
    expect(missing?.status).toBe('fail')
    expect(missing?.detail).toContain('ci/mage runs `dagger call')
    expect(findings.find((f) => f.id === 'go-ok')?.title).toBe('Go 1.22.5 found (needs 1.22)')
  })

  it('v0.12.7 takes its Go line from .dagger/go.mod (1.22.0), not the root go.mod (1.23)', async () => {
    const findings = await run('v0.12.7', envWith([FAKE_GO_DIR, FAKE_DAGGER_DIR], {FIXTURE_GO_VERSION: '1.22.5', FIXTURE_DAGGER_VERSION: 'v0.12.7'}))
    expect(findings.find((f) => f.id === 'go-ok')?.title).toBe('Go 1.22.5 found (needs 1.22.0)')
  })

  it('a dagger CLI older than the module it builds with is a warning that quotes dagger.json', async () => {
    const findings = await run('v0.15.4', envWith([FAKE_GO_DIR, FAKE_DAGGER_DIR], {FIXTURE_DAGGER_VERSION: 'v0.14.0'}))
    const old = findings.find((f) => f.id === 'dagger-cli-older-than-module')
    expect(old?.status).toBe('warn')
    expect(old?.detail).toContain('"engineVersion": "v0.15.3"')
  })

  it('the dagger shell hack/build needs a CLI with `shell`, and no Go', async () => {
    const none = await run('v0.18.19', envWith([], {}))
    expect(none.find((f) => f.id === 'dagger-cli-missing')?.detail).toContain('#!/usr/bin/env -S dagger shell --no-mod')
    expect(none.some((f) => f.id.startsWith('go-'))).toBe(false)
    const old = await run('v0.18.19', envWith([FAKE_DAGGER_DIR], {FIXTURE_DAGGER_VERSION: 'v0.13.0'}))
    expect(old.find((f) => f.id === 'dagger-cli-no-shell')?.title).toBe('dagger v0.13.0 has no `shell` command: this checkout needs dagger v0.13.6 or newer')
    const ok = await run('v0.18.19', envWith([FAKE_DAGGER_DIR], {FIXTURE_DAGGER_VERSION: 'v0.18.19'}))
    expect(ok.find((f) => f.id === 'dagger-cli-ok')?.title).toBe('dagger CLI v0.18.19 found (has `shell` command)')
  })

  it('the few hours of `dagger --x-release 1.0.0-beta.7 shell` need both', async () => {
    const old = await run('2026-07-30', envWith([FAKE_DAGGER_DIR], {FIXTURE_DAGGER_VERSION: 'v0.20.6'}))
    expect(old.find((f) => f.id === 'dagger-cli-no-x-release')?.status).toBe('fail')
  })

  it('the bash hack/build needs a CLI that knows --x-release (v0.21.0 on) and names the pinned commit', async () => {
    const old = await run('v1.0.0-beta.10', envWith([FAKE_DAGGER_DIR], {FIXTURE_DAGGER_VERSION: 'v0.20.6'}))
    const f = old.find((x) => x.id === 'dagger-cli-no-x-release')
    expect(f?.title).toBe('dagger v0.20.6 has no `--x-release` flag: this checkout needs dagger v0.21.0 or newer')
    expect(f?.detail).toContain('dagger --x-release 00cb7d3a0e8d1eb6ec672aa504db14e52a9d1e21 api call dev')
    const dev = await preflight(checkoutOf(row('v1.0.0-beta.10')), envWith([FAKE_DAGGER_DIR], {FIXTURE_DAGGER_VERSION: 'devel'}), new Recorder())
    expect(dev.findings.find((x) => x.id === 'dagger-cli-unknown-version')?.status).toBe('warn')
    const ok = await preflight(checkoutOf(row('v1.0.0-beta.10')), envWith([FAKE_DAGGER_DIR], {FIXTURE_DAGGER_VERSION: 'v0.21.8'}), new Recorder())
    expect(ok.facts.find((x) => x.label === 'Pinned dagger')?.value).toContain('00cb7d3a0e8d1eb6ec672aa504db14e52a9d1e21')
  })

  it("Go too old: the sentence is what Debian's real go1.19 does with the fixture's go.mod", async () => {
    const real = '/usr/bin/go'
    const version = execFileSync(real, ['env', 'GOVERSION'], {encoding: 'utf8'}).trim()
    expect(version).toMatch(/^go1\.(1[0-9]|20)\b/)
    const c = checkoutOf(row('v0.9.11'))
    const findings = (await preflight(c, envWith([], {PATH: '/usr/bin:/bin', HOME: parent, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local'}), new Recorder())).findings
    const tooOld = findings.find((f) => f.id === 'go-too-old')
    expect(tooOld?.detail).toContain("invalid go version '1.21.3': must match format 1.23")
    let said = ''
    try {
      execFileSync(real, ['run', 'main.go'], {cwd: path.join(c.root, 'internal', 'mage'), encoding: 'utf8', stdio: 'pipe', env: {PATH: '/usr/bin:/bin', HOME: parent, GOTOOLCHAIN: 'local', GOFLAGS: '', GOPROXY: 'off'}})
    } catch (error) {
      said = String((error as {stderr?: string}).stderr)
    }
    expect(said).toContain("go.mod:3: invalid go version '1.21.3': must match format 1.23")
  })
})

describe('the release table', () => {
  it('has a fixture for every era', () => {
    expect(new Set(ERA_ROWS.map((r) => r.era))).toEqual(new Set(Object.keys(ERAS)))
  })
})
