import {describe, expect, it} from 'vitest'
import {tracked, writesSettled} from '../../src/core/system/in-flight-writes.js'

const later = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

describe('in-flight writes (what a stop signal waits for)', () => {
  it('waits for a save of several writes in a row, the next starting as the previous lands', async () => {
    const landed: string[] = []
    const save = (async () => {
      await tracked(async () => (await later(30), landed.push('log')))
      await tracked(async () => (await later(30), landed.push('state')))
    })()
    await later(5)
    await writesSettled(2000)
    expect(landed).toEqual(['log', 'state'])
    await save
  })

  it('gives up at its limit on a write that never lands', async () => {
    void tracked(() => new Promise<void>(() => undefined))
    const started = Date.now()
    await writesSettled(100)
    expect(Date.now() - started).toBeGreaterThanOrEqual(95)
    expect(Date.now() - started).toBeLessThan(1000)
  })
})
