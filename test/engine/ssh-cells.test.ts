import {execFileSync} from 'node:child_process'
import {copyFileSync, mkdirSync} from 'node:fs'
import {mkdtemp} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {CellDefinition} from '../../src/cells/cell.js'
import type {Settings} from '../../src/core/settings.js'
import {makeLaunchCell} from '../../src/cells/launch.js'
import {findCell} from '../../src/cells/registry.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {sshHome, type SshHome} from '../helpers/ssh-lab.js'
import {lab as labFacts} from '../lab/lab.js'
import {FAKE_GO_DIR, makeCheckout, type FixtureCheckout} from './fixtures/checkout.js'
import {type EngineLab, makeLab} from './lab.js'
import {testContext} from '../helpers/cell-context.js'

// The cells that talk to Docker, over DOCKER_HOST=ssh://lab: a ~/.ssh/config alias for the lab's
// sshd, whose `docker system dial-stdio` reaches this machine's real dockerd.
const skip = skipWithoutDocker()

async function runCell(cell: CellDefinition, env: NodeJS.ProcessEnv, notesDir: string, settings: Partial<Settings>): Promise<Recorder> {
  const recorder = new Recorder()
  await cell.run(await testContext({env, recorder, notesDir, settings}))
  return recorder
}

function serverVersion(): string {
  return execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {encoding: 'utf8'}).trim()
}

describe.skipIf(skip)('Docker daemon, Components and Launch cells over ssh://ALIAS', () => {
  let home: SshHome
  let notes: string
  let engine: EngineLab
  let fixture: FixtureCheckout
  beforeAll(async () => {
    home = await sshHome({refusedPort: 9})
    notes = await mkdtemp(path.join(tmpdir(), 'de-ssh-notes-'))
    engine = makeLab()
    fixture = makeCheckout('internal-mage', engine.engineTar, {parent: engine.dir})
  })
  afterAll(() => engine?.cleanup())

  const sshEnv = (base: NodeJS.ProcessEnv = {PATH: process.env.PATH ?? ''}) => ({
    ...base,
    ...home.env,
    PATH: `${path.join(home.home, 'bin')}:${base.PATH ?? ''}`,
    DOCKER_HOST: 'ssh://lab',
  })

  it('Docker daemon: reads /info over ssh and says the remote daemon.json cannot be read from here', async () => {
    const rec = await runCell(await findCell('daemon')!.load!(), sshEnv(), notes, {dockerTimeoutMs: 8000})
    const result = rec
    expect(result.facts.find((f) => f.label === 'Daemon version')?.value).toBe(serverVersion())
    const remote = result.findings.find((f) => f.id === 'daemon-config-remote')
    expect(remote?.title).toContain('cannot be read from here')
    expect(remote?.fix).toContain('ssh lab cat /etc/docker/daemon.json')
    expect(result.findings.some((f) => f.id === 'daemon-config-absent' || f.id === 'daemon-config-ok')).toBe(false)
  })

  it('Components: reads the image from the remote daemon', async () => {
    const rec = await runCell(await findCell('components')!.load!(), sshEnv(), notes, {dockerTimeoutMs: 8000, image: labFacts().baseImage})
    const result = rec
    expect(result.findings.some((f) => f.id === 'components-docker-unreachable'), JSON.stringify(result.findings)).toBe(false)
    // The daemon names the image by one of its tags (the lab pushes the base image under a second name).
    expect(result.facts.find((f) => f.label === 'Target')?.value).toMatch(/^image .*busybox:latest$/)
    expect(result.facts.find((f) => f.label === 'Image')?.value).toMatch(/layer/)
  })

  it('Launch: loads and starts the dev engine through the remote daemon', async () => {
    // What the Build cell leaves behind (the fixture's build writes this tar); the Launch cell loads it.
    mkdirSync(path.join(fixture.root, 'bin'), {recursive: true})
    copyFileSync(engine.engineTar, path.join(fixture.root, 'bin', 'engine.tar'))
    const env = sshEnv(engine.env([FAKE_GO_DIR]))
    const rec = await runCell(makeLaunchCell({confirm: async () => true}), env, engine.dir, {daggerSrc: fixture.root, dockerTimeoutMs: 8000})
    const result = rec
    const started = result.findings.find((f) => f.id === 'engine-started')
    expect(started?.status, JSON.stringify(result.findings)).toBe('pass')
    expect(execFileSync('docker', ['inspect', '--format', '{{.State.Running}}', engine.devName], {encoding: 'utf8'}).trim()).toBe('true')
  })
})
