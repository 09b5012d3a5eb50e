import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {DOCKER_CALL_TIMEOUT_MS} from '../../src/core/engine/docker-api.js'
import {runFlagsFor} from '../../src/core/engine/era.js'
import {inspectContainer, LaunchError, planRun, startDevEngine, tagDevImage, waitForEngine} from '../../src/core/engine/launch.js'
import {launchFailureFix} from '../../src/core/engine/launch-fix.js'
import {devNames} from '../../src/core/engine/names.js'
import {progressLine, type WaitProgress} from '../../src/core/engine/wait-progress.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {pollText} from '../../src/core/present/polls.js'
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
    // The fix follows the state observed: an exited engine may lack privileges.
    const state = await inspectContainer(await dockerClient(env), lab.devName, new Recorder())
    expect(launchFailureFix(devNames(env), state)).toMatch(/is exited \(exit code 1\)\. An engine that exits at once often lacks privileges/)
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
    // A running engine that did not answer in time: no word about privileges.
    const state = await inspectContainer(await dockerClient(env), lab.devName, new Recorder())
    expect(state?.State.Running).toBe(true)
    const fix = launchFailureFix(devNames(env), state)
    expect(fix).toContain('is running but did not answer `buildctl dial-stdio` in time')
    expect(fix).not.toMatch(/privileg/)
  })
})

describe.skipIf(skip)('launch progress', () => {
  let lab: EngineLab
  beforeAll(() => {
    lab = makeLab()
  })
  afterAll(() => lab?.cleanup())

  it('a slow engine: progress every few seconds with what it waits for and its last log line; the polls recorded once with a count', async () => {
    const env = lab.env([])
    const id = variant(lab, 'slow', ['/bin/sh', '-c', 'echo "level=info msg=\\"loading cache\\""; exec sleep 600'])
    const rec = new Recorder()
    const d = await dockerClient(env)
    await tagDevImage(d, id, rec, env)
    const plan = planRun('internal-mage', runFlagsFor('internal-mage', {major: 0, minor: 9, patch: 3}), env)
    expect((await startDevEngine(d, {plan, env, rec, yes: true})).started).toBe(true)
    const seen: WaitProgress[] = []
    const waitRec = new Recorder()
    await waitForEngine(d, lab.devName, waitRec, 6500, (p) => seen.push(p)).catch(() => undefined)
    expect(seen.length).toBeGreaterThanOrEqual(2)
    expect(seen.length).toBeLessThanOrEqual(3)
    expect(seen[0]).toMatchObject({waitingFor: `waiting for ${lab.devName} to answer \`buildctl dial-stdio\``, limitMs: 6500, lastLine: 'level=info msg="loading cache"'})
    expect(seen[0]!.elapsedMs).toBeGreaterThanOrEqual(2000)
    expect(progressLine(seen[0]!)).toMatch(/: \d s of 7 s, last log line "level=info msg="loading cache""$/)
    const polls = waitRec.commands.filter((c) => c.argv[0] === 'GET')
    expect(polls).toHaveLength(1)
    expect(polls[0]!.output).toBe('State.Status: running')
    expect(polls[0]!.repeat?.count).toBeGreaterThanOrEqual(2)
    expect(pollText(polls[0]!)).toMatch(/^×\d+ over \d+\.\d s, the same answer each time$/)
  })
})
