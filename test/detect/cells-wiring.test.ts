import {createServer, type Server} from 'node:https'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {launchChecks} from '../../src/cells/journey-checks.js'
import {quotaFinding, readHubQuota} from '../../src/core/detect/hub-quota.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {dockerAvailable} from '../helpers/docker.js'
import {lab} from '../lab/lab.js'
import {testContext} from '../helpers/cell-context.js'

const skip = !dockerAvailable() && process.env.CI !== 'true'

describe.skipIf(skip)('Launch checks against the real daemon', () => {
  const name = `dx-explain-dev-${process.pid}`
  beforeAll(async () => {
    // A stand-in dev engine with no restart policy that has exited, as one does after a reboot.
    await execa('docker', ['run', '--name', name, lab().baseImage, 'sh', '-c', 'exit 3'], {reject: false, timeout: 60_000})
  })
  afterAll(async () => {
    await execa('docker', ['rm', '-fv', name], {reject: false, timeout: 30_000})
  })

  it('reads the exited dev engine and its missing restart policy, and the host nat table', async () => {
    const recorder = new Recorder()
    const env = {...process.env, _EXPERIMENTAL_DAGGER_DEV_CONTAINER: name, HTTPS_PROXY: 'http://127.0.0.1:3128'}
    await launchChecks(await testContext({env, recorder, notesDir: '/tmp'}))
    const state = recorder.findings.find((f) => f.id === 'dev-engine-not-running' || f.id === 'dev-engine-down-after-reboot')
    // It exited just now, after this machine booted: not the reboot case, but the same missing policy.
    expect(state?.id).toBe('dev-engine-not-running')
    expect(state?.title).toBe(`${name} is exited (exit 3)`)
    expect(state?.detail).toContain('without a restart policy')
    expect(state?.fix).toContain(`docker start ${name}`)
    expect(recorder.findings.some((f) => f.id.startsWith('iptables-nat-'))).toBe(true)
    // The container was run without -e HTTPS_PROXY: the real Config.Env says so.
    expect(recorder.findings.find((f) => f.id === 'engine-proxy-env-missing')?.title).toContain('127.0.0.1:3128')
    expect(recorder.commands.some((c) => c.argv.join(' ') === `GET /containers/${name}/json`)).toBe(true)
  })
})

describe('Docker Hub quota by manifest HEAD (loopback fake registry)', () => {
  let server: Server
  let host = ''
  const seen: string[] = []
  let remaining = '76;w=21600'
  beforeAll(async () => {
    const tls = path.join(lab().stateDir, 'tls')
    server = createServer({key: readFileSync(path.join(tls, 'server.key')), cert: readFileSync(path.join(tls, 'server.crt'))}, (req, res) => {
      seen.push(`${req.method} ${req.url}`)
      const url = new URL(req.url ?? '/', `https://${host}`)
      if (url.pathname === '/token') {
        res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({token: 'anon-token'}))
        return
      }
      if (req.headers.authorization !== 'Bearer anon-token') {
        res.writeHead(401, {'www-authenticate': `Bearer realm="https://${host}/token",service="registry.docker.io"`}).end()
        return
      }
      res.writeHead(200, {'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': remaining, 'docker-ratelimit-source': '203.0.113.7', 'content-type': 'application/vnd.docker.distribution.manifest.v2+json'}).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    host = `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('reads limit, remaining, window and source with a token GET and HEADs only (no pull spent)', async () => {
    seen.length = 0
    const q = await readHubQuota({host, timeoutMs: 3000})
    expect(q).toMatchObject({host, limit: 100, remaining: 76, windowSeconds: 21600, source: '203.0.113.7', status: 200})
    expect(seen.every((s) => s.startsWith('HEAD /v2/ratelimitpreview/test/manifests/latest') || s.startsWith('GET /token?'))).toBe(true)
    expect(seen.filter((s) => s.startsWith('GET /v2/'))).toEqual([])
    expect(quotaFinding(q)).toMatchObject({id: 'hub-quota-ok', status: 'pass'})
  })

  it('warns when few are left and fails at zero', async () => {
    remaining = '3;w=21600'
    expect(quotaFinding(await readHubQuota({host, timeoutMs: 3000}))).toMatchObject({id: 'hub-quota-low', status: 'warn'})
    remaining = '0;w=21600'
    expect(quotaFinding(await readHubQuota({host, timeoutMs: 3000}))).toMatchObject({id: 'hub-quota-exhausted', status: 'fail'})
  })

  it('takes its host from DAGGER_EXPLORE_REGISTRY_HOST and fails plainly when nothing answers there', async () => {
    // vitest.config.ts points it at 127.0.0.1:9, where nothing listens: Docker Hub is never asked.
    expect(process.env.DAGGER_EXPLORE_REGISTRY_HOST).toBe('127.0.0.1:9')
    await expect(readHubQuota({env: process.env, timeoutMs: 2000})).rejects.toThrow()
  })
})
