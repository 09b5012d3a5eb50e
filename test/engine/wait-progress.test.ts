import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {plainLive} from '../../src/cli/plain-progress.js'
import {progressLine, throttledProgress, type WaitProgress, withProgress} from '../../src/core/engine/wait-progress.js'

describe('progress of long steps', () => {
  it('says what it waits for, elapsed of the limit and the last log line', () => {
    expect(progressLine({waitingFor: 'waiting for dagger-engine.dev to answer `buildctl dial-stdio`', elapsedMs: 12_300, limitMs: 60_000, lastLine: 'level=info msg="loading cache"'})).toBe(
      'waiting for dagger-engine.dev to answer `buildctl dial-stdio`: 12 s of 60 s, last log line "level=info msg="loading cache""',
    )
    expect(progressLine({waitingFor: 'loading engine.tar', elapsedMs: 4000, limitMs: 300_000})).toBe('loading engine.tar: 4 s of 300 s')
  })

  it('a poller twice a second reports every two seconds, none in the first two', () => {
    const seen: number[] = []
    const report = throttledProgress((p) => seen.push(p.elapsedMs))
    for (let t = 0; t <= 9000; t += 500) report({waitingFor: 'x', elapsedMs: t, limitMs: 60_000})
    expect(seen).toEqual([2000, 4000, 6000, 8000])
  })

  it('one long call reports while it lasts and stops when it ends', async () => {
    const seen: WaitProgress[] = []
    const value = await withProgress(new Promise((r) => setTimeout(() => r('done'), 230)), 'loading', 1000, (p) => seen.push(p), 50)
    expect(value).toBe('done')
    const count = seen.length
    expect(count).toBeGreaterThanOrEqual(3)
    expect(seen.every((p) => p.waitingFor === 'loading' && p.limitMs === 1000)).toBe(true)
    await new Promise((r) => setTimeout(r, 150))
    expect(seen.length).toBe(count)
  })

  it('plain mode prints progress to stderr at most every five seconds, and nothing for the build view', () => {
    const stderr = new PassThrough()
    let out = ''
    stderr.on('data', (c: Buffer) => (out += c.toString()))
    let now = 0
    const live = plainLive({stderr}, () => now)
    for (now = 0; now <= 12_000; now += 1000) live({kind: 'progress', waitingFor: 'waiting', elapsedMs: now, limitMs: 60_000})
    expect(out.split('\n').filter(Boolean)).toEqual(['  … waiting: 0 s of 60 s', '  … waiting: 5 s of 60 s', '  … waiting: 10 s of 60 s'])
  })
})
