import {execFileSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {PassThrough} from 'node:stream'
import {listSessions} from '../../src/core/notebook/session-log.js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {main} from '../../src/cli/commands/engine.js'
import type {CliIO} from '../../src/cli/io.js'
import {dockerAvailable} from '../helpers/docker.js'
import {FAKE_GO_DIR, makeCheckout, type FixtureCheckout} from './fixtures/checkout.js'
import {docker, type EngineLab, makeLab} from './lab.js'

const skip = !dockerAvailable() && process.env.CI !== 'true'

/** With `answers`, it runs as in a terminal whose user types them. */
async function run(args: string[], env: NodeJS.ProcessEnv, cwd = '/', before?: Record<string, string | boolean>, answers?: string): Promise<{code: number; stdout: string; stderr: string}> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const stdin = new PassThrough()
  if (answers !== undefined) stdin.end(answers)
  const io: CliIO = {stdout, stderr, stdin, env, cwd, color: false, interactive: answers !== undefined}
  const code = await main(args, io, before)
  return {code, stdout: out, stderr: err}
}

/** A Docker socket that accepts and never answers: only a timeout ends a call to it. */
async function silentSocket(): Promise<{host: string; close: () => Promise<void>}> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'de-engine-silent-')), 'docker.sock')
  const held: Socket[] = []
  const server: Server = createServer((socket) => void held.push(socket))
  await new Promise<void>((resolve) => server.listen(file, resolve))
  return {host: `unix://${file}`, close: () => new Promise((resolve) => (held.forEach((s) => s.destroy()), server.close(() => resolve())))}
}

describe('engine command: usage', () => {
  it('names the actions on a bad one and prints help', async () => {
    await expect(run(['frobnicate'], {})).rejects.toThrow(/build, load, start, status, env, stop, clean/)
    const help = await run(['--help'], {})
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('eval "$(dagger-explore engine env)"')
  })

  it('says plainly when there is no checkout', async () => {
    const r = await run(['env', '--dagger-src', '/tmp'], {})
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('No dagger checkout found at /tmp')
    // What was seen, then what to do on its own line, as every error prints.
    expect(r.stderr).not.toMatch(/github\.com\/dagger\/dagger\)\. Run from/)
    expect(r.stderr).toMatch(/\nFix: Run from inside a clone of github\.com\/dagger\/dagger .*--dagger-src DIR\./)
    expect(r.stderr).not.toContain('    at ')
  })

  it('--timeout, before or after the action, is how long status and stop wait on a silent daemon (15 s without it)', async () => {
    const silent = await silentSocket()
    try {
      const env = {DOCKER_HOST: silent.host, HOME: tmpdir()}
      for (const [args, before] of [[['status', '--timeout', '300'], undefined], [['stop'], {timeout: '300'}]] as const) {
        const started = Date.now()
        const r = await run([...args], env, '/', before)
        expect(r.code, r.stderr).toBe(1)
        expect(Date.now() - started, args.join(' ')).toBeLessThan(5000)
      }
    } finally {
      await silent.close()
    }
  })
})

