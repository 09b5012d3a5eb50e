import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {dockerClient} from '../helpers/cell-context.js'
import {killExec} from '../../src/core/docker/exec-kill.js'
import {collectVersions} from '../../src/core/tree/inspect.js'
import {execInContainer} from '../../src/core/tree/versions.js'
import {dockerAvailable} from '../helpers/docker.js'
import {docker, type EngineLab, makeLab} from './lab.js'

const skip = !dockerAvailable() && process.env.CI !== 'true'

/** The container's processes as the host's ps sees them (`docker top`), without the header. */
function processes(name: string): string[] {
  return docker(['top', name, '-o', 'pid,args']).split('\n').slice(1).map((l) => l.trim())
}

describe.skipIf(skip)('a timed-out exec is killed inside its container', () => {
  let lab: EngineLab
  const name = (): string => `${lab.id}-hang`
  beforeAll(() => {
    lab = makeLab()
    lab.docker(['run', '-d', '--network', 'none', '--name', name(), '--entrypoint', '/bin/sleep', lab.imageId, '300'])
    // A stand-in dagger-engine that hangs on --version as a script: the shell and its sleep must both go.
    docker(['exec', name(), 'sh', '-c', 'printf "#!/bin/sh\\nsleep 1000000\\n" > /usr/local/bin/dagger-engine'])
  })
  afterAll(() => lab?.cleanup())

  it('five timed-out `dagger-engine --version` execs leave no process behind', async () => {
    const d = await dockerClient(lab.env([]))
    for (let i = 0; i < 5; i++) {
      const outcome = await execInContainer(d, name(), ['dagger-engine', '--version'], 800)
      expect(outcome.timedOut).toBe(true)
      expect(outcome.killed?.stopped).toBe(true)
      expect(outcome.killed?.how).toMatch(/killed with its children/)
    }
    expect(processes(name()).filter((p) => p.includes('1000000'))).toEqual([])
    // The container's own process is left alone.
    expect(processes(name()).some((p) => p.endsWith('/bin/sleep 300'))).toBe(true)
  })

  it('a version command that answers is not touched, and a hang found by collectVersions is killed too', async () => {
    const d = await dockerClient(lab.env([]))
    const ok = await execInContainer(d, name(), ['echo', 'v1.2.3'], 5000)
    expect(ok).toMatchObject({exitCode: 0, timedOut: false})
    expect(ok.killed).toBeUndefined()
    const item = {id: 'dagger-engine', versionCommand: ['dagger-engine', '--version'], state: 'present'}
    const checklist = {items: [item]} as unknown as Parameters<typeof collectVersions>[2]
    const target = {kind: 'container', ref: name(), id: name(), name: name(), running: true} as Parameters<typeof collectVersions>[1]
    const result = await collectVersions(d, target, checklist, {timeoutMs: 800})
    expect(result.items[0]?.version).toMatch(/^\(no answer within 1 s; killed in the container\)$/)
    expect(processes(name()).filter((p) => p.includes('1000000'))).toEqual([])
  })
  it('without the host view (a remote daemon) the exec is found by its command line in the container and killed', async () => {
    const d = await dockerClient(lab.env([]))
    const exec = await d.getContainer(name()).exec({Cmd: ['dagger-engine', '--version'], AttachStdout: true, AttachStderr: true})
    const stream = (await exec.start({hijack: true, stdin: false})) as NodeJS.ReadableStream & {destroy(): void}
    await new Promise((r) => setTimeout(r, 500))
    stream.destroy()
    expect(processes(name()).filter((p) => p.includes('1000000'))).toHaveLength(1)
    const outcome = await killExec(d, name(), exec, ['dagger-engine', '--version'], 5000, {hostProc: false})
    expect(outcome).toMatchObject({stopped: true})
    expect(outcome.how).toMatch(/^matched by its command line in the container, PID \d+ in the container, killed with its children/)
    expect(processes(name()).filter((p) => p.includes('1000000'))).toEqual([])
  })
})
