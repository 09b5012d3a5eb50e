import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {createSecondDockerd, type SecondDockerd} from '../daemon-config/second-dockerd.js'
import {skipWithoutDocker} from '../helpers/docker.js'

/**
What the reset-daemon-config recipe says dockerd does, made to happen on a throw-away dockerd: SIGHUP
reloads max-concurrent-downloads, registry mirrors and insecure registries; a restart stops the
running containers, and one without a restart policy (as hack/dev starts dagger-engine.dev) stays stopped.
*/

const skip = skipWithoutDocker() || spawnSync('dockerd', ['--version'], {stdio: 'ignore'}).status !== 0
const LAB_BASE = 'dagger-explore-lab/busybox:latest'
let work = ''
let daemon: SecondDockerd | undefined

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function on(d: SecondDockerd, args: string[], input?: Buffer): string {
  return execFileSync('docker', ['-H', d.host, ...args], {encoding: 'utf8', timeout: 60_000, ...(input ? {input} : {}), stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: {...process.env, DOCKER_CONTEXT: ''}}).trim()
}

describe.skipIf(skip)('dockerd reload and restart, as reset-daemon-config says', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'dxr-reload-'))
    writeFileSync(path.join(work, 'daemon.json'), '{}\n')
    daemon = await createSecondDockerd(path.join(work, 'daemon.json'))
    const attempt = await daemon.start(30_000)
    expect(attempt.outcome, attempt.message).toBe('started')
  }, 60_000)
  afterAll(async () => {
    await daemon?.cleanup()
    rmSync(work, {recursive: true, force: true})
  }, 60_000)

  test('SIGHUP reloads max-concurrent-downloads, registry-mirrors and insecure-registries without a restart', async () => {
    const d = daemon!
    const pid = d.pid()!
    // The file sets nothing: the reload shows the defaults, max-concurrent-downloads 3 among them.
    process.kill(pid, 'SIGHUP')
    for (let i = 0; i < 50 && !/Reloaded configuration/.test(d.log()); i++) await sleep(200)
    expect(d.log()).toMatch(/Reloaded configuration.*max-concurrent-downloads\W+3\b/)
    writeFileSync(d.configFile, JSON.stringify({'max-concurrent-downloads': 5, 'registry-mirrors': ['https://127.0.0.1:5999'], 'insecure-registries': ['127.0.0.1:5998']}))
    process.kill(pid, 'SIGHUP')
    let info: Record<string, unknown> = {}
    for (let i = 0; i < 50; i++) {
      await sleep(200)
      info = await d.info()
      if (JSON.stringify(info).includes('127.0.0.1:5999')) break
    }
    const registry = info.RegistryConfig as {Mirrors: string[]; IndexConfigs: Record<string, {Secure: boolean}>}
    expect(registry.Mirrors).toEqual(['https://127.0.0.1:5999/'])
    expect(registry.IndexConfigs['127.0.0.1:5998']?.Secure).toBe(false)
    expect(d.log()).toMatch(/Reloaded configuration.*max-concurrent-downloads\W+5\b/)
    expect(d.pid()).toBe(pid)
  }, 60_000)

  test('a restart stops the running containers, and one without a restart policy stays stopped', async () => {
    const d = daemon!
    const image = execFileSync('docker', ['save', LAB_BASE], {timeout: 60_000, maxBuffer: 64 * 1024 * 1024})
    on(d, ['load'], image)
    on(d, ['run', '-d', '--name', 'dxr-engine-like', '--network', 'none', LAB_BASE, 'sleep', '600'])
    expect(on(d, ['inspect', '--format', '{{.State.Running}} {{.HostConfig.RestartPolicy.Name}}', 'dxr-engine-like'])).toBe('true no')
    await d.stop()
    const attempt = await d.start(30_000)
    expect(attempt.outcome, attempt.message).toBe('started')
    expect(on(d, ['inspect', '--format', '{{.State.Running}} {{.State.Status}}', 'dxr-engine-like'])).toMatch(/^false exited$/)
    on(d, ['start', 'dxr-engine-like'])
    expect(on(d, ['inspect', '--format', '{{.State.Running}}', 'dxr-engine-like'])).toBe('true')
    on(d, ['rm', '-f', 'dxr-engine-like'])
  }, 120_000)
})
