import {describe, expect, it} from 'vitest'
import type {LayerResult} from '../../src/core/registry/categories.js'
import {decide, type ControlSummary} from '../../src/core/registry/diagnose.js'
import type {ProbeResult} from '../../src/core/registry/prober.js'
import {parseReference} from '../../src/core/registry/reference.js'

const hub = parseReference('golang:1.21.3-alpine3.18')

function attempt(failure?: Partial<LayerResult>): ProbeResult {
  const f: LayerResult | undefined = failure
    ? {name: 'tls', host: 'registry-1.docker.io', address: '192.0.2.1', family: 4, status: 'fail', ms: 3, category: 'eof', detail: 'closed', ...failure}
    : undefined
  return {ref: hub.input, canonical: hub.canonical, host: hub.host, isDockerHub: true, ok: !f, ...(f ? {failure: f} : {}), layers: f ? [f] : [], families: [], redirects: [], auth: 'anonymous', notes: []}
}

const passing: ControlSummary = {ref: 'gcr.io/distroless/static-debian12', ok: true, category: 'ok', layer: null, host: null, layers: []}
const failing: ControlSummary = {...passing, ok: false, category: 'dns', layer: 'dns', host: 'gcr.io'}

describe('verdicts and their fixes', () => {
  it('points EOF at TLS on Docker Hub with the control passing at the daemon config', () => {
    const v = decide(hub, [attempt({})], passing, 'max-concurrent-downloads is raised to 12')
    expect(v).toMatchObject({category: 'eof', layer: 'tls', host: 'registry-1.docker.io', scope: 'registry_specific', flaky: false, successRatio: 0})
    expect(v.fix).toMatch(/max-concurrent-downloads in the Docker daemon cell/)
    expect(v.fix).toMatch(/raised to 12/)
  })

  it('calls the problem general when the control fails too', () => {
    const v = decide(hub, [attempt({})], failing)
    expect(v.scope).toBe('general')
    expect(v.fix).toMatch(/fails too/)
  })

  it('says a 404 means the tag or platform does not exist', () => {
    expect(decide(hub, [attempt({name: 'manifest', category: 'http_404'})], null).fix).toMatch(/tag or repository does not exist/)
    expect(decide(hub, [attempt({name: 'platform', category: 'http_404'})], null).fix).toMatch(/not for the platform/)
  })

  it('reports a mix of passes and failures as flaky with the ratio', () => {
    const v = decide(hub, [attempt(), attempt({}), attempt(), attempt({category: 'reset'}), attempt({})], passing)
    expect(v).toMatchObject({flaky: true, successRatio: 0.4, category: 'eof'})
    expect(v.summary).toMatch(/in 3 of 5 attempts \(flaky\)/)
    expect(v.fix).toMatch(/parallel/)
  })

  it('passes when every attempt passes', () => {
    expect(decide(hub, [attempt(), attempt()], null)).toMatchObject({category: 'ok', layer: null, successRatio: 1, flaky: false})
  })
})
