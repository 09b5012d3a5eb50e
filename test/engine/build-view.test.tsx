import {render} from 'ink-testing-library'
import {afterEach, describe, expect, it} from 'vitest'
import {cleanup} from 'ink-testing-library'
import {BuildOutput} from '../../src/core/engine/build-output.js'
import {BuildViewModel} from '../../src/core/engine/build-view-model.js'
import {BuildView} from '../../src/ui/build/BuildView.js'
import {settle, waitForFrame} from '../helpers/ink.js'

afterEach(() => cleanup())

function lines(from: number, to: number): string[] {
  return Array.from({length: to - from}, (_, i) => `${from + i}: step ${from + i} DONE`)
}

describe('BuildView', () => {
  it('shows the summary over the latest output, scrolls, searches and follows again', async () => {
    const output = new BuildOutput(500)
    const view = new BuildViewModel(output)
    let registry = 0
    const app = render(<BuildView view={view} height={5} width={130} refreshMs={20} onOpenRegistry={() => registry++} />)
    output.pushLines(lines(1, 300))
    let frame = await waitForFrame(app.lastFrame, (f) => f.includes('299: step 299 DONE'))
    expect(frame).toMatch(/building: 299 done · 0 cached · 0 running · 0 failed · [\d.]+s · 299 lines/)
    expect(frame).toContain('following')

    app.stdin.write('k')
    frame = await waitForFrame(app.lastFrame, (f) => f.includes('paused'))
    expect(frame).toContain('298: step 298 DONE')
    expect(frame).not.toContain('299: step 299 DONE')

    output.pushLines(['21: resolve image config for docker.io/library/golang:1.21.3-alpine3.18 ERROR: failed to do request: EOF', ...lines(301, 400)])
    output.finish('failed')
    app.stdin.write('/')
    await settle()
    for (const ch of 'golang') app.stdin.write(ch)
    await waitForFrame(app.lastFrame, (f) => f.includes('/golang'))
    app.stdin.write('\r')
    frame = await waitForFrame(app.lastFrame, (f) => f.includes('(1/1 "golang")'))
    expect(frame).toContain('resolve image config for docker.io/library/')
    // Step 21 had finished before; its failure sticks, so 397 of the 398 numbered steps count as done.
    expect(frame).toMatch(/build failed: 397 done · 0 cached · 0 running · 1 failed/)
    expect(frame).toMatch(/lines [\d,]+–[\d,]+ of 399/)
    expect(frame).toContain('r Registry cell')

    app.stdin.write('r')
    await settle()
    expect(registry).toBe(1)

    app.stdin.write('G')
    frame = await waitForFrame(app.lastFrame, (f) => f.includes('399: step 399 DONE') && f.includes('following'))
    expect(frame).toContain('lines 395–399 of 399')
  })

  it('keeps memory bounded: only the ring is held and the position says so', async () => {
    const output = new BuildOutput(100)
    const view = new BuildViewModel(output)
    const app = render(<BuildView view={view} height={3} width={90} refreshMs={20} />)
    for (let i = 0; i < 50; i++) output.pushLines(lines(i * 1000 + 1, i * 1000 + 1001))
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('50,000'))
    expect(frame).toContain('last 100 kept')
    expect(output.ring.length).toBe(100)
  })
})
