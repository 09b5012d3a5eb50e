import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {CellContext, CellTuning} from '../../src/cells/cell.js'
import type {Settings} from '../../src/core/settings.js'
import {testContext} from '../helpers/cell-context.js'
import {registryCell} from '../../src/cells/registry-cell.js'
import {cellJson, renderCellPlain} from '../../src/cli/render-plain.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import type {CellResult} from '../../src/core/types.js'
import {DEV_IMAGE_SETS} from '../../src/core/registry/dev-images.js'
import {labAvailable, labRegistry} from '../lab/lab.js'
import {startFronts, type Fronts} from './fronts.js'

let fronts: Fronts
let empty: string

beforeAll(async () => {
  fronts = await startFronts()
  empty = await mkdtemp(join(tmpdir(), 'dx-registry-cell-'))
})

afterAll(async () => {
  await fronts?.close()
  if (empty) await rm(empty, {recursive: true, force: true})
})

async function context(settings: Partial<Settings>, tuning: CellTuning = {}): Promise<{ctx: CellContext; rec: Recorder}> {
  const rec = new Recorder()
  const ctx = await testContext({
    // Trust the fronts' CA and the lab's; no proxy, no credentials, only loopback.
    env: {HOME: empty, DOCKER_CONFIG: empty, NODE_EXTRA_CA_CERTS: fronts.certs.caFile, PATH: process.env.PATH ?? '/usr/bin:/bin'},
    recorder: rec,
    signal: new AbortController().signal,
    notesDir: empty,
    settings: {daggerSrc: empty, ...settings},
    tuning: {registryTimeoutMs: 2000, ...tuning},
  })
  return {ctx, rec}
}

