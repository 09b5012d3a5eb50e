import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {diagnose, type DiagnoseOptions} from '../../src/core/registry/diagnose.js'
import {probeReference} from '../../src/core/registry/prober.js'
import {PASSWORD, startFronts, USER, type Fault, type Fronts} from './fronts.js'

let fronts: Fronts
let home: string

beforeAll(async () => {
  fronts = await startFronts()
  home = await mkdtemp(join(tmpdir(), 'dx-registry-home-'))
})

afterAll(async () => {
  await fronts?.close()
  if (home) await rm(home, {recursive: true, force: true})
})

function options(extra: Partial<DiagnoseOptions> = {}): DiagnoseOptions {
  return {
    env: {HOME: home, DOCKER_CONFIG: join(home, 'docker')},
    timeoutMs: 2000,
    platform: {os: 'linux', architecture: 'amd64'},
    certsDirs: [],
    extraCa: [fronts.certs.ca],
    control: null,
    ...extra,
  }
}

const cases: [Fault, string, string][] = [
  ['closeOnAccept', 'eof', 'tls'],
  ['closeAfterRequest', 'eof', 'ping'],
  ['rst', 'reset', 'tls'],
  ['r401', 'http_401', 'manifest'],
  ['r403', 'http_403', 'manifest'],
  ['r404', 'http_404', 'manifest'],
  ['r429', 'http_429', 'manifest'],
  ['r503', 'http_5xx', 'ping'],
  ['html', 'not_a_registry', 'ping'],
  ['wrongCert', 'x509', 'tls'],
  ['expiredCert', 'x509', 'tls'],
  ['refused', 'tcp_refused', 'tcp'],
  ['noResponse', 'client_timeout', 'ping'],
  ['portal', 'not_a_registry', 'ping'],
]

describe('fault fronts get the right category and layer', () => {
  it.each(cases)('%s -> %s at %s', async (fault, category, layer) => {
    const report = await diagnose([fronts.ref(fault)], options())
    const result = report.results[0]
    expect(result?.verdict.category).toBe(category)
    expect(result?.verdict.layer).toBe(layer)
    expect(result?.verdict.host).toBe('127.0.0.1')
    expect(result?.verdict.fix.length).toBeGreaterThan(20)
    expect(report.ok).toBe(false)
  })

  it('probes an IPv6 literal over IPv6 only', async () => {
    // The fronts listen on 127.0.0.1 alone, so ::1 on the same port refuses.
    const report = await diagnose([`[::1]:${fronts.ports.r404}/lab/app:v1`], options())
    const result = report.results[0]
    expect(result?.verdict).toMatchObject({category: 'tcp_refused', layer: 'tcp', host: '::1'})
    expect(result?.families).toEqual([{family: 6, address: '::1', ok: false, category: 'tcp_refused', layer: 'tcp'}])
  })

  it('names the unresolvable host at the DNS layer', async () => {
    const report = await diagnose(['registry.invalid/lab/app:v1'], options())
    expect(report.results[0]?.verdict).toMatchObject({category: 'dns', layer: 'dns', host: 'registry.invalid'})
  })

  it('gives a never-answering registry its verdict within the timeout', async () => {
    const started = performance.now()
    const report = await diagnose([fronts.ref('neverAnswer')], options({timeoutMs: 1000}))
    const elapsed = performance.now() - started
    expect(report.results[0]?.verdict).toMatchObject({category: 'tls_handshake_timeout', layer: 'tls'})
    expect(elapsed).toBeLessThan(1600)
  })

  it('reads the rate-limit headers of a 429', async () => {
    const report = await diagnose([fronts.ref('r429')], options())
    expect(report.results[0]?.rateLimit).toMatchObject({limit: '100;w=21600', remaining: '0;w=21600'})
    expect(report.results[0]?.layers.at(-1)?.detail).toMatch(/0 of 100 pulls left/)
  })

  it('says why an expired certificate fails', async () => {
    const report = await diagnose([fronts.ref('expiredCert')], options())
    expect(report.results[0]?.layers.find((l) => l.name === 'tls')?.detail).toMatch(/CERT_HAS_EXPIRED/)
  })

  it('hints at interception when the issuer is unknown and no custom CA is configured', async () => {
    const report = await diagnose([fronts.ref('healthy')], options({extraCa: []}))
    const tls = report.results[0]?.layers.find((l) => l.name === 'tls')
    expect(tls?.category).toBe('x509')
    expect(tls?.detail).toMatch(/not a public CA/)
  })
})

