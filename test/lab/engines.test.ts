/** The three engines up.sh brings up, each asked directly on its own socket (this file runs once, in the system project). */
import {execFileSync} from 'node:child_process'
import {describe, expect, test} from 'vitest'
import {labEngines} from './engines.js'
import {lab} from './lab.js'

const CLI = 'docker'
const ask = (host: string, format: string) => execFileSync(CLI, ['-H', host, 'info', '--format', format], {encoding: 'utf8', timeout: 20_000}).trim()

describe('the lab engines', () => {
  test('facts list the system engine, dockerd 26.1 classic and 26.1 with the containerd store, on the sockets the vitest projects use', () => {
    const engines = lab().engines
    expect(engines.map((e) => e.id)).toEqual(labEngines().map((e) => e.id))
    for (const spec of labEngines().slice(1)) expect(engines.find((e) => e.id === spec.id)?.host).toBe(spec.host)
    expect(engines.find((e) => e.id === 'docker26-classic')).toMatchObject({imageStore: 'classic', driver: 'overlay2', serverVersion: expect.stringMatching(/^26\.1\./)})
    expect(engines.find((e) => e.id === 'docker26-containerd')).toMatchObject({imageStore: 'containerd', driver: 'overlayfs', serverVersion: expect.stringMatching(/^26\.1\./)})
  })

  test('each answers on its own socket with its own data-root, the lab runtime and the base image', () => {
    const roots = new Set<string>()
    for (const engine of lab().engines) {
      const [version, driver, runtime, root] = ask(engine.host, '{{.ServerVersion}}|{{.Driver}}|{{.DefaultRuntime}}|{{.DockerRootDir}}').split('|')
      expect({version, driver, runtime}).toEqual({version: engine.serverVersion, driver: engine.driver, runtime: engine.defaultRuntime})
      roots.add(root ?? '')
      expect(execFileSync(CLI, ['-H', engine.host, 'image', 'inspect', '--format', '{{.Os}}', lab().baseImage], {encoding: 'utf8', timeout: 20_000}).trim()).toBe('linux')
    }
    expect(roots.size).toBe(lab().engines.length)
  })

  test('the containerd-store engine says so in /info: DriverStatus driver-type io.containerd.snapshotter.v1', () => {
    const engine = lab().engines.find((e) => e.id === 'docker26-containerd')
    expect(engine).toBeDefined()
    expect(JSON.parse(ask(engine!.host, '{{json .DriverStatus}}'))).toContainEqual(['driver-type', 'io.containerd.snapshotter.v1'])
  })
})
