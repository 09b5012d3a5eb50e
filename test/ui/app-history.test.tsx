import {render} from 'ink-testing-library'
import {describe, expect, it} from 'vitest'
import type {CellEntry} from '../../src/cells/registry.js'
import type {CellResult, Confirm} from '../../src/core/types.js'
import {App, type NotebookSession} from '../../src/ui/App.js'
import {CONFIRM_PROMPT} from '../../src/ui/Confirm.js'
import {waitForFrame} from '../helpers/ink.js'

const build: CellEntry = {id: 'build', title: 'Build engine', summary: 'Builds the dev engine.', load: async () => ({id: 'build', title: 'Build engine', summary: '', run: async () => {}})}

function result(status: CellResult['status'], title: string, extra: {declined?: string} = {}): CellResult {
  return {cell: 'build', title: 'Build engine', status, startedAt: new Date().toISOString(), durationMs: 5, facts: [], findings: [{id: 'f', status, title}], commands: [], ...extra}
}

/** A session whose second build asks to replace the running engine; the cells lane's Session does the same with recorder.declined. */
function fakeSession(): NotebookSession & {runs: CellResult[]} {
  const runs: CellResult[] = []
  return {
    runs,
    log: {path: '/tmp/notes.md'},
    cwd: '/tmp',
    componentsView: () => undefined,
    async run(_entry: CellEntry, extra: {confirm?: Confirm} = {}) {
      let r: CellResult
      if (runs.length === 0) r = result('fail', 'registry EOF while pulling golang:1.22')
      else {
        const yes = (await extra.confirm?.({action: 'Replace the running dev engine', why: 'A build replaces dagger-engine.dev.', commands: ['docker rm -f dagger-engine.dev']})) ?? false
        r = yes ? result('pass', 'Built') : result('warn', 'Not built: the build would replace the running dev engine', {declined: 'replace the running dev engine'})
      }
      runs.push(r)
      return r
    },
    async note() {},
    async recordRecipe() {},
  }
}

describe('run history on screen', () => {
  it('a declined re-run is a new entry: the failed build stays on screen, in the rail and in the summary', async () => {
    const session = fakeSession()
    const ui = render(<App session={session} cells={[build]} onQuit={() => {}} />)
    await waitForFrame(ui.lastFrame, (f) => f.includes('Build engine'))
    await new Promise((r) => setTimeout(r, 250))
    ui.stdin.write('\r')
    await waitForFrame(ui.lastFrame, (f) => f.includes('registry EOF'))
    ui.stdin.write('r')
    await waitForFrame(ui.lastFrame, (f) => f.includes(CONFIRM_PROMPT))
    ui.stdin.write('n')
    const after = await waitForFrame(ui.lastFrame, (f) => f.includes('Declined at'))
    expect(after).toContain('registry EOF while pulling golang:1.22')
    expect(after).not.toContain('Not built')
    expect(after).toMatch(/Build engine\s+FAIL/)
    expect(after).toContain('Run 1 of 2 (the latest result; ] later)')
    // The declined run itself is one key away, and h comes back.
    ui.stdin.write(']')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Not built') && f.includes('Declined: replace the running dev engine') && f.includes('Run 2 of 2'))
    ui.stdin.write('[')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Run 1 of 2') && !f.includes('Not built'))
    ui.stdin.write('s')
    const summary = await waitForFrame(ui.lastFrame, (f) => f.includes('Where you are'))
    expect(summary).toMatch(/FAIL Build engine/)
    expect(summary).toContain('declined: replace the running dev engine')
    expect(summary).toMatch(/Passed: none/)
    ui.unmount()
  })

  it('shows the progress of a long wait as one line: what it waits for, elapsed of the limit', async () => {
    let finish: () => void = () => {}
    const session: NotebookSession = {
      log: {path: '/tmp/notes.md'},
    cwd: '/tmp',
    componentsView: () => undefined,
      async run(_entry, extra = {}) {
        // The progress kind: waiting for what, elapsed of the limit.
        extra.live?.({kind: 'progress', waitingFor: 'Waiting for the engine to answer', elapsedMs: 5200, limitMs: 60_000} as never)
        await new Promise<void>((resolve) => (finish = resolve))
        return result('pass', 'Built')
      },
      async note() {},
      async recordRecipe() {},
    }
    const ui = render(<App session={session} cells={[build]} onQuit={() => {}} />)
    await waitForFrame(ui.lastFrame, (f) => f.includes('Build engine'))
    await new Promise((r) => setTimeout(r, 250))
    ui.stdin.write('\r')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Waiting for the engine to answer: 5 s of 60 s'))
    finish()
    const done = await waitForFrame(ui.lastFrame, (f) => f.includes('Built'))
    expect(done).not.toContain('Waiting for the engine')
    ui.unmount()
  })
})
