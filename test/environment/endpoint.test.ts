import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {EndpointError, parseHost, resolveEndpoint} from '../../src/core/docker/endpoint.js'
import {writeContext} from '../helpers/docker-config.js'

async function configDir(current?: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'de-dockercfg-'))
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(current ? {currentContext: current, auths: {}} : {auths: {}}))
  return dir
}

describe('resolveEndpoint follows the docker CLI precedence', () => {
  it('uses the platform default when nothing is set', async () => {
    const dir = await configDir()
    const e = await resolveEndpoint({DOCKER_CONFIG: dir}, 'linux')
    expect(e).toMatchObject({host: 'unix:///var/run/docker.sock', rule: 'default', socketPath: '/var/run/docker.sock', local: true})
    expect(e.reason).toMatch(/platform default/)
  })

  it('uses currentContext from the docker config in DOCKER_CONFIG', async () => {
    const dir = await configDir('remote')
    await writeContext(dir, 'remote', 'tcp://10.1.2.3:2376', {tls: true})
    const e = await resolveEndpoint({DOCKER_CONFIG: dir}, 'linux')
    expect(e).toMatchObject({host: 'tcp://10.1.2.3:2376', rule: 'currentContext', context: 'remote', protocol: 'tcp', hostname: '10.1.2.3', port: 2376, local: false})
    expect(e.tls?.verify).toBe(true)
    expect(e.tls?.ca).toMatch(/contexts\/tls\/[0-9a-f]{64}\/docker\/ca\.pem$/)
  })

  it('lets DOCKER_CONTEXT override currentContext', async () => {
    const dir = await configDir('remote')
    await writeContext(dir, 'remote', 'tcp://10.1.2.3:2376')
    await writeContext(dir, 'lab', 'unix:///run/lab.sock')
    const e = await resolveEndpoint({DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'lab'}, 'linux')
    expect(e).toMatchObject({host: 'unix:///run/lab.sock', rule: 'DOCKER_CONTEXT', context: 'lab'})
  })

  it('lets DOCKER_HOST override every context', async () => {
    const dir = await configDir('remote')
    await writeContext(dir, 'remote', 'tcp://10.1.2.3:2376')
    const e = await resolveEndpoint({DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'remote', DOCKER_HOST: 'ssh://me@build-box'}, 'linux')
    expect(e).toMatchObject({rule: 'DOCKER_HOST', protocol: 'ssh', hostname: 'build-box', username: 'me', local: false})
    // No port in the URL: ssh decides (~/.ssh/config Port, else 22), so none is passed to it.
    expect(e.port).toBeUndefined()
  })

  it('reads DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for tcp', async () => {
    const e = await resolveEndpoint({DOCKER_HOST: 'tcp://127.0.0.1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs', DOCKER_CONFIG: '/nonexistent'}, 'linux')
    expect(e).toMatchObject({port: 2376, local: true, tls: {verify: true, ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem'}})
  })

  it('treats DOCKER_CONTEXT=default as the platform default', async () => {
    const dir = await configDir('remote')
    const e = await resolveEndpoint({DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'default'}, 'linux')
    expect(e.rule).toBe('default')
  })

  it('explains a context that does not exist', async () => {
    const dir = await configDir('gone')
    const error = await resolveEndpoint({DOCKER_CONFIG: dir}, 'linux').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EndpointError)
    expect((error as EndpointError).message).toMatch(/context "gone".*context not found/)
    expect((error as EndpointError).fix).toMatch(/docker context ls/)
  })

  it('skips a config file that is not JSON with a warning, as the docker CLI does', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-dockercfg-'))
    await writeFile(path.join(dir, 'config.json'), '{not json')
    const e = await resolveEndpoint({DOCKER_CONFIG: dir}, 'linux')
    expect(e).toMatchObject({host: 'unix:///var/run/docker.sock', rule: 'default'})
    expect(e.warnings?.[0]?.detail).toContain(path.join(dir, 'config.json'))
  })

  it.each([
    ['unix:///var/run/docker.sock', {protocol: 'unix', socketPath: '/var/run/docker.sock'}],
    ['tcp://[::1]:2375', {protocol: 'tcp', hostname: '::1', port: 2375, local: true}],
    ['127.0.0.1:2375', {protocol: 'tcp', hostname: '127.0.0.1', port: 2375}],
    ['ssh://user@host:2222', {protocol: 'ssh', hostname: 'host', port: 2222, username: 'user'}],
  ])('parses %s', (host, expected) => {
    expect(parseHost(host, {rule: 'DOCKER_HOST', reason: ''})).toMatchObject(expected)
  })

  it.each(['ftp://x', 'unix://', 'tcp://'])('rejects %s with a fix', (host) => {
    expect(() => parseHost(host, {rule: 'DOCKER_HOST', reason: ''})).toThrow(EndpointError)
  })
})
