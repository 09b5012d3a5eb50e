import {spawnSync} from 'node:child_process'
import {createServer, type Server} from 'node:net'
import {chmod, mkdtemp, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {runCell} from '../../src/cells/run-cell.js'
import {findCell} from '../../src/cells/registry.js'
import type {CellResult} from '../../src/core/types.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {writeContext} from '../helpers/docker-config.js'
import {testContext} from '../helpers/cell-context.js'

const entry = findCell('environment')!
const servers: Server[] = []
afterAll(() => servers.forEach((s) => s.close()))

async function run(env: NodeJS.ProcessEnv, timeoutMs = 3000): Promise<CellResult> {
  const notesDir = await mkdtemp(path.join(tmpdir(), 'de-notes-'))
  return runCell(entry, await testContext({env: {PATH: process.env.PATH, HOME: process.env.HOME, ...env}, notesDir, settings: {dockerTimeoutMs: timeoutMs}}))
}

/** A unix socket that accepts and never says a word, like a hung daemon. */
async function hangingSocket(): Promise<string> {
  const sock = path.join(await mkdtemp(path.join(tmpdir(), 'de-hang-')), 'hang.sock')
  const server = createServer(() => {})
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(sock, resolve))
  return sock
}

function ids(result: CellResult) {
  return result.findings.map((f) => `${f.status}:${f.id}`)
}

describe('Environment cell failure modes', () => {
  it('names a missing socket, with a fix', async () => {
    const result = await run({DOCKER_HOST: 'unix:///tmp/dagger-explore-no-such.sock'})
    expect(result.status).toBe('fail')
    const f = result.findings.find((x) => x.id === 'docker-socket-missing')!
    expect(f.title).toContain('/tmp/dagger-explore-no-such.sock')
    expect(f.detail).toMatch(/DOCKER_HOST/)
    expect(f.fix).toMatch(/systemctl start docker/)
    expect(result.facts.find((x) => x.label === 'Chosen by')?.value).toMatch(/DOCKER_HOST/)
  })

  it('gives up on a socket that accepts but never answers within the timeout', async () => {
    const sock = await hangingSocket()
    const started = Date.now()
    const result = await run({DOCKER_HOST: `unix://${sock}`}, 800)
    const elapsed = Date.now() - started
    expect(ids(result)).toContain('fail:docker-not-answering')
    expect(result.findings.find((f) => f.id === 'docker-not-answering')?.detail).toMatch(/800 ms/)
    expect(elapsed).toBeLessThan(3000)
  })

  it("gives up as fast with Debian's docker CLI, which pings the daemon before it prints its version", async () => {
    // docker.io (installed by the lab) puts its 20.10 CLI at /usr/bin/docker; a newer one may come first on PATH.
    const bin = await mkdtemp(path.join(tmpdir(), 'de-debian-cli-'))
    await symlink('/usr/bin/docker', path.join(bin, 'docker'))
    const sock = await hangingSocket()
    const started = Date.now()
    const result = await run({DOCKER_HOST: `unix://${sock}`, PATH: `${bin}:${process.env.PATH ?? ''}`}, 800)
    const elapsed = Date.now() - started
    expect(ids(result)).toContain('fail:docker-not-answering')
    expect(result.facts.find((f) => f.label === 'Docker client')?.value).toMatch(/^\d+\.\d+\.\d+/)
    expect(elapsed).toBeLessThan(3000)
  })

  it('says nothing listens on a tcp host', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as {port: number}).port
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const result = await run({DOCKER_HOST: `tcp://127.0.0.1:${port}`})
    const f = result.findings.find((x) => x.id === 'docker-tcp-refused')
    expect(f?.status).toBe('fail')
    expect(f?.title).toContain(`127.0.0.1:${port}`)
  })

  it('reports a stale socket file nobody accepts on', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-stale-'))
    const sock = path.join(dir, 'stale.sock')
    // Closing a unix server removes the file: a listener killed outright leaves the socket inode behind, as a crashed dockerd does.
    // (A regular file in its place is no socket at all: the bad-input suite has that case.)
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`])
    const result = await run({DOCKER_HOST: `unix://${sock}`})
    expect(result.status).toBe('fail')
    expect(ids(result).some((i) => /docker-socket-stale|docker-api-error|docker-socket-missing/.test(i))).toBe(true)
  })

  it('reports a missing docker CLI', async () => {
    const result = await run({PATH: '/nonexistent', DOCKER_HOST: 'unix:///tmp/dagger-explore-no-such.sock'})
    const f = result.findings.find((x) => x.id === 'docker-cli-missing')
    expect(f?.status).toBe('fail')
    expect(f?.fix).toMatch(/install/i)
    expect(result.commands.find((c) => c.argv[0] === 'docker')?.exitCode).toBe(127)
  })
})

describe.skipIf(skipWithoutDocker())('Environment cell against the real daemon', () => {
  it('reports host facts, versions and explains every docker info warning', async () => {
    const result = await run({})
    const labels = result.facts.map((f) => f.label)
    for (const label of ['OS', 'Kernel', 'Architecture', 'Node', 'Docker endpoint', 'Chosen by', 'Docker client', 'Docker server']) expect(labels).toContain(label)
    expect(result.findings.find((f) => f.id === 'docker-daemon-answers')?.status).toBe('pass')
    expect(result.commands.map((c) => c.argv.join(' '))).toEqual(expect.arrayContaining(['GET /_ping', 'GET /version', 'GET /info']))
    for (const f of result.findings.filter((x) => x.status !== 'pass')) {
      expect(f.detail, f.id).toBeTruthy()
      expect(f.fix, f.id).toBeTruthy()
    }
    expect(['pass', 'warn']).toContain(result.status)
  })

  it('follows a docker context from a temporary DOCKER_CONFIG to the real daemon', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-dockercfg-'))
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({currentContext: 'lab'}))
    await writeContext(dir, 'lab', 'unix:///var/run/docker.sock')
    const result = await run({DOCKER_CONFIG: dir})
    expect(result.facts.find((f) => f.label === 'Chosen by')?.value).toMatch(/currentContext.*"lab"/)
    expect(result.findings.find((f) => f.id === 'docker-daemon-answers')?.status).toBe('pass')
  })
})

describe('a remote Docker host', () => {
  it('is named by every cell that looks at the daemon, and the file-reading cell says what it cannot see', async () => {
    const env = {PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_HOST: 'tcp://127.0.0.9:1'}
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-notes-'))
    const opts = await testContext({env, notesDir, settings: {dockerTimeoutMs: 500}})
    const daemon = await runCell(findCell('daemon')!, opts)
    expect(daemon.facts.find((f) => f.label === 'Docker host')?.value).toMatch(/tcp:\/\/127\.0\.0\.9:1 is remote: files read here .* belong to this machine/)
    const debug = await runCell(findCell('debugger')!, opts)
    expect(debug.facts.find((f) => f.label === 'Docker host')?.value).toMatch(/the remote daemon .* is the one inspected/)
  })
})
