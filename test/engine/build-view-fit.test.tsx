import {cleanup, render} from 'ink-testing-library'
import {afterEach, describe, expect, it} from 'vitest'
import {BuildOutput} from '../../src/core/engine/build-output.js'
import {BuildViewModel} from '../../src/core/engine/build-view-model.js'
import {BuildView} from '../../src/ui/build/BuildView.js'
import {settle, waitForFrame} from '../helpers/ink.js'

afterEach(() => cleanup())

const KEY_LINE = '#21 ERROR: failed to solve: docker.io/library/golang:1.21.3-alpine3.18: failed to resolve source metadata: failed to do request: Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21.3-alpine3.18": EOF'

describe('BuildView in a narrow pane', () => {
  it('marks a cut key error line and scrolls sideways to show the rest', async () => {
    const output = new BuildOutput(100)
    const view = new BuildViewModel(output)
    const app = render(<BuildView view={view} height={4} width={60} refreshMs={20} />)
    output.pushLines(['#20 DONE 0.1s', KEY_LINE])
    output.finish('failed')
    let frame = await waitForFrame(app.lastFrame, (f) => f.includes('#21 ERROR'))
    const rows = frame.split('\n')
    expect(Math.max(...rows.map((r) => r.length))).toBeLessThanOrEqual(60)
    const cut = rows.find((r) => r.includes('#21 ERROR')) ?? ''
    expect(cut.trimEnd().endsWith('…→')).toBe(true)
    expect(frame).toContain('←→ h/l sideways')
    expect(frame).not.toContain('manifests/1.21.3-alpine3.18": EOF')
    for (let i = 0; i < 20; i++) {
      app.stdin.write('l')
      await settle()
    }
    frame = await waitForFrame(app.lastFrame, (f) => f.includes('alpine3.18": EOF'))
    expect(frame).toMatch(/ {0,7}\d+ ←…/)
    app.stdin.write('\u001B[D')
    frame = await waitForFrame(app.lastFrame, (f) => !f.includes('alpine3.18": EOF'))
    for (let i = 0; i < 30; i++) {
      app.stdin.write('h')
      await settle()
    }
    frame = await waitForFrame(app.lastFrame, (f) => f.includes('#21 ERROR'))
    expect(frame).not.toMatch(/\(col \d+\)/)
  })
})
