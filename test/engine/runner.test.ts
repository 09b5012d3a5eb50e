import {chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {BuildOutput} from '../../src/core/engine/build-output.js'
import {runBuild} from '../../src/core/engine/runner.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'dxeng-runner-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function script(name: string, body: string): string {
  const file = path.join(dir, name)
  writeFileSync(file, `#!/bin/sh\n${body}\n`)
  chmodSync(file, 0o755)
  return file
}

const env = {PATH: '/usr/bin:/bin'}

describe('build runner', () => {
  it('keeps both streams in order in the sidecar, sanitised, and captures exports', async () => {
    const file = script('mixed.sh', [
      'echo "1: connect" >&2',
      'printf "\\033[31m2: red step\\033[0m DONE\\n" >&2',
      'echo "export _EXPERIMENTAL_DAGGER_CLI_BIN=bin/dagger"',
      'echo "3: login DAGGER_CLOUD_TOKEN=dag_abcdefghijklmnop" >&2',
      'printf "no newline at the end"',
    ].join('\n'))
    const sidecarPath = path.join(dir, 'mixed.log')
    const r = await runBuild({file, args: [], cwd: dir, env, sidecarPath, timeoutMs: 10_000})
    expect(r.exitCode).toBe(0)
    const text = readFileSync(sidecarPath, 'utf8')
    expect(text).toBe('1: connect\n2: red step DONE\nexport _EXPERIMENTAL_DAGGER_CLI_BIN=bin/dagger\n3: login DAGGER_CLOUD_TOKEN=[REDACTED]\nno newline at the end\n')
    expect(r.lines).toBe(5)
    expect(r.exports).toEqual([{name: '_EXPERIMENTAL_DAGGER_CLI_BIN', value: 'bin/dagger'}])
    expect(r.progress).toMatchObject({done: 1, running: 2})
    expect(readdirSync(dir).some((f) => f.endsWith('.raw'))).toBe(false)
  })

  it('stops the whole process group on timeout and on cancel', async () => {
    const pidFile = path.join(dir, 'grandchild.pid')
    const file = script('hang.sh', `sleep 300 & echo $! > ${pidFile}\necho "1: waiting" >&2\nwait`)
    const r = await runBuild({file, args: [], cwd: dir, env, sidecarPath: path.join(dir, 'hang.log'), timeoutMs: 500})
    expect(r.timedOut).toBe(true)
    expect(r.problem).toContain('stopped after')
    const pid = Number(readFileSync(pidFile, 'utf8'))
    await new Promise((res) => setTimeout(res, 300))
    expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')).toBe(false)

    const controller = new AbortController()
    const output = new BuildOutput()
    output.subscribe(() => controller.abort())
    const c = await runBuild({file, args: [], cwd: dir, env, sidecarPath: path.join(dir, 'hang2.log'), timeoutMs: 60_000, signal: controller.signal, output})
    expect(c.canceled).toBe(true)
    expect(output.state).toBe('failed')
  })

  it('says so when the build script cannot start', async () => {
    const r = await runBuild({file: path.join(dir, 'missing'), args: [], cwd: dir, env, sidecarPath: path.join(dir, 'missing.log'), timeoutMs: 5000})
    expect(r.notFound).toBe(true)
    expect(r.exitCode).toBe(127)
    expect(r.problem).toContain('could not be started')
  })
})
