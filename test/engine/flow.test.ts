import {existsSync, mkdtempSync, readFileSync, symlinkSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {detectCheckout} from '../../src/core/engine/checkout.js'
import {DOCKER_CALL_TIMEOUT_MS, type ConfirmRequest} from '../../src/core/engine/docker-api.js'
import {listEngines, planClean, removeEngines} from '../../src/core/engine/engines.js'
import {preflight} from '../../src/core/engine/preflight.js'
import {buildDevEngine, launchDevEngine} from '../../src/core/engine/session.js'
import {dockerAvailable} from '../helpers/docker.js'
import {FAKE_DAGGER_DIR, FAKE_GO_DIR, makeCheckout} from './fixtures/checkout.js'
import {docker, type EngineLab, makeLab} from './lab.js'
import {dockerClient} from '../helpers/cell-context.js'
import {dockerService} from '../../src/core/docker/service.js'

const skip = !dockerAvailable() && process.env.CI !== 'true'

/**
A PATH with no `missing` on it, for a machine that has it: the lab installs Debian's golang-go, so
/usr/bin has a `go`. The first folder of `path` and the `keep` commands found on it stay (linked
into a folder under `parent`); the other system folders go.
*/
function pathWithout(missing: string, path_: string, keep: readonly string[], parent: string): string {
  const [first = '', ...rest] = path_.split(':')
  const bin = mkdtempSync(path.join(parent, `no-${missing}-`))
  for (const name of keep) {
    const found = rest.map((dir) => path.join(dir, name)).find((file) => existsSync(file))
    if (found !== undefined) symlinkSync(found, path.join(bin, name))
  }
  if (existsSync(path.join(first, missing)) || existsSync(path.join(bin, missing))) throw new Error(`${missing} is still on the PATH`)
  return [first, bin].join(':')
}

describe.skipIf(skip)('dev engine build and launch against the real daemon', () => {
  let lab: EngineLab
  beforeAll(() => {
    lab = makeLab()
  })
  afterAll(() => lab?.cleanup())

  it('v0.9 internal/mage era: fails on a registry EOF, explains it, then a retry reuses the cache and launches', async () => {
    const fixture = makeCheckout('internal-mage', lab.engineTar, {failFirst: true, parent: lab.dir})
    const env = lab.env([FAKE_GO_DIR])
    const rec = new Recorder()
    const found = await detectCheckout(path.join(fixture.root, 'internal', 'mage'), rec)
    if (!found.ok) throw new Error(found.reason)
    const checkout = found.checkout
    expect(checkout.root).toBe(fixture.root)
    expect(checkout.era.id).toBe('internal-mage')
    expect(checkout.tags).toContain('v0.9.3')
    expect(checkout.version).toEqual({major: 0, minor: 9, patch: 3})

    const pre = await preflight(checkout, {...env, _EXPERIMENTAL_DAGGER_RUNNER_HOST: `docker-container://${lab.devName}`}, rec)
    expect(pre.findings.find((f) => f.id === 'go-ok')?.title).toContain('needs 1.20')
    expect(pre.findings.find((f) => f.id === 'runner-host-points-at-dev')?.status).toBe('warn')

    const first = await buildDevEngine({checkout, env, rec, notesDir: lab.dir})
    expect(first.passed).toBe(false)
    expect(first.run.progress.failed).toBe(1)
    expect(first.run.progress.done).toBe(8)
    expect(first.explanation?.failures.length).toBeGreaterThan(0)
    expect(first.explanation?.refs.join(' ')).toContain('golang')
    const sidecar = readFileSync(first.run.sidecarPath, 'utf8')
    expect(sidecar).toContain('EOF')
    expect(sidecar.split('\n').length - 1).toBe(first.run.lines)

    const second = await buildDevEngine({checkout, env, rec, notesDir: lab.dir})
    expect(second.passed).toBe(true)
    expect(second.run.progress.cached).toBe(8)
    expect(second.run.progress.done).toBe(5)
    expect(second.retryNote).toContain('8 of 13 steps came from cache')
    expect(second.run.exports.map((e) => e.name)).toEqual(['_EXPERIMENTAL_DAGGER_CLI_BIN', '_EXPERIMENTAL_DAGGER_RUNNER_HOST'])
    expect(second.exports.find((e) => e.name === '_EXPERIMENTAL_DAGGER_CLI_BIN')?.value).toBe(path.join(fixture.root, 'bin', 'dagger'))
    expect(fixture.runs()).toBe(2)

    const launched = await launchDevEngine({checkout, docker: await dockerService(env), env, rec, yes: true, readyTimeoutMs: 30_000})
    expect(launched.start.started).toBe(true)
    expect(launched.imageId).toBe(lab.imageId)
    expect(launched.ready?.via).toBe('dial-stdio')
    expect(launched.verify?.ok).toBe(true)
    expect(launched.verify?.output).toContain(`docker-container://${lab.devName}`)

    const inspect = JSON.parse(docker(['inspect', lab.devName]))[0]
    expect(inspect.HostConfig.Privileged).toBe(true)
    expect(inspect.HostConfig.Binds).toEqual([`${lab.devName}:/var/lib/dagger`])
    expect(inspect.Config.Cmd).toEqual(['--debug'])
    expect(inspect.Config.Image).toBe(`${lab.devImageRepo}:latest`)
    expect(inspect.Image).toBe(lab.imageId)
    expect(inspect.Config.Entrypoint).toEqual(['/usr/local/bin/dagger-entrypoint.sh'])
    expect(docker(['volume', 'inspect', '-f', '{{.Name}}', lab.devName])).toBe(lab.devName)

    // Replacing needs approval: refused without it, asked with the exact commands with it.
    const refused = await launchDevEngine({checkout, docker: await dockerService(env), env, rec, skipLoad: true})
    expect(refused.start.started).toBe(false)
    const asked: ConfirmRequest[] = []
    const replaced = await launchDevEngine({checkout, docker: await dockerService(env), env, rec, skipLoad: true, confirm: async (r) => (asked.push(r), true), readyTimeoutMs: 30_000})
    expect(replaced.start).toMatchObject({started: true, replaced: true})
    expect(asked[0]?.commands[0]).toBe(`docker rm -fv ${lab.devName}`)
  })

  it('hack/build era: builds with the dagger CLI and runs with the newer debug flags', async () => {
    const fixture = makeCheckout('hack-build', lab.engineTar, {parent: lab.dir})
    const env = lab.env([FAKE_DAGGER_DIR])
    const rec = new Recorder()
    const found = await detectCheckout(fixture.root, rec)
    if (!found.ok) throw new Error(found.reason)
    expect(found.checkout.era.id).toBe('hack-build')
    const pre = await preflight(found.checkout, env, rec)
    expect(pre.findings.map((f) => f.id)).toContain('dagger-cli-ok')
    const built = await buildDevEngine({checkout: found.checkout, env, rec, notesDir: lab.dir})
    expect(built.run.tail.join('\n')).not.toMatch(/fake dagger|Error|rror:/)
    expect(built.passed).toBe(true)
    expect(built.run.progress.done).toBe(13)
    expect(built.run.exports).toEqual([])
    expect(built.exports.find((e) => e.name === '_EXPERIMENTAL_DAGGER_RUNNER_HOST')?.value).toBe(`docker-container://${lab.devName}`)
    // deploy loads and starts the engine itself and writes only bin/dagger: nothing to load, the running engine is kept.
    expect(existsSync(path.join(fixture.root, 'bin', 'engine.tar'))).toBe(false)
    const launched = await launchDevEngine({checkout: found.checkout, docker: await dockerService(env), env, rec, yes: true, skipLoad: true, reuseRunning: true, readyTimeoutMs: 30_000})
    expect(launched.start).toMatchObject({started: true, reused: true})
    expect(launched.verify?.ok).toBe(true)
    const inspect = JSON.parse(docker(['inspect', lab.devName]))[0]
    expect(inspect.Config.Cmd).toEqual(['--extra-debug', '--debugaddr=0.0.0.0:6060'])
    expect(inspect.HostConfig.PortBindings['6060/tcp'][0].HostIp).toBe('127.0.0.1')
    expect(inspect.HostConfig.Privileged).toBe(true)
  })

  it('lists engines with the one the environment points at, and removes old ones with rm -fv semantics', async () => {
    const bootstrapImage = `registry.dagger.io/engine:v0.9.2-${lab.id}`
    docker(['tag', lab.imageId, bootstrapImage])
    const name = `dagger-engine-${lab.id}`
    lab.docker(['run', '-d', '--name', name, '--network', 'none', '-v', '/var/lib/dagger', '--privileged', bootstrapImage, '--debug'])
    const anonVolume = JSON.parse(docker(['inspect', name]))[0].Mounts[0].Name as string
    // A custom runner from the same image under its own name is listed but never cleaned.
    const custom = `${lab.id}-custom-runner`
    lab.docker(['run', '-d', '--name', custom, '--network', 'none', bootstrapImage, '--debug'])
    const env = {...lab.env([]), _EXPERIMENTAL_DAGGER_RUNNER_HOST: `docker-container://${lab.devName}`}
    const rec = new Recorder()
    const engines = (await listEngines(await dockerClient(env, DOCKER_CALL_TIMEOUT_MS), env, rec)).filter((e) => e.name.includes(lab.id))
    const dev = engines.find((e) => e.kind === 'dev')
    const boot = engines.find((e) => e.kind === 'bootstrap')
    expect(dev).toMatchObject({name: lab.devName, pointedAt: true, state: 'running'})
    expect(dev?.volumes).toContain(`${lab.devName}:/var/lib/dagger`)
    expect(boot).toMatchObject({name, image: bootstrapImage, pointedAt: false})
    expect(boot?.volumes).toContain(`${anonVolume}:/var/lib/dagger`)

    expect(engines.find((e) => e.name === custom)?.kind).toBe('custom')
    const plan = planClean(engines)
    expect(plan.remove.map((e) => e.name)).toEqual([name])
    expect(plan.keep.map((e) => e.name)).toEqual([lab.devName, custom])
    expect(planClean(engines, true).remove.map((e) => e.name)).toEqual([lab.devName, name])
    const notApproved = await removeEngines(await dockerClient(env, DOCKER_CALL_TIMEOUT_MS), plan, {}, rec)
    expect(notApproved.approved).toBe(false)
    expect(docker(['ps', '-aq', '--filter', `name=${name}`])).not.toBe('')
    const removed = await removeEngines(await dockerClient(env, DOCKER_CALL_TIMEOUT_MS), plan, {yes: true}, rec)
    expect(removed.outcomes).toEqual([{name, removed: true}])
    expect(docker(['ps', '-aq', '--filter', `name=${name}`])).toBe('')
    expect(() => docker(['volume', 'inspect', anonVolume])).toThrow()
    expect(docker(['ps', '-q', '--filter', `name=${lab.devName}`])).not.toBe('')
  })

  it('pre-flight on a mage checkout without Go names the missing toolchain and the version needed', async () => {
    const fixture = makeCheckout('internal-mage', lab.engineTar, {goDirective: '1.20', parent: lab.dir})
    const rec = new Recorder()
    const found = await detectCheckout(fixture.root, rec)
    if (!found.ok) throw new Error(found.reason)
    const pre = await preflight(found.checkout, {...lab.env([]), PATH: pathWithout('go', lab.env([FAKE_DAGGER_DIR]).PATH ?? '', ['docker', 'bash'], lab.dir)}, rec)
    const go = pre.findings.find((f) => f.id === 'go-missing')
    expect(go?.status).toBe('fail')
    expect(go?.title).toBe('Go toolchain not found: this checkout needs Go 1.20')
    expect(go?.detail).toContain('internal/mage/go.mod')
    expect(go?.fix).toContain('Install Go 1.20 or newer')
  })
})
