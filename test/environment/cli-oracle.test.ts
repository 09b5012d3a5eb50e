import {ENDPOINT_DOCS} from '../../src/core/docker/endpoint.js'
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdir, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {runCell} from '../../src/cells/run-cell.js'
import {findCell} from '../../src/cells/registry.js'
import {writeContext} from '../helpers/docker-config.js'
import {oracleDockerCli} from '../helpers/oracle-cli.js'
import {testContext} from '../helpers/cell-context.js'

// The real docker CLI decides what each DOCKER_CONFIG / DOCKER_HOST / DOCKER_CONTEXT combination means;
// the Environment cell must choose the same endpoint, fail where it fails, and warn where it warns.
const DOCKER_CLI = oracleDockerCli()

interface Case {
  readonly name: string
  readonly setup: (dir: string) => Promise<void>
  readonly env?: NodeJS.ProcessEnv
}

const json = (dir: string, value: unknown) => writeFile(path.join(dir, 'config.json'), JSON.stringify(value))

const cases: Case[] = [
  {name: 'no config.json at all', setup: async () => undefined},
  {name: 'currentContext names a stored context (meta under sha256(name))', setup: async (d) => (await json(d, {currentContext: 'lab-tcp'}), await writeContext(d, 'lab-tcp', 'tcp://127.0.0.1:2376'))},
  {name: 'currentContext is "default"', setup: (d) => json(d, {currentContext: 'default'})},
  {name: 'DOCKER_CONTEXT overrides currentContext', setup: async (d) => (await json(d, {currentContext: 'a'}), await writeContext(d, 'a', 'tcp://127.0.0.1:1111'), await writeContext(d, 'b', 'unix:///run/b.sock')), env: {DOCKER_CONTEXT: 'b'}},
  {name: 'a context with an ssh endpoint', setup: async (d) => (await json(d, {currentContext: 'remote'}), await writeContext(d, 'remote', 'ssh://me@build-box'))},
  {name: 'malformed config.json: the CLI warns and uses the default', setup: (d) => writeFile(path.join(d, 'config.json'), '{"currentContext": "x",')},
  {name: 'config.json is a directory: the CLI warns and uses the default', setup: (d) => mkdir(path.join(d, 'config.json'))},
  {name: 'currentContext names a context that does not exist', setup: (d) => json(d, {currentContext: 'nosuch'})},
  {name: 'DOCKER_CONTEXT names a context that does not exist', setup: (d) => json(d, {}), env: {DOCKER_CONTEXT: 'nosuch'}},
  {
    name: 'a context whose meta.json is broken',
    setup: async (d) => {
      await json(d, {currentContext: 'broken'})
      const meta = path.join(d, 'contexts', 'meta', createHash('sha256').update('broken').digest('hex'))
      await mkdir(meta, {recursive: true})
      await writeFile(path.join(meta, 'meta.json'), '{"Name": "broken", ')
    },
  },
  {name: 'DOCKER_HOST empty counts as unset', setup: async (d) => (await json(d, {currentContext: 'lab-tcp'}), await writeContext(d, 'lab-tcp', 'tcp://127.0.0.1:2376')), env: {DOCKER_HOST: ''}},
  {name: 'DOCKER_HOST set together with DOCKER_CONTEXT: DOCKER_HOST wins', setup: async (d) => (await json(d, {}), await writeContext(d, 'b', 'unix:///run/b.sock')), env: {DOCKER_HOST: 'tcp://127.0.0.1:2999', DOCKER_CONTEXT: 'b'}},
  {name: 'DOCKER_HOST with a DOCKER_CONTEXT that does not exist', setup: (d) => json(d, {}), env: {DOCKER_HOST: 'tcp://127.0.0.1:2999', DOCKER_CONTEXT: 'nosuch'}},
]

async function cell(env: NodeJS.ProcessEnv) {
  const notesDir = await mkdtemp(path.join(tmpdir(), 'de-notes-'))
  // 300 ms: these endpoints mostly do not answer, and the endpoint choice is what is compared.
  return runCell(findCell('environment')!, await testContext({env: {PATH: process.env.PATH, HOME: process.env.HOME, ...env}, notesDir, settings: {dockerTimeoutMs: 300}}))
}

describe('the Environment cell chooses the endpoint the docker CLI chooses', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'de-oracle-'))
      await c.setup(dir)
      const env = {DOCKER_CONFIG: dir, ...c.env}
      const oracle = await execa(DOCKER_CLI, ['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'], {
        reject: false,
        timeout: 10_000,
        env: {PATH: process.env.PATH ?? '', HOME: dir, ...env},
        extendEnv: false,
        stdin: 'ignore',
      })
      const result = await cell(env)
      const chosen = result.facts.find((f) => f.label === 'Docker endpoint')?.value
      if (oracle.exitCode === 0) {
        expect(chosen).toBe(oracle.stdout.trim())
        const warned = result.findings.find((f) => f.id === 'docker-config-skipped')
        if (/WARNING: Error (?:loading|parsing) config file/.test(oracle.stderr)) {
          expect(warned?.status).toBe('warn')
          expect(warned?.detail).toContain(path.join(dir, 'config.json'))
        } else {
          expect(warned).toBeUndefined()
        }
      } else {
        // The CLI's reason: `context "NAME": context not found: …` or `context "NAME": parsing FILE: …`.
        const reason = /context "([^"]+)": (context not found|parsing)/.exec(oracle.stderr)
        expect(reason, oracle.stderr).not.toBeNull()
        const f = result.findings.find((x) => x.id === 'docker-endpoint-invalid')
        expect(f?.status).toBe('fail')
        expect(f?.detail).toContain(`context "${reason?.[1]}"`)
        expect(f?.detail).toContain(reason?.[2])
        expect(f?.docs).toBe(ENDPOINT_DOCS)
        expect(chosen).toBeUndefined()
      }
    })
  }

  it('a config.json that is a FIFO: the CLI blocks on it; the cell never opens it and says what it is', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-oracle-'))
    execFileSync('mkfifo', [path.join(dir, 'config.json')])
    // The CLI waits in open(2) for a writer and ignores SIGTERM there, so it is killed outright.
    const oracle = await execa(DOCKER_CLI, ['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'], {
      reject: false,
      timeout: 2000,
      killSignal: 'SIGKILL',
      env: {PATH: process.env.PATH ?? '', HOME: dir, DOCKER_CONFIG: dir},
      extendEnv: false,
      stdin: 'ignore',
    })
    expect(oracle.timedOut).toBe(true)
    const started = Date.now()
    const result = await cell({DOCKER_CONFIG: dir})
    // Bounded: the cell's own `docker --version` blocks on the same FIFO and is killed at its timeout.
    expect(Date.now() - started).toBeLessThan(9000)
    const f = result.findings.find((x) => x.id === 'docker-endpoint-invalid')
    expect(f?.status).toBe('fail')
    expect(f?.detail).toContain('named pipe (FIFO)')
    expect(f?.detail).toContain(path.join(dir, 'config.json'))
  })
})
