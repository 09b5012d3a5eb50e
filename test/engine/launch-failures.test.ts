import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {DOCKER_CALL_TIMEOUT_MS} from '../../src/core/engine/docker-api.js'
import {runFlagsFor} from '../../src/core/engine/era.js'
import {LaunchError, planRun, startDevEngine, tagDevImage, waitForEngine} from '../../src/core/engine/launch.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {dockerAvailable} from '../helpers/docker.js'
import {docker, type EngineLab, makeLab} from './lab.js'
import {dockerClient} from '../helpers/cell-context.js'

const skip = !dockerAvailable() && process.env.CI !== 'true'

/** A variant of the fixture engine image with another entrypoint (its temporary container is named for cleanup). */
function variant(lab: EngineLab, name: string, entrypoint: string[]): string {
  const container = docker(['create', '--name', `${lab.id}-${name}`, lab.imageId])
  return docker(['commit', '--change', `ENTRYPOINT ${JSON.stringify(entrypoint)}`, container, `${lab.id}/engine:${name}`])
}

describe.skipIf(skip)('launch failures', () => {
  let lab: EngineLab
  beforeAll(() => {
    lab = makeLab()
  })
  afterAll(() => lab?.cleanup())

  async function start(imageId: string, env: NodeJS.ProcessEnv): Promise<void> {
    const rec = new Recorder()
    const d = await dockerClient(env, DOCKER_CALL_TIMEOUT_MS)
    await tagDevImage(d, imageId, rec, env)
    const plan = planRun('internal-mage', runFlagsFor('internal-mage', {major: 0, minor: 9, patch: 3}), env)
    const started = await startDevEngine(d, {plan, env, rec, yes: true})
    expect(started.started).toBe(true)
  }

  it('an engine that exits at once: the error has its exit code and last log lines', async () => {
    const env = lab.env([])
    const id = variant(lab, 'crash', ['/bin/sh', '-c', 'echo "level=fatal msg=\\"failed to create engine: mount /var/lib/dagger: operation not permitted\\""; exit 1'])
    await start(id, env)
    const error = await waitForEngine(await dockerClient(env, DOCKER_CALL_TIMEOUT_MS), lab.devName, new Recorder(), 15_000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LaunchError)
    expect((error as LaunchError).message).toMatch(/exited with code 1 while starting/)
    expect((error as LaunchError).logs.join('\n')).toContain('failed to create engine')
  })

  it('an engine that never answers: bounded by the timeout, with its logs', async () => {
    const env = lab.env([])
    const id = variant(lab, 'mute', ['/bin/sh', '-c', 'echo "level=info msg=\\"still starting\\""; exec sleep 600'])
    await start(id, env)
    const started = Date.now()
    const error = await waitForEngine(await dockerClient(env, DOCKER_CALL_TIMEOUT_MS), lab.devName, new Recorder(), 3000).catch((e: unknown) => e)
    expect(Date.now() - started).toBeLessThan(15_000)
    expect((error as LaunchError).message).toMatch(/did not answer within 3 s \(state: running\)/)
    expect((error as LaunchError).logs).toContain('level=info msg="still starting"')
  })
})
