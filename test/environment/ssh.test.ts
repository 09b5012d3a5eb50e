import {createServer, type Server} from 'node:net'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCell} from '../../src/cells/run-cell.js'
import {findCell} from '../../src/cells/registry.js'
import type {CellResult} from '../../src/core/types.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {cli} from '../helpers/cli.js'
import {oracleDockerCli} from '../helpers/oracle-cli.js'
import {sshHome, sshLab, sshProcessesFor, type SshHome} from '../helpers/ssh-lab.js'
import {testContext} from '../helpers/cell-context.js'

// Real sshd (test/lab/up.sh), real ssh, real dockerd behind `docker system dial-stdio`, and the real
// docker CLI (the lab's 26.1, see oracle-cli.ts) as the oracle for what each endpoint does.
const DOCKER_CLI = oracleDockerCli()
const skip = skipWithoutDocker()
const servers: Server[] = []
let home: SshHome
let refusedPort = 0
let hangPort = 0

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as {port: number}).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

beforeAll(async () => {
  if (skip) return
  refusedPort = await freePort()
  // Accepts and never sends an ssh banner: a firewall that swallows the handshake, a wedged sshd.
  const hang = createServer(() => undefined)
  servers.push(hang)
  await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve))
  hangPort = (hang.address() as {port: number}).port
  home = await sshHome({refusedPort, hangPort})
})
afterAll(() => servers.forEach((s) => s.close()))

async function runEnvironment(dockerHost: string, timeoutMs = 5000): Promise<CellResult> {
  const notesDir = await mkdtemp(path.join(tmpdir(), 'de-notes-'))
  const env = {...home.env, DOCKER_HOST: dockerHost, DOCKER_CONFIG: path.join(home.home, '.docker')}
  return runCell(findCell('environment')!, await testContext({env, notesDir, settings: {dockerTimeoutMs: timeoutMs}}))
}

/** What the docker CLI does with the same endpoint, HOME and ssh. */
async function dockerCli(dockerHost: string, args: string[] = ['version', '--format', '{{.Server.Version}}']) {
  return execa(DOCKER_CLI, args, {reject: false, timeout: 30_000, env: {...home.env, DOCKER_HOST: dockerHost, DOCKER_CONFIG: path.join(home.home, '.docker')}, extendEnv: true, stdin: 'ignore'})
}

