/**
Full healthy probes against the lab's real registries (Debian docker-registry over TLS on loopback):
one image pushed by the real daemon into the plain registry, and the token registry with and without
credentials.
*/
import {randomBytes} from 'node:crypto'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {diagnose, type DiagnoseOptions} from '../../src/core/registry/diagnose.js'
import {requireDocker} from '../helpers/docker.js'
import {lab, labAvailable, labRegistry, labTokenRegistry} from '../lab/lab.js'

const isCI = process.env.CI === 'true' || process.env.CI === '1'
const skip = !isCI && !labAvailable()

let home: string
let pushed: {ref: string; digest: string} | undefined

function options(extra: Partial<DiagnoseOptions> = {}, env: NodeJS.ProcessEnv = {}): DiagnoseOptions {
  return {
    // The daemon trusts the lab CA through /etc/docker/certs.d; NODE_EXTRA_CA_CERTS covers non-root runs.
    env: {HOME: home, DOCKER_CONFIG: join(home, 'docker'), ...(process.env.NODE_EXTRA_CA_CERTS ? {NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS} : {}), ...env},
    timeoutMs: 5000,
    platform: {os: 'linux', architecture: 'amd64'},
    control: null,
    ...extra,
  }
}

describe.skipIf(skip)('the lab registries', () => {
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'dx-registry-lab-'))
    requireDocker()
    const ref = `${labRegistry().host}/dx-registry-${randomBytes(4).toString('hex')}/probe:t1`
    await execa('docker', ['tag', lab().baseImage, ref], {timeout: 30_000})
    const push = await execa('docker', ['push', ref], {timeout: 120_000, all: true})
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(push.all ?? '')?.[1]
    if (!digest) throw new Error(`docker push printed no digest:\n${push.all ?? ''}`)
    pushed = {ref, digest}
  })

  afterAll(async () => {
    if (pushed) await execa('docker', ['rmi', pushed.ref], {reject: false, timeout: 30_000})
    if (home) await rm(home, {recursive: true, force: true})
  })

  it('passes every layer for an image the daemon just pushed', async () => {
    const {ref, digest} = pushed as {ref: string; digest: string}
    const report = await diagnose([ref], options())
    const result = report.results[0]
    expect(result?.verdict.category, JSON.stringify(result?.layers, null, 2)).toBe('ok')
    expect(result?.digest).toBe(digest)
    expect(result?.layers.map((l) => `${l.name}:${l.status}`)).toEqual(['dns:ok', 'tcp:ok', 'tls:ok', 'ping:ok', 'token:skipped', 'manifest:ok', 'platform:ok', 'blob:ok'])
    expect(report.ok).toBe(true)
  })

  it('gets an anonymous token over the issuer for a public repository', async () => {
    const reg = labTokenRegistry()
    const report = await diagnose([`${reg.host}/${reg.publicRepository}:${reg.tag}`], options())
    const result = report.results[0]
    expect(result?.verdict.category, JSON.stringify(result?.layers, null, 2)).toBe('ok')
    expect(result?.auth).toBe('anonymous token')
    expect(result?.layers.find((l) => l.name === 'token')?.host).toBe('127.0.0.1')
  })

  it('fails at the manifest with 401 for a private repository without credentials', async () => {
    const reg = labTokenRegistry()
    const report = await diagnose([`${reg.host}/${reg.repository}:${reg.tag}`], options())
    expect(report.results[0]?.verdict).toMatchObject({category: 'http_401', layer: 'manifest'})
  })

  it('passes with docker credentials, and refuses a wrong password at the token layer', async () => {
    const reg = labTokenRegistry()
    const write = async (dir: string, password: string) => {
      await mkdir(dir, {recursive: true})
      await writeFile(join(dir, 'config.json'), JSON.stringify({auths: {[reg.host]: {auth: Buffer.from(`${reg.username}:${password}`).toString('base64')}}}))
    }
    const good = join(home, 'docker-good')
    const bad = join(home, 'docker-bad')
    await write(good, reg.password)
    await write(bad, 'wrong-password')
    const ref = `${reg.host}/${reg.repository}:${reg.tag}`
    const ok = await diagnose([ref], options({}, {DOCKER_CONFIG: good}))
    expect(ok.results[0]?.verdict.category, JSON.stringify(ok.results[0]?.layers, null, 2)).toBe('ok')
    expect(JSON.stringify(ok)).not.toContain(reg.password)
    const refused = await diagnose([ref], options({}, {DOCKER_CONFIG: bad}))
    expect(refused.results[0]?.verdict).toMatchObject({category: 'http_401', layer: 'token'})
  })
})
