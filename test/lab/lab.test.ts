import {randomBytes} from 'node:crypto'
import {execa} from 'execa'
import {Agent, fetch as undiciFetch} from 'undici'
import {afterAll, describe, expect, inject, it} from 'vitest'
import {labCa, labDispatcher, labRegistry, labTokenRegistry} from './lab.js'
import {mintLabToken} from './token.js'

const provided = inject('lab')
const ci = process.env.CI === 'true' || process.env.CI === '1'
const PREFIX = `dxlab-test-${randomBytes(3).toString('hex')}`

async function docker(args: string[], timeout = 60_000) {
  return execa('docker', args, {timeout, reject: false, stdin: 'ignore'})
}

// Outside CI a machine without the lab skips; under CI global-setup has already failed the run.
describe.skipIf(provided === null && !ci)('test lab', () => {
  const facts = provided!
  const created: string[] = []
  let dispatcher: Agent | undefined

  afterAll(async () => {
    if (created.length > 0) await docker(['rm', '-f', ...created])
    await dispatcher?.close()
  })

  it('has a Docker Engine that answers', async () => {
    const run = await docker(['version', '--format', '{{.Server.Version}}'], 10_000)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout.trim()).toBe(facts.docker.serverVersion)
  })

  it('runs a --privileged container (through the lab runtime where the host needs it)', async () => {
    expect(facts.docker.privileged).toBe(true)
    const name = `${PREFIX}-priv`
    created.push(name)
    const run = await docker(['run', '--rm', '--name', name, '--privileged', '--network', 'none', facts.baseImage, 'sh', '-c', 'grep ^CapEff: /proc/self/status'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^CapEff:\s+[0-9a-f]+$/m)
  })

  it('runs docker exec --privileged in a running container', async () => {
    const name = `${PREFIX}-exec`
    created.push(name)
    const start = await docker(['run', '-d', '--name', name, '--network', 'none', facts.baseImage, 'sleep', '60'])
    expect(start.exitCode, start.stderr).toBe(0)
    const exec = await docker(['exec', '--privileged', name, 'sh', '-c', 'echo exec-ok'])
    expect(exec.exitCode, exec.stderr).toBe(0)
    expect(exec.stdout.trim()).toBe('exec-ok')
  })

  it('answers GET /v2/ over TLS, trusting only the lab CA', async () => {
    const registry = labRegistry()
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/)
    dispatcher = labDispatcher()
    const res = await undiciFetch(`${registry.url}/v2/`, {dispatcher, signal: AbortSignal.timeout(5000)})
    expect(res.status).toBe(200)
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
    expect(labCa()).toContain('BEGIN CERTIFICATE')
  })

  it('gives workers the lab CA through NODE_EXTRA_CA_CERTS, so plain fetch trusts it', async () => {
    const res = await fetch(`${labRegistry().url}/v2/`, {signal: AbortSignal.timeout(5000)})
    expect(res.status).toBe(200)
  })

  it('holds the base image that up.sh pushed with the real daemon', async () => {
    const registry = labRegistry()
    dispatcher ??= labDispatcher()
    const res = await undiciFetch(`${registry.url}/v2/${registry.repository}/manifests/${registry.tag}`, {
      dispatcher,
      headers: {accept: 'application/vnd.docker.distribution.manifest.v2+json'},
      signal: AbortSignal.timeout(5000),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('docker-content-digest')).toMatch(/^sha256:[0-9a-f]{64}$/)
    const manifest = (await res.json()) as {schemaVersion?: number; layers?: unknown[]}
    expect(manifest.schemaVersion).toBe(2)
    expect(manifest.layers?.length).toBeGreaterThan(0)
  })

  it('has a token registry that challenges with a Bearer realm on loopback', async () => {
    const registry = labTokenRegistry()
    dispatcher ??= labDispatcher()
    const res = await undiciFetch(`${registry.url}/v2/`, {dispatcher, signal: AbortSignal.timeout(5000)})
    expect(res.status).toBe(401)
    const challenge = res.headers.get('www-authenticate') ?? ''
    expect(challenge).toContain(`Bearer realm="${registry.realm}"`)
    expect(challenge).toContain(`service="${registry.service}"`)
  })

  async function tokenFor(scope: string, basic?: string): Promise<{status: number; token?: string}> {
    const registry = labTokenRegistry()
    const url = `${registry.realm}?service=${encodeURIComponent(registry.service)}&scope=${encodeURIComponent(scope)}`
    const headers: Record<string, string> = basic ? {authorization: `Basic ${Buffer.from(basic).toString('base64')}`} : {}
    const res = await fetch(url, {headers, signal: AbortSignal.timeout(5000)})
    const body = (await res.json()) as {token?: string}
    return {status: res.status, token: body.token}
  }

  async function manifestStatus(repository: string, token: string): Promise<number> {
    const registry = labTokenRegistry()
    dispatcher ??= labDispatcher()
    const res = await undiciFetch(`${registry.url}/v2/${repository}/manifests/${registry.tag}`, {
      dispatcher,
      headers: {accept: 'application/vnd.docker.distribution.manifest.v2+json', authorization: `Bearer ${token}`},
      signal: AbortSignal.timeout(5000),
    })
    await res.arrayBuffer()
    return res.status
  }

  it('issues tokens the token registry accepts: user, anonymous on public/, refused otherwise', async () => {
    const registry = labTokenRegistry()
    const user = await tokenFor(`repository:${registry.repository}:pull`, `${registry.username}:${registry.password}`)
    expect(user.status).toBe(200)
    expect(await manifestStatus(registry.repository, user.token!)).toBe(200)

    const anonymousPublic = await tokenFor(`repository:${registry.publicRepository}:pull`)
    expect(await manifestStatus(registry.publicRepository, anonymousPublic.token!)).toBe(200)
    const anonymousPrivate = await tokenFor(`repository:${registry.repository}:pull`)
    expect(await manifestStatus(registry.repository, anonymousPrivate.token!)).toBe(401)

    expect((await tokenFor(`repository:${registry.repository}:pull`, `${registry.username}:wrong`)).status).toBe(401)
  })

  it('lets tests mint their own tokens, and the registry refuses expired ones', async () => {
    const registry = labTokenRegistry()
    const access = [{type: 'repository', name: registry.repository, actions: ['pull']}]
    expect(await manifestStatus(registry.repository, mintLabToken(registry, {access}))).toBe(200)
    expect(await manifestStatus(registry.repository, mintLabToken(registry, {access, expiresIn: -600}))).toBe(401)
    expect(await manifestStatus(registry.repository, mintLabToken(registry, {access, claims: {aud: 'someone-else'}}))).toBe(401)
  })
})