describe('a healthy fake registry with token auth and a CDN redirect', () => {
  it('passes every layer, probing the realm and the CDN host too', async () => {
    const report = await diagnose([fronts.ref('healthy')], options())
    const result = report.results[0]
    expect(report.ok).toBe(true)
    expect(result?.verdict).toMatchObject({category: 'ok', successRatio: 1, flaky: false})
    const names = result?.layers.map((l) => `${l.name}@${l.host}`)
    expect(names).toEqual([
      'dns@127.0.0.1',
      'tcp@127.0.0.1',
      'tls@127.0.0.1',
      'ping@127.0.0.1',
      'dns@127.0.0.1',
      'tcp@127.0.0.1',
      'tls@127.0.0.1',
      'token@127.0.0.1',
      'manifest@127.0.0.1',
      'platform@127.0.0.1',
      'dns@localhost',
      'tcp@localhost',
      'tls@localhost',
      'blob@localhost',
    ])
    expect(result?.redirects[0]).toMatchObject({status: 307, toHost: expect.stringMatching(/^localhost:\d+$/)})
    expect(result?.layers.find((l) => l.name === 'tls')?.detail).toMatch(/custom CA/)
    expect(result?.digest).toMatch(/^sha256:/)
  })

  it('follows a registry that redirects every request to another one, as registry.dagger.io does', async () => {
    const report = await diagnose([fronts.ref('redirector')], options())
    const result = report.results[0]
    expect(result?.verdict.category, JSON.stringify(result?.layers, null, 2)).toBe('ok')
    expect(result?.redirects.filter((r) => r.status === 307 && r.toHost === fronts.healthy).length).toBeGreaterThanOrEqual(3)
    expect(result?.layers.find((l) => l.name === 'ping')?.detail).toMatch(new RegExp(`redirected 307 to ${fronts.healthy}`))
  })

  it('names a captive portal that redirects to a login page', async () => {
    const report = await diagnose([fronts.ref('portal')], options())
    expect(report.results[0]?.layers.find((l) => l.name === 'ping')?.detail).toMatch(/HTML page titled "Hotel Wi-Fi login".*redirected 302/)
  })

  it('fetches a token when only the repository asks for one', async () => {
    const report = await diagnose([fronts.ref('lateAuth')], options())
    const result = report.results[0]
    expect(result?.verdict.category, JSON.stringify(result?.layers, null, 2)).toBe('ok')
    expect(result?.layers.filter((l) => ['ping', 'token', 'manifest'].includes(l.name)).map((l) => `${l.name}:${l.status}`)).toEqual(['ping:ok', 'token:ok', 'manifest:ok'])
    expect(result?.layers.find((l) => l.name === 'ping')?.detail).toMatch(/no authentication asked/)
  })

  it('fails at the platform layer for a platform the index lacks', async () => {
    const report = await diagnose([fronts.ref('healthy')], options({platform: {os: 'linux', architecture: 's390x'}}))
    expect(report.results[0]?.verdict).toMatchObject({category: 'http_404', layer: 'platform'})
    expect(report.results[0]?.verdict.fix).toMatch(/platform/)
    expect(report.results[0]?.layers.find((l) => l.name === 'platform')?.detail).toMatch(/linux\/amd64, linux\/arm64/)
  })

  it('trusts a CA from a docker certs.d folder', async () => {
    const certsDir = join(home, 'certs.d')
    await mkdir(join(certsDir, fronts.healthy), {recursive: true})
    await writeFile(join(certsDir, fronts.healthy, 'ca.crt'), fronts.certs.ca)
    const result = await probeReference(fronts.ref('healthy'), {...options({extraCa: [], certsDirs: [certsDir]})})
    const tls = result.layers.find((l) => l.name === 'tls')
    expect(tls?.status).toBe('ok')
    expect(tls?.detail).toContain(join(certsDir, fronts.healthy, 'ca.crt'))
  })
})

describe('credentials', () => {
  it('gets a 401 from the token server without credentials', async () => {
    const report = await diagnose([fronts.ref('private')], options())
    expect(report.results[0]?.verdict).toMatchObject({category: 'http_401', layer: 'token'})
  })

  it('uses docker config credentials and never shows them', async () => {
    const dockerDir = join(home, 'docker-auth')
    await mkdir(dockerDir, {recursive: true})
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64')
    await writeFile(join(dockerDir, 'config.json'), JSON.stringify({auths: {[fronts.privateRegistry]: {auth}}}))
    const report = await diagnose([fronts.ref('private')], options({env: {HOME: home, DOCKER_CONFIG: dockerDir}}))
    expect(report.results[0]?.verdict.category).toBe('ok')
    expect(report.results[0]?.auth).toMatch(/config\.json auths/)
    const text = JSON.stringify(report)
    expect(text).not.toContain(PASSWORD)
    expect(text).not.toContain(auth)
    expect(text).not.toMatch(/tok-[0-9a-f]{16}/)
  })
})

describe('credential helpers', () => {
  it('asks the configured docker-credential helper and passes', async () => {
    const dir = join(home, 'helper')
    await mkdir(dir, {recursive: true})
    // A helper answers `get` with the server URL on stdin, as docker-credential-* programs do.
    await writeFile(
      join(dir, 'docker-credential-dxtest'),
      `#!/bin/sh\nread server\n[ "$1" = get ] && [ "$server" = "${fronts.privateRegistry}" ] || exit 1\nprintf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$server"\n`,
      {mode: 0o755},
    )
    await writeFile(join(dir, 'config.json'), JSON.stringify({credHelpers: {[fronts.privateRegistry]: 'dxtest'}}))
    const report = await diagnose([fronts.ref('private')], options({env: {HOME: home, DOCKER_CONFIG: dir, PATH: `${dir}:/usr/bin:/bin`}}))
    expect(report.results[0]?.verdict.category).toBe('ok')
    expect(report.results[0]?.auth).toBe('token with docker credentials from credential helper "dxtest"')
    expect(JSON.stringify(report)).not.toContain(PASSWORD)
  })
})

describe('attempts and scope', () => {
  it('calls a front that drops every other connection flaky', async () => {
    const report = await diagnose([fronts.ref('flaky')], options({attempts: 4}))
    const verdict = report.results[0]?.verdict
    expect(verdict).toMatchObject({category: 'eof', layer: 'tls', flaky: true, successRatio: 0.5})
    expect(verdict?.fix).toMatch(/max-concurrent-downloads/)
  })

  it('is registry_specific when the control passes', async () => {
    const report = await diagnose([fronts.ref('closeOnAccept')], options({control: fronts.ref('healthy')}))
    expect(report.results[0]?.verdict.scope).toBe('registry_specific')
    expect(report.control?.ok).toBe(true)
  })

  it('is general when the control fails too', async () => {
    const report = await diagnose([fronts.ref('closeOnAccept')], options({control: fronts.ref('refused')}))
    expect(report.results[0]?.verdict.scope).toBe('general')
  })
})
