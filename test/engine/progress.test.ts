import {describe, expect, it} from 'vitest'
import {BuildOutput} from '../../src/core/engine/build-output.js'
import {BuildViewModel} from '../../src/core/engine/build-view-model.js'
import {devEnvironment, exportText, parseExportLine} from '../../src/core/engine/exports.js'
import {fallbackExplain} from '../../src/core/engine/explain-bridge.js'
import {parseProgressLine, ProgressTracker} from '../../src/core/engine/progress.js'
import {LineRing} from '../../src/core/engine/ring-buffer.js'

describe('progress lines', () => {
  it('reads dagger/buildkit plain progress from the field report', () => {
    expect(parseProgressLine('14: blob://sha256:b62097f5 DONE')).toEqual({key: '14', event: 'done', text: 'blob://sha256:b62097f5'})
    expect(parseProgressLine('14: > in engine > dev > host.directory .')?.event).toBe('log')
    expect(parseProgressLine('151: [18.2s] retrying in 4s')?.event).toBe('log')
    expect(parseProgressLine('21: resolve image config for docker.io/library/golang:1.21.3-alpine3.18 ERROR: failed to do request: Head "x": EOF')).toMatchObject({key: '21', event: 'error', text: 'resolve image config for docker.io/library/golang:1.21.3-alpine3.18'})
    expect(parseProgressLine('7: exec apk add CACHED')?.event).toBe('cached')
    expect(parseProgressLine('3   : container.from DONE [0.3s]')).toMatchObject({key: '3', event: 'done'})
  })

  it('reads docker buildx and dagger symbol progress', () => {
    expect(parseProgressLine('#5 [2/3] RUN make')).toMatchObject({key: '5', event: 'start'})
    expect(parseProgressLine('#5 CACHED')).toMatchObject({key: '5', event: 'cached'})
    expect(parseProgressLine('#5 DONE 0.3s')).toMatchObject({key: '5', event: 'done'})
    expect(parseProgressLine('#6 ERROR: process "/bin/sh -c make" did not complete')).toMatchObject({event: 'error'})
    expect(parseProgressLine('✔ container.from(address: "alpine") 1.2s')).toMatchObject({event: 'done'})
    expect(parseProgressLine('✘ withExec go build 0.4s')).toMatchObject({event: 'error'})
    expect(parseProgressLine('export _EXPERIMENTAL_DAGGER_CLI_BIN=bin/dagger')).toBeUndefined()
    expect(parseProgressLine('Error: input:1: pipeline failed')).toBeUndefined()
  })

  it('counts steps: a failure sticks, a cache hit is not downgraded', () => {
    const t = new ProgressTracker()
    for (const l of ['1: a', '1: a DONE', '2: b', '2: b CACHED', '2: b DONE', '3: c', '4: d', '4: d ERROR: boom', '4: d DONE']) t.feed(l)
    expect(t.summary()).toEqual({steps: 4, done: 1, cached: 1, running: 1, failed: 1, canceled: 0})
    expect(t.failedSteps).toEqual(['d'])
  })
})

describe('bounded output', () => {
  it('keeps the last lines with absolute numbers and clips long lines', () => {
    const r = new LineRing(3, 5)
    for (const l of ['a', 'b', 'c', 'd', '0123456789']) r.push(l)
    expect(r.length).toBe(3)
    expect(r.total).toBe(5)
    expect(r.firstNumber).toBe(3)
    expect(r.slice(0, 3)).toEqual(['c', 'd', '01234…'])
  })

  it('view model follows, scrolls and searches over the kept lines', () => {
    const out = new BuildOutput(100)
    out.pushLines(Array.from({length: 250}, (_, i) => (i === 200 ? '21: resolve ERROR: EOF' : `${i}: step ${i} DONE`)))
    const vm = new BuildViewModel(out)
    let f = vm.frame(10)
    expect(f.following).toBe(true)
    expect(f.lines.at(-1)?.number).toBe(250)
    expect(f.position).toContain('of 250')
    expect(f.position).toContain('last 100 kept')
    vm.pageUp(10)
    f = vm.frame(10)
    expect(f.following).toBe(false)
    expect(f.lines.at(-1)?.number).toBe(240)
    // A paused view stays on the same text while lines arrive and old ones are dropped.
    out.pushLines(Array.from({length: 20}, (_, i) => `late ${i}`))
    expect(vm.frame(10).lines.at(-1)?.number).toBe(240)
    vm.startSearch()
    vm.typeSearch('eof')
    vm.submitSearch(10)
    f = vm.frame(10)
    expect(f.matchCount).toBe(1)
    expect(f.lines.some((l) => l.current && l.number === 201 && l.match !== undefined)).toBe(true)
    out.pushLines(['more'])
    expect(vm.frame(10).lines.some((l) => l.number === 201)).toBe(true)
    expect(vm.frame(10).lines.at(-1)?.number).toBeLessThan(271)
    // Cancelling a search clears its query and matches; a new one starts from nothing.
    vm.startSearch()
    vm.typeSearch('late')
    vm.cancelSearch()
    expect(vm.frame(10)).toMatchObject({searching: false, query: '', matchCount: 0})
    expect(vm.frame(10).lines.some((l) => l.match !== undefined)).toBe(false)
    vm.startSearch()
    expect(vm.frame(10)).toMatchObject({searching: true, query: '', matchCount: 0})
    vm.cancelSearch()
    vm.follow()
    expect(vm.frame(10).lines.at(-1)?.text).toBe('more')
    expect(f.summary).toMatch(/^building: \d+ done · 0 cached · 0 running · 1 failed/)
  })
})

describe('export lines and explanations', () => {
  it('captures export lines and resolves the relative CLI path', () => {
    const lines = ['export _EXPERIMENTAL_DAGGER_CLI_BIN=bin/dagger', 'export _EXPERIMENTAL_DAGGER_RUNNER_HOST=docker-container://dagger-engine.dev'].map((l) => parseExportLine(l)).filter((e) => e !== undefined)
    const env = devEnvironment('/src/dagger dir', lines)
    expect(env.find((e) => e.name === '_EXPERIMENTAL_DAGGER_CLI_BIN')?.value).toBe('/src/dagger dir/bin/dagger')
    expect(exportText(env)).toContain("export _EXPERIMENTAL_DAGGER_CLI_BIN='/src/dagger dir/bin/dagger'")
  })

  it('falls back to a scan naming the image refs of registry errors', () => {
    const e = fallbackExplain(['21: resolve image config for docker.io/library/golang:1.21.3-alpine3.18 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21.3-alpine3.18": EOF'])
    expect(e.failures).toHaveLength(1)
    expect(e.refs).toContain('docker.io/library/golang:1.21.3-alpine3.18')
  })
})

describe('step tracking stays bounded', () => {
  it('forgets the oldest finished steps beyond the limit and keeps the counts', async () => {
    const {MAX_TRACKED_STEPS} = await import('../../src/core/engine/progress.js')
    const t = new ProgressTracker()
    t.feed('0: long-running step')
    const n = MAX_TRACKED_STEPS * 3
    for (let i = 1; i <= n; i++) t.feed(i % 2 === 0 ? `${i}: s CACHED` : `${i}: s DONE`)
    expect(t.summary()).toEqual({steps: n + 1, done: n / 2, cached: n / 2, running: 1, failed: 0, canceled: 0})
    expect((t as unknown as {states: Map<string, number>}).states.size).toBeLessThanOrEqual(MAX_TRACKED_STEPS)
    t.feed('0: long-running step DONE')
    expect(t.summary().running).toBe(0)
  })
})
