import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {makeBuildCell} from '../../src/cells/build.js'
import type {CellDefinition} from '../../src/cells/cell.js'
import type {Settings} from '../../src/core/settings.js'
import {makeLaunchCell} from '../../src/cells/launch.js'
import type {BuildViewModel} from '../../src/core/engine/build-view-model.js'
import type {ConfirmRequest} from '../../src/core/engine/docker-api.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {cellJson, renderCellPlain} from '../../src/cli/render-plain.js'
import type {CellId, CellResult, Finding} from '../../src/core/types.js'
import {dockerAvailable} from '../helpers/docker.js'
import {FAKE_GO_DIR, makeCheckout, type FixtureCheckout} from './fixtures/checkout.js'
import {docker, type EngineLab, makeLab} from './lab.js'
import {testContext} from '../helpers/cell-context.js'

const skip = !dockerAvailable() && process.env.CI !== 'true'

async function runCell(cell: CellDefinition, env: NodeJS.ProcessEnv, notesDir: string, settings: Partial<Settings>, previous = new Map<CellId, CellResult>()): Promise<Recorder> {
  const recorder = new Recorder()
  await cell.run(await testContext({env, recorder, previous, notesDir, settings}))
  return recorder
}

describe.skipIf(skip)('Build engine and Launch engine cells', () => {
  let lab: EngineLab
  let fixture: FixtureCheckout
  beforeAll(() => {
    lab = makeLab()
    fixture = makeCheckout('internal-mage', lab.engineTar, {failFirst: true, parent: lab.dir})
  })
  afterAll(() => lab?.cleanup())

  it('shows the scripts, fails with the explained registry EOF, and the retry reports the cache', async () => {
    const env = lab.env([FAKE_GO_DIR])
    const views: BuildViewModel[] = []
    const cell = makeBuildCell({onBuildStart: ({view}) => views.push(view)})
    const first = await runCell(cell, env, lab.dir, {daggerSrc: fixture.root})
    expect(first.commands.some((c) => c.kind === 'file' && c.argv[1] === 'hack/dev' && c.output.includes('engine:dev'))).toBe(true)
    expect(first.commands.some((c) => c.argv[1] === 'internal/mage/engine.go' && c.output.includes('func (t Engine) Dev('))).toBe(true)
    expect(first.facts.find((f) => f.label === 'Build era')?.value).toContain('internal/mage')
    const failed = first.findings.find((f) => f.id === 'build-failed')
    expect(failed?.title).toBe('The build failed at: resolve image config for docker.io/library/golang:1.21.3-alpine3.18')
    expect(failed?.fix).toContain('Registry cell')
    const extracted = first.findings.filter((f) => f.id.startsWith('build-failure-'))
    expect(extracted.length).toBeGreaterThan(0)
    expect(extracted[0]?.title).toContain('EOF')
    expect(first.facts.find((f) => f.label === 'Registry references')?.value).toContain('docker.io/library/golang:1.21.3-alpine3.18')
    expect(first.sidecars).toHaveLength(1)
    expect(views[0]?.frame(5).summary).toMatch(/^build failed: 8 done · 0 cached/)

    const registry: CellResult = {cell: 'registry', title: 'Registry', status: 'fail', startedAt: '', durationMs: 0, facts: [], commands: [], findings: [{id: 'x', status: 'fail', title: 'registry-1.docker.io closes connections (EOF)'}], data: {problems: ['registry-1.docker.io closes connections (EOF)']}}
    const second = await runCell(cell, env, lab.dir, {daggerSrc: fixture.root}, new Map([['registry', registry]]))
    expect(second.findings.find((f) => f.id === 'registry-verdict')?.detail).toContain('EOF')
    expect(second.findings.find((f) => f.id === 'build-retry-cache')?.title).toBe('Retry reused the cache: 8 steps came from cache')
    expect(second.findings.find((f) => f.id === 'build-passed')?.status).toBe('pass')
    expect(second.facts.find((f) => f.label === 'Cache on retry')?.value).toContain('8 of 13 steps came from cache')
    expect(second.facts.find((f) => f.label === 'Captured exports')?.value).toContain('_EXPERIMENTAL_DAGGER_CLI_BIN=bin/dagger')
  })

  it('a failure on an image the Registry cell diagnosed points at that finding instead of repeating the fix', async () => {
    const env = lab.env([FAKE_GO_DIR])
    const again = makeCheckout('internal-mage', lab.engineTar, {failFirst: true, parent: lab.dir})
    const ref = 'docker.io/library/golang:1.21.3-alpine3.18'
    const fix = 'registry-1.docker.io closed the connection quietly during the TLS handshake while the control registry works. Check max-concurrent-downloads.'
    const registry: CellResult = {cell: 'registry', title: 'Registry', status: 'fail', startedAt: '', durationMs: 0, facts: [], commands: [], findings: [{id: 'registry-verdict', status: 'fail', title: `Can't pull ${ref}: eof at the tls layer on registry-1.docker.io`, fix}]}
    const run = await runCell(makeBuildCell(), env, lab.dir, {daggerSrc: again.root}, new Map([['registry', registry]]))
    const extracted = run.findings.filter((f) => f.id.startsWith('build-failure-') && f.title.includes(ref))
    expect(extracted.length).toBeGreaterThan(0)
    expect(extracted[0]?.fix).toBe(`The fix is in the Registry cell's finding "Can't pull ${ref}: eof at the tls layer on registry-1.docker.io"; then run the build again.`)
    expect(extracted[0]?.detail).not.toMatch(/\sFix: /)
    expect(run.findings.some((f) => f.fix === fix || (f.detail ?? '').includes(fix))).toBe(false)
  })

  it('two failures sharing a fix: the recorded findings (and --json) keep it whole on each, plain output shows it once', async () => {
    const env = {...lab.env([FAKE_GO_DIR]), FIXTURE_SECOND_FAILURE: '1'}
    const twice = makeCheckout('internal-mage', lab.engineTar, {failFirst: true, parent: lab.dir})
    const run = await runCell(makeBuildCell(), env, lab.dir, {daggerSrc: twice.root})
    const extracted = run.findings.filter((f) => f.id.startsWith('build-failure-'))
    expect(extracted).toHaveLength(2)
    const [first, second] = extracted as [Finding, Finding]
    expect(second.fix).toBe(first.fix)
    const sentence = / Fix: [\s\S]*$/.exec(first.detail ?? '')?.[0]
    expect(sentence).toBeDefined()
    expect(second.detail?.endsWith(sentence!)).toBe(true)
    const result: CellResult = {cell: 'build', title: 'Build engine', status: 'fail', startedAt: new Date().toISOString(), durationMs: 1, findings: run.findings, facts: run.facts, commands: run.commands}
    const json = cellJson(result) as {findings: {id: string; fix: string | null; detail: string | null}[]}
    const jsonExtracted = json.findings.filter((f) => f.id.startsWith('build-failure-'))
    expect(jsonExtracted.map((f) => f.fix)).toEqual([first.fix, first.fix])
    for (const f of jsonExtracted) expect(f.detail?.endsWith(sentence!)).toBe(true)
    const plain = renderCellPlain(result, {color: false})
    expect(plain.split(first.fix!)).toHaveLength(2)
    expect(plain.split(sentence!.trim())).toHaveLength(2)
    expect(plain.split(`Fix: same as "${first.title.slice(0, 79)}…" above`)).toHaveLength(3)
    expect(plain).not.toMatch(/same fix as for|Fix: as for/)
  })

  it('launches with approval through the hook and never removes without it', async () => {
    const env = lab.env([FAKE_GO_DIR])
    const asked: ConfirmRequest[] = []
    const cell = makeLaunchCell({confirm: async (r) => (asked.push(r), !r.action.startsWith('Remove'))})
    const first = await runCell(cell, env, lab.dir, {daggerSrc: fixture.root})
    expect(first.findings.find((f) => f.id === 'engine-started')?.title).toContain('answers through buildctl dial-stdio')
    expect(first.findings.find((f) => f.id === 'dev-cli-verified')?.status).toBe('pass')
    expect(first.findings.find((f) => f.id === 'env-not-pointing-at-dev')?.fix).toContain('eval "$(dagger-explore engine env)"')
    // Launching again right away keeps the engine that already runs this image (as after a mage build).
    const same = await runCell(makeLaunchCell(), env, lab.dir, {daggerSrc: fixture.root})
    expect(same.findings.find((f) => f.id === 'engine-started')?.title).toContain('was already running this image')
    // A stopped one must be replaced: only after asking; the plain cell (no hook, no --yes) leaves it be.
    docker(['stop', '-t', '1', lab.devName])
    const plain = await runCell(makeLaunchCell(), env, lab.dir, {daggerSrc: fixture.root})
    expect(plain.findings.find((f) => f.id === 'engine-replace-not-approved')?.fix).toContain('--yes')
    const again = await runCell(cell, {...env, _EXPERIMENTAL_DAGGER_RUNNER_HOST: `docker-container://${lab.devName}`}, lab.dir, {daggerSrc: fixture.root})
    expect(asked.some((r) => r.commands[0] === `docker rm -fv ${lab.devName}`)).toBe(true)
    expect(again.findings.find((f) => f.id === 'engine-started')?.title).toContain('replaced the previous one')
    expect(again.findings.some((f) => f.id === 'env-not-pointing-at-dev')).toBe(false)
    // The build would now replace the running engine: the plain cell does not build without approval.
    const rebuild = await runCell(makeBuildCell(), env, lab.dir, {daggerSrc: fixture.root})
    expect(rebuild.findings.find((f) => f.id === 'build-would-replace-engine')?.status).toBe('warn')
    // Nobody was asked, so that is no decline; answering no is, and it says which action.
    expect(rebuild.declinedAction).toBeUndefined()
    const declined = await runCell(makeBuildCell({confirm: async () => false}), env, lab.dir, {daggerSrc: fixture.root})
    expect(declined.declinedAction).toBe(`Build, which replaces the existing ${lab.devName} (running) at its end`)
    expect(declined.findings.find((f) => f.id === 'build-would-replace-engine')?.status).toBe('warn')
    expect(fixture.runs()).toBe(2)
  })
})
