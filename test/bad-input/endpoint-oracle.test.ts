import {mkdtemp, mkdir, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {runCell} from '../../src/cells/run-cell.js'
import {findCell} from '../../src/cells/registry.js'
import {oracleDockerCli} from '../helpers/oracle-cli.js'
import {testContext} from '../helpers/cell-context.js'

// The real docker CLI (26.1, from the lab) fails on each of these endpoints; the Environment cell must
// fail there too, before any connection, and say what the path or scheme is.
const DOCKER_CLI = oracleDockerCli()
// Debian's docker.io 20.10 CLI, which the lab installs beside the 26.1 one.
const DEBIAN_DOCKER_CLI = '/usr/bin/docker'

async function environment(env: NodeJS.ProcessEnv) {
  const notesDir = await mkdtemp(path.join(tmpdir(), 'de-notes-'))
  return runCell(findCell('environment')!, await testContext({env: {PATH: process.env.PATH, HOME: process.env.HOME, ...env}, notesDir, settings: {dockerTimeoutMs: 2000}}))
}

async function oracle(env: NodeJS.ProcessEnv, args: string[]) {
  return execa(DOCKER_CLI, args, {reject: false, timeout: 10_000, env: {PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env}, extendEnv: false, stdin: 'ignore'})
}

describe('endpoints the docker CLI cannot use either', () => {
  it.each([
    ['npipe:// with no name', async () => 'npipe://', /protocol not available/, /is a Windows named pipe/],
    ['npipe to the default pipe', async () => 'npipe:////./pipe/docker_engine', /protocol not available/, /is a Windows named pipe/],
    ['unix:// to a directory', async (d: string) => (await mkdir(path.join(d, 'sock-dir')), `unix://${path.join(d, 'sock-dir')}`), /Cannot connect to the Docker daemon/, /which is a directory, not a socket/],
    ['unix:// to a regular file', async (d: string) => (await writeFile(path.join(d, 'sock-file'), 'x'), `unix://${path.join(d, 'sock-file')}`), /Cannot connect to the Docker daemon/, /which is a regular file, not a socket/],
  ] as const)('%s', async (_, make, cliSays, weSay) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-endpoint-'))
    const host = await make(dir)
    const cli = await oracle({DOCKER_HOST: host}, ['ps'])
    expect(cli.exitCode).not.toBe(0)
    expect(`${cli.stdout}${cli.stderr}`).toMatch(cliSays)
    const result = await environment({DOCKER_HOST: host})
    const finding = result.findings.find((f) => f.id === 'docker-endpoint-invalid')
    expect(finding?.status).toBe('fail')
    expect(finding?.detail).toMatch(weSay)
  })

  it('DOCKER_CONFIG naming a file: the CLI uses the default context, and so does the cell, with a warning that says so', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-endpoint-'))
    const file = path.join(dir, 'a-file')
    await writeFile(file, '{}')
    const cli = await oracle({DOCKER_CONFIG: file}, ['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'])
    // 26.1 is silent here and Debian's 20.10 warns "not a directory"; the finding says which.
    expect(cli.exitCode).toBe(0)
    expect(cli.stderr).not.toMatch(/WARNING/)
    const old = await execa(DEBIAN_DOCKER_CLI, ['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'], {reject: false, timeout: 10_000, env: {PATH: process.env.PATH ?? '', HOME: tmpdir(), DOCKER_CONFIG: file}, extendEnv: false, stdin: 'ignore'})
    expect(old.exitCode).toBe(0)
    expect(old.stderr).toMatch(/WARNING: Error loading config file: .*not a directory/)
    const result = await environment({DOCKER_CONFIG: file})
    expect(result.facts.find((f) => f.label === 'Docker endpoint')?.value).toBe(cli.stdout.trim())
    const warned = result.findings.find((f) => f.id === 'docker-config-skipped')
    expect(warned?.detail).toMatch(/is a file, not a folder.*26\.1 says nothing/)
    expect(warned?.fix).toMatch(/Point DOCKER_CONFIG at the folder/)
    expect(warned?.fix).not.toMatch(/Fix the JSON/)
  })

  it('a config.json that is not JSON: CLI 20.10 and 26.1 warn "Error loading config file" and carry on, as the finding says', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-endpoint-'))
    await writeFile(path.join(dir, 'config.json'), '{bad')
    for (const cli of [DOCKER_CLI, DEBIAN_DOCKER_CLI]) {
      const r = await execa(cli, ['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'], {reject: false, timeout: 10_000, env: {PATH: process.env.PATH ?? '', HOME: tmpdir(), DOCKER_CONFIG: dir}, extendEnv: false, stdin: 'ignore'})
      expect(r.exitCode).toBe(0)
      expect(r.stderr).toMatch(/WARNING: Error loading config file/)
    }
    const result = await environment({DOCKER_CONFIG: dir})
    const warned = result.findings.find((f) => f.id === 'docker-config-skipped')
    expect(warned?.detail).toMatch(/"WARNING: Error loading config file" from CLI 20\.10 and 26\.1/)
  })
})