describe.skipIf(skip)('engine command against the real daemon', () => {
  let lab: EngineLab
  let fixture: FixtureCheckout
  let env: NodeJS.ProcessEnv
  beforeAll(() => {
    lab = makeLab()
    fixture = makeCheckout('internal-mage', lab.engineTar, {failFirst: true, parent: lab.dir})
    env = {...lab.env([FAKE_GO_DIR]), CI: 'true'}
  })
  afterAll(() => lab?.cleanup())

  it('build fails, explains, and the retry reports the cache; load, start, status, env, stop', async () => {
    const first = await run(['build', '--dagger-src', fixture.root, '--notes-dir', lab.dir], env)
    expect(first.code).toBe(1)
    expect(first.stdout).toContain('build failed: 8 done · 0 cached · 0 running · 1 failed')
    expect(first.stdout).toContain('EOF')
    expect(first.stdout).toContain('docker.io/library/golang:1.21.3-alpine3.18')
    expect(first.stderr).toContain('21: resolve image config for docker.io/library/golang:1.21.3-alpine3.18 ERROR')
    // It ran as the Build engine cell of a Session, as `check build` does: the session log holds that run.
    const [logged] = await listSessions(lab.dir)
    expect(await readFile(logged!.file, 'utf8')).toMatch(/Build engine[\s\S]*The build failed at/)

    const second = await run(['build', '--dagger-src', fixture.root, '--notes-dir', lab.dir, '--json'], env)
    expect(second.code).toBe(0)
    const built = JSON.parse(second.stdout)
    // Progress (the build's own lines) goes to stderr with --json too; stdout is the one JSON object.
    expect(second.stderr).toContain('Running ./hack/dev')
    expect(built.progress).toMatchObject({cached: 8, done: 5, failed: 0})
    expect(built.retryNote).toContain('8 of 13 steps came from cache')

    const loaded = await run(['load', '--dagger-src', fixture.root], env)
    expect(loaded.code).toBe(0)
    expect(loaded.stdout).toContain(lab.imageId)

    // Starting a privileged container is approved like any destructive step.
    const unapproved = await run(['start', '--dagger-src', fixture.root], env)
    expect(unapproved.code).toBe(2)
    expect(unapproved.stderr).toContain('needs --yes')
    expect(unapproved.stderr).toContain('--privileged')
    // An old bootstrap engine: `engine start --yes` approves the start, not removing it (`engine clean` does that).
    const bootstrap = `dagger-engine-${lab.id}`
    lab.docker(['create', '--name', bootstrap, '--network', 'none', lab.imageRef])
    const startNotes = mkdtempSync(path.join(lab.dir, 'start-notes-'))
    const started = await run(['start', '--dagger-src', fixture.root, '--yes', '--notes-dir', startNotes], env)
    expect(started.code).toBe(0)
    expect(started.stdout).toContain('answered through buildctl dial-stdio')
    expect(started.stdout).toContain('bin/dagger version: dagger devel-fixture')
    expect(started.stdout).not.toMatch(/Removed \d+ old engine/)
    docker(['rm', '-fv', bootstrap])
    // It ran as the Launch engine cell of a Session, as `check launch` does, and the log went to --notes-dir.
    const [startLog] = await listSessions(startNotes)
    expect(await readFile(startLog!.file, 'utf8')).toMatch(/Launch engine[\s\S]*started and answers through buildctl dial-stdio/)

    const again = await run(['start', '--dagger-src', fixture.root], env)
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('needs --yes')
    expect(again.stderr).toContain(`docker rm -fv ${lab.devName}`)
    // In a terminal it asks once, with the exact commands; no leaves the engine as it was and exits 1.
    const running = docker(['inspect', '-f', '{{.Id}}', lab.devName])
    const declined = await run(['start', '--dagger-src', fixture.root], env, '/', undefined, 'n\n')
    expect(declined.code).toBe(1)
    expect(declined.stderr).toContain(`This will run:\n  docker rm -fv ${lab.devName}\n  docker run -d`)
    expect(declined.stderr.match(/Go ahead\? \[y\/N\]/g)).toHaveLength(1)
    expect(docker(['inspect', '-f', '{{.Id}}', lab.devName])).toBe(running)
    const replaced = await run(['start', '--dagger-src', fixture.root, '--yes', '--json'], env)
    expect(JSON.parse(replaced.stdout)).toMatchObject({ok: true, replaced: true})

    // Every era's build replaces the dev engine at its end: with one running, it needs --yes too.
    const rebuild = await run(['build', '--dagger-src', fixture.root, '--notes-dir', lab.dir], env)
    expect(rebuild.code).toBe(2)
    expect(rebuild.stderr).toContain(`docker rm -fv ${lab.devName}`)
    expect(fixture.runs()).toBe(2)

    const envOut = await run(['env', '--dagger-src', fixture.root], env)
    expect(envOut.stdout).toContain(`export _EXPERIMENTAL_DAGGER_CLI_BIN=${fixture.root}/bin/dagger`)
    expect(envOut.stdout).toContain(`export _EXPERIMENTAL_DAGGER_RUNNER_HOST=docker-container://${lab.devName}`)
    // The lines work with eval: the checkout's bin/dagger answers under them.
    const evaluated = execFileSync('bash', ['-c', `eval "$1" && dagger version`, 'x', envOut.stdout], {encoding: 'utf8', env: {PATH: env.PATH ?? '', ...(env.DOCKER_HOST === undefined ? {} : {DOCKER_HOST: env.DOCKER_HOST})}})
    expect(evaluated).toContain(`docker-container://${lab.devName}`)

    const status = JSON.parse((await run(['status', '--dagger-src', fixture.root, '--json'], {...env, _EXPERIMENTAL_DAGGER_RUNNER_HOST: `docker-container://${lab.devName}`})).stdout)
    expect(status.checkout).toMatchObject({era: 'internal-mage', version: 'v0.9.3'})
    expect(status.devEngine).toMatchObject({name: lab.devName, state: 'running', pointedAt: true, answers: true})

    // Stopping needs consent like start and clean: without a terminal and without --yes nothing stops.
    const refused = await run(['stop'], env)
    expect(refused.stderr).toContain('needs --yes')
    expect(docker(['inspect', '-f', '{{.State.Running}}', lab.devName])).toBe('true')
    const stopped = await run(['stop', '--yes'], env)
    expect(stopped.stdout).toContain(`Stopped ${lab.devName}`)
    expect(docker(['inspect', '-f', '{{.State.Running}}', lab.devName])).toBe('false')
    expect((await run(['stop'], env)).stdout).toContain('was not running')
  })
})
