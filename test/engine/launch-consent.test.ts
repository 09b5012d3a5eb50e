import {testContext} from '../helpers/cell-context.js'
import {execFileSync} from 'node:child_process'
import {copyFileSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {CellDefinition} from '../../src/cells/cell.js'
import {makeLaunchCell} from '../../src/cells/launch.js'
import type {ConfirmRequest} from '../../src/core/engine/docker-api.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import type {CellId, CellResult} from '../../src/core/types.js'
import {dockerAvailable} from '../helpers/docker.js'
import {FAKE_GO_DIR, makeCheckout, type FixtureCheckout} from './fixtures/checkout.js'
import {docker, type EngineLab, makeLab} from './lab.js'

const skip = !dockerAvailable() && process.env.CI !== 'true'

async function runCell(cell: CellDefinition, env: NodeJS.ProcessEnv, notesDir: string, daggerSrc: string): Promise<Recorder> {
  const recorder = new Recorder()
  await cell.run(await testContext({env, recorder, notesDir, settings: {daggerSrc}}))
  return recorder
}

describe.skipIf(skip)('Launch asks before it changes anything in Docker', () => {
  let lab: EngineLab
  let fixture: FixtureCheckout
  // Everything this file owns in Docker, as the CLI lists it: tags, image IDs, containers and their state.
  const snapshot = (): string =>
    [
      docker(['images', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}']).split('\n').filter((l) => l.includes(lab.id) || l.includes(lab.imageId)).sort().join('\n'),
      docker(['ps', '-a', '--no-trunc', '--filter', `name=${lab.id}`, '--format', '{{.ID}} {{.Names}} {{.Image}} {{.State}}']),
      docker(['image', 'inspect', '--format', '{{.Id}}', `${lab.devImageRepo}:latest`]),
    ].join('\n--\n')
  beforeAll(() => {
    lab = makeLab()
    fixture = makeCheckout('internal-mage', lab.engineTar, {parent: lab.dir})
    mkdirSync(path.join(fixture.root, 'bin'), {recursive: true})
    copyFileSync(lab.engineTar, path.join(fixture.root, 'bin', 'engine.tar'))
    // The dev tag points at another image and a dev container exists; bin/engine.tar's image is not in Docker.
    const tiny = path.join(lab.dir, 'other')
    mkdirSync(tiny)
    writeFileSync(path.join(tiny, 'other'), 'another image\n')
    const tarball = execFileSync('tar', ['-C', tiny, '-c', '.'])
    execFileSync('docker', ['import', '-', `${lab.devImageRepo}:latest`], {input: tarball, stdio: ['pipe', 'pipe', 'pipe']})
    lab.docker(['create', '--name', lab.devName, `${lab.devImageRepo}:latest`, '/other'])
    docker(['image', 'rm', '-f', lab.imageRef])
    docker(['image', 'rm', '-f', lab.imageId])
  })
  afterAll(() => lab?.cleanup())

  it('a declined plan leaves tags, images and containers byte-identical; the request lists every command in order', async () => {
    const env = lab.env([FAKE_GO_DIR])
    const before = snapshot()
    const asked: ConfirmRequest[] = []
    const during: string[] = []
    const declined = await runCell(makeLaunchCell({confirm: async (r) => (asked.push(r), during.push(snapshot()), false)}), env, lab.dir, fixture.root)
    expect(snapshot()).toBe(before)
    expect(during[0]).toBe(before)
    const launch = asked.find((r) => r.commands.some((c) => c.startsWith('docker load')))
    const tar = path.join(fixture.root, 'bin', 'engine.tar')
    expect(launch?.commands.slice(0, 3)).toEqual([`docker load -i ${tar}`, `docker tag ${lab.imageId} ${lab.devImageRepo}:latest`, `docker rm -fv ${lab.devName}`])
    expect(launch?.commands[3]).toMatch(new RegExp(`^docker run -d .*--name ${lab.devName.replace(/\./g, '\\.')} --privileged ${lab.devImageRepo}:latest`))
    expect(launch?.action).toMatch(/^Load bin\/engine\.tar, tag it as .*, replace the existing .* \(created, image .*\) with a new privileged one$/)
    expect(declined.findings.find((f) => f.id === 'engine-replace-not-approved')?.status).toBe('warn')
    expect(declined.facts.find((f) => f.label === 'Not run (not approved)')?.value.split('\n')).toEqual(launch?.commands)
    // The docker run line is shown once, in that list, not again as a fact of its own.
    expect(declined.facts.filter((f) => f.value.includes('docker run -d')).map((f) => f.label)).toEqual(['Not run (not approved)'])

    // Approved: the tag still had not moved when the question was asked, and everything ran after it.
    const approvedDuring: string[] = []
    const approved = await runCell(makeLaunchCell({confirm: async (r) => (r.commands[0]?.startsWith('docker load') ? approvedDuring.push(snapshot()) : undefined, r.commands[0]?.startsWith('docker load') === true)}), env, lab.dir, fixture.root)
    expect(approvedDuring).toEqual([before])
    expect(approved.findings.find((f) => f.id === 'engine-started')?.title).toContain('replaced the previous one')
    expect(docker(['image', 'inspect', '--format', '{{.Id}}', `${lab.devImageRepo}:latest`])).toBe(lab.imageId)
    expect(approved.facts.find((f) => f.label === 'Loaded image')?.value).toContain('loaded from bin/engine.tar')
  })

  it('no bin/engine.tar but the dev image is there: offers to start that image (with consent), never a failure that contradicts Components', async () => {
    const env = lab.env([FAKE_GO_DIR])
    rmSync(path.join(fixture.root, 'bin', 'engine.tar'))
    docker(['rm', '-fv', lab.devName])
    const before = snapshot()
    const asked: ConfirmRequest[] = []
    const declined = await runCell(makeLaunchCell({confirm: async (r) => (asked.push(r), false)}), env, lab.dir, fixture.root)
    expect(snapshot()).toBe(before)
    expect(declined.findings.some((f) => f.id === 'engine-tar-missing')).toBe(false)
    expect(declined.facts.find((f) => f.label === 'bin/engine.tar')?.value).toContain('so it is started from that image')
    expect(asked[0]?.action).toBe(`Start ${lab.devName} as a privileged container`)
    expect(asked[0]?.commands).toHaveLength(1)
    expect(asked[0]?.commands[0]).toMatch(/^docker run -d /)
    const started = await runCell(makeLaunchCell({confirm: async (r) => r.action.startsWith('Start')}), env, lab.dir, fixture.root)
    expect(started.findings.find((f) => f.id === 'engine-started')?.status).toBe('pass')
    // Neither tarball nor image: then it fails, and says both are missing.
    docker(['rm', '-fv', lab.devName])
    docker(['image', 'rm', '-f', `${lab.devImageRepo}:latest`])
    const none = await runCell(makeLaunchCell({confirm: async () => true}), env, lab.dir, fixture.root)
    expect(none.findings.find((f) => f.id === 'engine-tar-missing')?.title).toBe(`No bin/engine.tar to load and no ${lab.devImageRepo}:latest image to start`)
  })
})
