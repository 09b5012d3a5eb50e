import {existsSync, utimesSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {makeBuildCell} from '../../src/cells/build.js'
import type {CellDefinition} from '../../src/cells/cell.js'
import {makeLaunchCell} from '../../src/cells/launch.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import type {CellId, CellResult} from '../../src/core/types.js'
import {dockerAvailable} from '../helpers/docker.js'
import {FAKE_DAGGER_DIR, makeCheckout} from './fixtures/checkout.js'
import {docker, type EngineLab, makeLab} from './lab.js'
import {testContext} from '../helpers/cell-context.js'

const skip = !dockerAvailable() && process.env.CI !== 'true'

async function runCell(cell: CellDefinition, env: NodeJS.ProcessEnv, notesDir: string, daggerSrc: string): Promise<Recorder> {
  const recorder = new Recorder()
  await cell.run(await testContext({env, recorder, previous: new Map<CellId, CellResult>(), notesDir, settings: {daggerSrc, yes: true}}))
  return recorder
}

describe.skipIf(skip)('Build and Launch cells per hack/build era, against the real daemon', () => {
  let lab: EngineLab
  beforeAll(() => {
    lab = makeLab()
  })
  afterAll(() => lab?.cleanup())

  it('dagger shell hack/build (v0.21.8): writes bin/engine.tar and starts the engine itself; Launch keeps that engine', async () => {
    const fixture = makeCheckout('dagger-shell', lab.engineTar, {parent: lab.dir})
    const env = {...lab.env([FAKE_DAGGER_DIR]), FIXTURE_DAGGER_VERSION: 'v0.21.8'}
    const build = await runCell(makeBuildCell(), env, lab.dir, fixture.root)
    expect(build.facts.find((f) => f.label === 'What runs')?.value).toContain('`hack/build` is a `dagger shell` script')
    expect(build.findings.find((f) => f.id === 'dagger-cli-ok')?.title).toBe('dagger CLI v0.21.8 found (has `shell` command)')
    expect(build.findings.find((f) => f.id === 'build-passed')?.status).toBe('pass')
    expect(existsSync(path.join(fixture.root, 'bin', 'engine.tar'))).toBe(true)
    const startedByBuild = JSON.parse(docker(['inspect', lab.devName]))[0]
    const launch = await runCell(makeLaunchCell(), env, lab.dir, fixture.root)
    expect(launch.findings.find((f) => f.id === 'engine-started')?.title).toContain('was already running this image (the build started it)')
    expect(JSON.parse(docker(['inspect', lab.devName]))[0].Id).toBe(startedByBuild.Id)
  })

  it('bash hack/build (v1.0.0-beta.10): a stale bin/engine.tar is not loaded; a stopped engine is started again from the image deploy tagged', async () => {
    const fixture = makeCheckout('hack-build', lab.engineTar, {parent: lab.dir})
    const env = lab.env([FAKE_DAGGER_DIR])
    const build = await runCell(makeBuildCell(), env, lab.dir, fixture.root)
    expect(build.findings.find((f) => f.id === 'build-passed')?.status).toBe('pass')
    expect(existsSync(path.join(fixture.root, 'bin', 'engine.tar'))).toBe(false)
    // A tarball left from an older build: loading it would replace the engine deploy just started.
    const stale = path.join(fixture.root, 'bin', 'engine.tar')
    writeFileSync(stale, 'not an image')
    utimesSync(stale, new Date('2026-07-01T00:00:00Z'), new Date('2026-07-01T00:00:00Z'))
    const running = JSON.parse(docker(['inspect', lab.devName]))[0]
    const kept = await runCell(makeLaunchCell(), env, lab.dir, fixture.root)
    expect(kept.facts.find((f) => f.label === 'bin/engine.tar')?.value).toContain('not loaded')
    expect(kept.findings.find((f) => f.id === 'engine-started')?.title).toContain('was already running this image')
    expect(JSON.parse(docker(['inspect', lab.devName]))[0].Id).toBe(running.Id)
    expect(kept.commands.some((c) => c.argv.includes('/images/load'))).toBe(false)

    docker(['rm', '-fv', lab.devName])
    const again = await runCell(makeLaunchCell(), env, lab.dir, fixture.root)
    expect(again.facts.find((f) => f.label === 'Engine image')?.value).toContain('no container yet, so it is started from that image')
    expect(again.findings.find((f) => f.id === 'engine-started')?.status).toBe('pass')
    const inspect = JSON.parse(docker(['inspect', lab.devName]))[0]
    expect(inspect.Config.Cmd).toEqual(['--extra-debug', '--debugaddr=0.0.0.0:6060'])
    expect(Object.keys(inspect.HostConfig.PortBindings ?? {})).toEqual(['6060/tcp'])
  })

  it('bash hack/build with neither engine nor image: says the build has not run', async () => {
    const fixture = makeCheckout('hack-build', lab.engineTar, {parent: lab.dir})
    const env = {...lab.env([FAKE_DAGGER_DIR]), _EXPERIMENTAL_DAGGER_DEV_CONTAINER: `${lab.id}-none`, _EXPERIMENTAL_DAGGER_DEV_IMAGE: `localhost/${lab.id}-none`}
    const launch = await runCell(makeLaunchCell(), env, lab.dir, fixture.root)
    const f = launch.findings.find((x) => x.id === 'engine-image-missing')
    expect(f?.status).toBe('fail')
    expect(f?.detail).toContain('writes no bin/engine.tar')
  })
})