describe('the Registry cell', () => {
  it('probes the given references in parallel and records a verdict table and findings', async () => {
    const {ctx, rec} = await context({refs: fronts.ref('r404'), control: fronts.ref('healthy')}, {registryRefs: `${fronts.ref('healthy')},${fronts.ref('closeOnAccept')}`})
    await registryCell.run(ctx)
    const facts = Object.fromEntries(rec.facts.map((f) => [f.label, f.value]))
    expect(facts[fronts.ref('healthy')]).toMatch(/^ok/)
    expect(facts[fronts.ref('closeOnAccept')]).toMatch(/eof at tls on 127\.0\.0\.1:\d+, registry_specific/)
    expect(facts[fronts.ref('r404')]).toMatch(/http_404 at manifest/)
    const fails = rec.findings.filter((f) => f.status === 'fail')
    expect(fails.map((f) => f.id)).toEqual(['registry-verdict', 'registry-verdict-2'])
    expect(fails[0]).toMatchObject({recipe: 'registry-eof'})
    for (const f of fails) {
      expect(f.detail).toBeTruthy()
      expect(f.fix).toBeTruthy()
    }
    expect(rec.commands[0]?.argv[0]).toBe('PROBE')
    expect(rec.commands[0]?.output).toMatch(/✓ blob/)
  })

  it('five references failing the same way are one finding: the cause once, every reference it blocks named', async () => {
    const host = fronts.ref('closeOnAccept').split('/')[0]!
    const refs = ['a', 'b', 'c', 'd', 'e'].map((r) => `${host}/library/${r}:1`)
    const {ctx, rec} = await context({control: 'none'}, {registryRefs: refs.join(',')})
    await registryCell.run(ctx)
    const fails = rec.findings.filter((f) => f.status === 'fail')
    expect(fails).toHaveLength(1)
    expect(fails[0]!.title).toMatch(/^Can't pull 5 images: /)
    for (const ref of refs) expect(fails[0]!.detail).toContain(ref)
    expect(fails[0]!.fix!.length).toBeGreaterThan(60)
    // Each reference keeps its own verdict among the facts.
    for (const ref of refs) expect(rec.facts.find((f) => f.label === ref)?.value).toMatch(/^✗ /)
  })

  it('references failing for different reasons stay separate findings, one per cause', async () => {
    const closed = fronts.ref('closeOnAccept').split('/')[0]!
    const healthy = fronts.healthy
    const refs = [`${closed}/library/a:1`, `${healthy}/library/missing:1`, `${closed}/library/b:1`]
    const {ctx, rec} = await context({control: 'none'}, {registryRefs: refs.join(',')})
    await registryCell.run(ctx)
    const fails = rec.findings.filter((f) => f.status === 'fail')
    expect(fails).toHaveLength(2)
    expect(fails[0]!.title).toMatch(/^Can't pull 2 images: /)
    expect(fails[1]!.title).toContain(`Can't pull ${healthy}/library/missing:1: `)
    expect(new Set(fails.map((f) => f.fix)).size).toBe(2)
  })

  it('plain output shows a fix shared by several findings once, each repeat pointing back at it; --json keeps each whole', async () => {
    const closed = fronts.ref('closeOnAccept')
    const bad = [':nope', 'a//b', 'x@@y']
    const {ctx, rec} = await context({control: 'none'}, {registryRefs: [...bad, closed].join(',')})
    await registryCell.run(ctx)
    const result: CellResult = {cell: 'registry', title: 'Registry', status: 'fail', startedAt: new Date().toISOString(), durationMs: 1, findings: rec.findings, facts: rec.facts, commands: rec.commands}
    const warned = rec.findings.filter((f) => f.id === 'registry-bad-reference')
    expect(warned).toHaveLength(3)
    const fix = warned[0]!.fix!
    const plain = renderCellPlain(result, {color: false}).split('\n')
    expect(plain.filter((l) => l.includes(fix))).toHaveLength(1)
    expect(plain.filter((l) => l === `      Fix: same as "${warned[0]!.title}" above`)).toHaveLength(2)
    expect(plain.join('\n')).not.toMatch(/same fix as for/i)
    const json = cellJson(result) as {findings: {id: string; fix: string | null}[]}
    expect(json.findings.filter((f) => f.id === 'registry-bad-reference').map((f) => f.fix)).toEqual([fix, fix, fix])
    expect(JSON.stringify(json)).not.toMatch(/same (fix )?as/i)
  })

  it('preloads the dev-build list and, with a registry host override, probes it only there', async () => {
    const host = fronts.healthy
    const {ctx, rec} = await context({registryHost: host, control: 'none'})
    await registryCell.run(ctx)
    const probed = rec.facts.filter((f) => f.label.startsWith(`${host}/`)).map((f) => f.label)
    expect(probed).toEqual([
      `${host}/engine:v0.9.2`,
      `${host}/library/alpine:3.18`,
      `${host}/library/golang:1.21.3-alpine3.18`,
      `${host}/tonistiigi/xx:1.2.1`,
      `${host}/tonistiigi/binfmt@sha256:e06789462ac7e2e096b53bfd9e607412426850227afeb1d0f5dfa48a731e0ba5`,
    ])
    expect(rec.facts.find((f) => f.label === 'Dagger version')?.value).toBe('no checkout found')
    // Every failing layer, and every layer at all, stayed on loopback.
    expect(rec.commands[0]?.output).not.toMatch(/docker\.io|dagger\.io/)
    // None of them is on that registry: one cause, one finding that names every image.
    const fails = rec.findings.filter((f) => f.status === 'fail')
    expect(fails).toHaveLength(1)
    expect(fails[0]!.title).toMatch(new RegExp(`^Can't pull ${DEV_IMAGE_SETS['v0.9.3'].images.length} images: `))
    for (const label of probed) expect(fails[0]!.detail).toContain(label)
  })

  it('stops waiting when the session is interrupted', async () => {
    const {ctx} = await context({control: 'none'}, {registryRefs: fronts.ref('neverAnswer'), registryTimeoutMs: 5000})
    const abort = new AbortController()
    setTimeout(() => abort.abort(), 100)
    const started = performance.now()
    await expect(registryCell.run({...ctx, signal: abort.signal})).rejects.toThrow(/interrupted/)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it.skipIf(!labAvailable() && process.env.CI !== 'true')('passes on the lab registry', async () => {
    const reg = labRegistry()
    const {ctx, rec} = await context({control: 'none'}, {registryRefs: reg.image})
    ctx.env.NODE_EXTRA_CA_CERTS = reg.caFile
    await registryCell.run(ctx)
    expect(rec.findings.map((f) => f.id)).toEqual(['registry-all-reachable'])
  })
})