describe.skipIf(skip)('ssh:// endpoints go through the system ssh, as with the docker CLI', () => {
  it('reaches the daemon through a ~/.ssh/config alias, like `docker -H ssh://lab`', async () => {
    const oracle = await dockerCli('ssh://lab')
    expect(oracle.exitCode, oracle.stderr).toBe(0)
    const result = await runEnvironment('ssh://lab')
    const pass = result.findings.find((f) => f.id === 'docker-daemon-answers')
    expect(pass?.status, JSON.stringify(result.findings)).toBe('pass')
    expect(result.facts.find((f) => f.label === 'Docker server')?.value).toContain(oracle.stdout.trim())
    expect(result.facts.find((f) => f.label === 'Docker endpoint')?.value).toBe('ssh://lab')
  })

  it('reaches ssh://root@127.0.0.1:PORT with the key named in ~/.ssh/config', async () => {
    const host = `ssh://root@127.0.0.1:${sshLab().port}`
    expect((await dockerCli(host)).exitCode).toBe(0)
    const result = await runEnvironment(host)
    expect(result.findings.find((f) => f.id === 'docker-daemon-answers')?.status, JSON.stringify(result.findings)).toBe('pass')
  })

  it('runs ssh with the docker CLI\'s argv (plus BatchMode), user and port from the URL', async () => {
    const log = path.join(home.home, 'ssh-argv.log')
    const host = `ssh://root@lab:${sshLab().port}`
    await rm(log, {force: true})
    expect((await dockerCli(host)).exitCode).toBe(0)
    const cliArgv = (await readFile(log, 'utf8')).trim().split('\n')
    await rm(log, {force: true})
    expect((await runEnvironment(host)).findings.find((f) => f.id === 'docker-daemon-answers')?.status).toBe('pass')
    const ours = (await readFile(log, 'utf8')).trim().split('\n')
    // `-T` (no pty) is what CLI 28.2 passes and ours does; CLI 26.1, the lab's oracle, leaves it out.
    const normal = (line: string) => line.replace(' -o BatchMode=yes', '').replace(' -T ', ' ').replace(/ConnectTimeout=\d+/, 'ConnectTimeout=N')
    expect(cliArgv[0]).toMatch(new RegExp(`^-o ConnectTimeout=30 (?:-T )?-l root -p ${sshLab().port} -- lab docker system dial-stdio$`))
    expect(ours[0]).toContain(' -T ')
    expect(new Set(ours.map(normal))).toEqual(new Set(cliArgv.map(normal)))
  })

  const failures: Array<{alias: string; id: string; oracle: RegExp; fix: RegExp}> = [
    {alias: 'lab-refused', id: 'docker-ssh-refused', oracle: /Connection refused/, fix: /systemctl start ssh|port/},
    // The field report's case: nothing on 127.0.0.9:22, reported before as a stale local Docker socket.
    {alias: '127.0.0.9', id: 'docker-ssh-refused', oracle: /Connection refused/, fix: /systemctl start ssh|port/},
    {alias: 'lab-noname', id: 'docker-ssh-name-not-found', oracle: /Could not resolve hostname/, fix: /HostName/},
    {alias: 'lab-nokey', id: 'docker-ssh-auth-failed', oracle: /Permission denied \(publickey\)/, fix: /ssh-add|IdentityFile/},
    {alias: 'lab-changed', id: 'docker-ssh-host-key-changed', oracle: /REMOTE HOST IDENTIFICATION HAS CHANGED/, fix: /ssh-keygen -R/},
    {alias: 'lab-unknown', id: 'docker-ssh-host-key-unknown', oracle: /Host key verification failed/, fix: /Connect once/},
    {alias: 'lab-nodocker', id: 'docker-ssh-no-docker', oracle: /docker: command not found/, fix: /Install the docker CLI/},
  ]
  for (const c of failures) {
    it(`${c.alias}: the docker CLI fails, and the cell says why in ssh terms (${c.id})`, async () => {
      // The CLI races ssh's exit: now and then its write to the closed pipe fails first and it prints
      // "write |1: file already closed" instead of what ssh said. It fails every time; ssh's words are
      // asked for up to three times.
      let oracle = await dockerCli(`ssh://${c.alias}`)
      for (let i = 0; i < 2 && !c.oracle.test(oracle.stderr); i++) {
        expect(oracle.exitCode).not.toBe(0)
        oracle = await dockerCli(`ssh://${c.alias}`)
      }
      expect(oracle.exitCode).not.toBe(0)
      expect(oracle.stderr).toMatch(c.oracle)
      const result = await runEnvironment(`ssh://${c.alias}`)
      expect(result.status).toBe('fail')
      const f = result.findings.find((x) => x.id === c.id)
      expect(f?.status, JSON.stringify(result.findings)).toBe('fail')
      expect(f?.detail).toMatch(c.oracle)
      expect(f?.fix).toMatch(c.fix)
      // Never the local-socket story: no systemctl for docker.service, no stale socket file.
      expect(JSON.stringify(result.findings)).not.toMatch(/docker\.service|socket file/)
      expect(sshProcessesFor(c.alias, home)).toEqual([])
    })
  }

  it('bounds a handshake that never comes and kills the ssh process', async () => {
    const started = Date.now()
    const result = await runEnvironment('ssh://lab-hang', 1500)
    const elapsed = Date.now() - started
    const f = result.findings.find((x) => x.id === 'docker-ssh-timeout')
    expect(f?.status, JSON.stringify(result.findings)).toBe('fail')
    expect(f?.title).toContain('1500 ms')
    expect(elapsed).toBeLessThan(5000)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(sshProcessesFor('lab-hang', home)).toEqual([])
  })

  it('the built binary prints no deprecation or other Node warning over ssh, working or failing', async () => {
    for (const alias of ['lab', 'lab-refused']) {
      const notes = await mkdtemp(path.join(tmpdir(), 'de-notes-'))
      const run = await cli(['check', 'environment', '--plain', '--notes-dir', notes], {env: {...home.env, DOCKER_HOST: `ssh://${alias}`, DOCKER_CONFIG: path.join(home.home, '.docker')}})
      const all = `${run.stdout}\n${run.stderr}`
      expect(all).toContain(`ssh://${alias}`)
      expect(all).toMatch(alias === 'lab' ? /PASS Docker .* answers at ssh:\/\/lab/ : /ssh to lab-refused was refused/)
      expect(all).not.toMatch(/DeprecationWarning|\[DEP\d+\]|ExperimentalWarning|\(node:\d+\)/)
    }
  })
})
