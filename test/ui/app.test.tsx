import {mkdtemp, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {render} from 'ink-testing-library'
import {describe, expect, it} from 'vitest'
import {Session} from '../../src/cells/session.js'
import {CELLS} from '../../src/cells/registry.js'
import {App} from '../../src/ui/App.js'
import {CONFIRM_PROMPT} from '../../src/ui/Confirm.js'
import {hintLine, KEYMAP} from '../../src/ui/keymap.js'
import {settle, waitForFrame} from '../helpers/ink.js'
import {defaultSettings} from '../../src/cells/context.js'

const DOWN = '\u001B[B'
const UP = '\u001B[A'

async function setup() {
  const notesDir = await mkdtemp(path.join(tmpdir(), 'de-ui-'))
  const session = await Session.start({env: {...process.env, DOCKER_HOST: 'unix:///tmp/dagger-explore-no-such.sock'}, settings: defaultSettings({notesDir, cwd: process.cwd()})})
  const quits: string[] = []
  const ui = render(<App session={session} cells={CELLS} onQuit={(how) => quits.push(how)} />)
  await waitForFrame(ui.lastFrame, (f) => f.includes('Environment'))
  // Ink arms its input handlers in a passive effect after the first frame.
  await new Promise((r) => setTimeout(r, 250))
  return {ui, session, quits}
}

describe('the notebook frame', () => {
  it('lists every step in the rail and marks unbuilt ones as not available', async () => {
    const {ui} = await setup()
    const frame = ui.lastFrame()!
    for (const cell of CELLS) expect(frame).toContain(cell.title)
    expect(frame).toContain(hintLine('browse'))
    ui.unmount()
  })

  it('moves between cells with j/k and the arrows', async () => {
    const {ui} = await setup()
    ui.stdin.write('j')
    const frame = await waitForFrame(ui.lastFrame, (f) => /Not available yet: the Docker daemon cell/.test(f) || /daemon config in force/.test(f))
    expect(frame).toMatch(/>\S? ?\S? ?Docker daemon/)
    ui.stdin.write(DOWN)
    await waitForFrame(ui.lastFrame, (f) => /layered probe/.test(f))
    ui.stdin.write(UP)
    await waitForFrame(ui.lastFrame, (f) => /daemon config in force/.test(f))
    ui.stdin.write('k')
    await waitForFrame(ui.lastFrame, (f) => /OS, kernel, architecture/.test(f) && />. Environment/.test(f))
    ui.unmount()
  })

  it('runs a cell with Enter and shows its findings', async () => {
    const {ui, session} = await setup()
    ui.stdin.write('\r')
    const frame = await waitForFrame(ui.lastFrame, (f) => f.includes('No Docker socket at /tmp/dagger-explore-no-such.sock'))
    expect(frame).toMatch(/FAIL/)
    expect(frame).toMatch(/Fix:/)
    const log = await readFile(session.log.path, 'utf8')
    expect(log).toContain('## Environment')
    ui.unmount()
  })

  it('takes a multi-line note and saves it to the log', async () => {
    const {ui, session} = await setup()
    ui.stdin.write('e')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Note for Environment'))
    for (const ch of 'socket lives elsewhere') ui.stdin.write(ch)
    ui.stdin.write('\r')
    for (const ch of 'see DOCKER_HOST') ui.stdin.write(ch)
    await waitForFrame(ui.lastFrame, (f) => f.includes('see DOCKER_HOST'))
    ui.stdin.write('\u0004')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Note saved.'))
    await settle()
    const frame = ui.lastFrame()!
    expect(frame).toContain('> socket lives elsewhere')
    expect(frame).toContain('> see DOCKER_HOST')
    // The note is written in the background; wait (bounded) for it to reach the disk.
    const started = Date.now()
    let log = ''
    while (!log.includes('> see DOCKER_HOST') && Date.now() - started < 5000) {
      log = await readFile(session.log.path, 'utf8')
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(log).toContain('> socket lives elsewhere\n> see DOCKER_HOST')
    ui.unmount()
  })

  it('shows key help from the same keymap and closes it', async () => {
    const {ui} = await setup()
    ui.stdin.write('?')
    let frame = await waitForFrame(ui.lastFrame, (f) => f.includes('Keys'))
    // The help is longer than the screen: page through it and collect what it showed.
    let seen = frame
    for (let page = 0; page < 10 && !frame.includes('Ctrl-C'); page++) {
      ui.stdin.write(' ')
      await settle()
      frame = ui.lastFrame()!
      seen += frame
    }
    const shown = seen.replace(/\s+/g, ' ')
    for (const b of KEYMAP.filter((x) => x.mode !== 'help')) expect(shown).toContain(b.description)
    ui.stdin.write('?')
    await waitForFrame(ui.lastFrame, (f) => !f.includes('Keys') && f.includes('Environment'))
    ui.unmount()
  })

  it('quits with q (finished) and with Ctrl-C (interrupted)', async () => {
    const a = await setup()
    a.ui.stdin.write('q')
    await settle()
    expect(a.quits).toEqual(['finished'])
    const b = await setup()
    b.ui.stdin.write('\u0003')
    await settle()
    expect(b.quits).toEqual(['interrupted'])
  })

  it('never draws more rows than the terminal has', async () => {
    const {ui} = await setup()
    ui.stdin.write('\r')
    await waitForFrame(ui.lastFrame, (f) => f.includes('FAIL'))
    // ink-testing-library's stdout has no rows; the App assumes 24 and fills exactly those.
    expect(ui.lastFrame()!.split('\n').length).toBeLessThanOrEqual(24)
    expect(ui.lastFrame()!.split('\n').length).toBe(24)
    ui.unmount()
  })
})

describe('approval of destructive steps', () => {
  it('shows exactly what will run and passes the answer back to the cell', async () => {
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-ui-'))
    const session = await Session.start({env: process.env, settings: defaultSettings({notesDir, cwd: process.cwd()})})
    const asked: boolean[] = []
    const cell = {
      id: 'launch' as const,
      title: 'Launch engine',
      summary: 'test cell that asks before removing a container',
      load: async () => ({
        id: 'launch' as const,
        title: 'Launch engine',
        summary: '',
        async run(ctx: import('../../src/cells/cell.js').CellContext) {
          const yes = (await ctx.confirm?.({action: 'Remove dagger-engine-7b45c2238c1141a1', why: 'It is an old bootstrap engine.', commands: ['docker rm -fv dagger-engine-7b45c2238c1141a1']})) ?? false
          asked.push(yes)
          ctx.recorder.finding({id: 'answered', status: 'pass', title: yes ? 'approved' : 'declined'})
        },
      }),
    }
    const ui = render(<App session={session} cells={[cell]} onQuit={() => {}} />)
    await waitForFrame(ui.lastFrame, (f) => f.includes('Launch engine'))
    await new Promise((r) => setTimeout(r, 250))
    ui.stdin.write('\r')
    const prompt = await waitForFrame(ui.lastFrame, (f) => f.includes(CONFIRM_PROMPT))
    expect(prompt).toContain('$ docker rm -fv dagger-engine-7b45c2238c1141a1')
    expect(prompt).toContain('It is an old bootstrap engine.')
    expect(prompt).toContain('y yes')
    ui.stdin.write('x') // any other key does nothing
    ui.stdin.write('n')
    await waitForFrame(ui.lastFrame, (f) => f.includes('declined'))
    ui.stdin.write('r')
    await waitForFrame(ui.lastFrame, (f) => f.includes(CONFIRM_PROMPT))
    ui.stdin.write('y')
    await waitForFrame(ui.lastFrame, (f) => f.includes('approved'))
    expect(asked).toEqual([false, true])
    ui.unmount()
  })
})

describe('typing that arrives in one chunk', () => {
  it('acts on each key of "j\\r" and of "text\\u0004"', async () => {
    const {ui, session} = await setup()
    ui.stdin.write('e')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Note for Environment'))
    ui.stdin.write('fast typist\u0004')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Note saved.'))
    ui.stdin.write('j\r')
    await waitForFrame(ui.lastFrame, (f) => />. Docker daemon/.test(f) && /ran at/.test(f), 15_000)
    await new Promise((r) => setTimeout(r, 100))
    expect(await readFile(session.log.path, 'utf8')).toContain('> fast typist')
    ui.unmount()
  })
})

describe('the guided run', () => {
  it('goes intro -> each cell -> summary, says what blocks the next step, and counts what was fixed', async () => {
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-ui-'))
    const session = await Session.start({env: process.env, settings: defaultSettings({notesDir, cwd: process.cwd()})})
    let attempts = 0
    const fake = (id: 'environment' | 'daemon', title: string, run: (ctx: import('../../src/cells/cell.js').CellContext) => void) => ({
      id,
      title,
      summary: `${title} summary`,
      load: async () => ({id, title, summary: '', run: async (ctx: import('../../src/cells/cell.js').CellContext) => run(ctx)}),
    })
    const cells = [
      fake('environment', 'Environment', (ctx) => {
        attempts++
        ctx.recorder.finding(
          attempts === 1
            ? {id: 'no-docker', status: 'fail', title: 'No Docker socket', detail: 'nothing there', fix: 'start docker', recipe: 'dev-shell'}
            : {id: 'docker-ok', status: 'pass', title: 'Docker answers'},
        )
      }),
      fake('daemon', 'Docker daemon', (ctx) => ctx.recorder.finding({id: 'cfg', status: 'warn', title: 'max-concurrent-downloads is 10', detail: 'd', fix: 'f'})),
    ]
    const ui = render(<App session={session} cells={cells} onQuit={() => {}} guided />)
    await waitForFrame(ui.lastFrame, (f) => f.includes('Welcome to dagger-explore.'))
    await new Promise((r) => setTimeout(r, 250))
    ui.stdin.write('\r')
    const blocked = await waitForFrame(ui.lastFrame, (f) => f.includes('blocks Docker daemon'))
    // The pane starts after the 22-column rail and its 2-column margin; join its wrapped rows.
    const pane = blocked.split('\n').map((l) => l.slice(24)).join(' ').replace(/\s+/g, ' ')
    // The banner is one headline; the fix is in the cell pane below it, once.
    expect(pane).toMatch(/Environment found a problem that blocks Docker daemon: No Docker socket\./)
    expect(pane).toMatch(/Fix: start docker/)
    expect(pane.match(/start docker/g)).toHaveLength(1)
    expect(pane).toContain('R opens the recipe dev-shell')
    ui.stdin.write('r')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Enter continues to Docker daemon, Esc stops guiding'))
    ui.stdin.write('\r')
    await waitForFrame(ui.lastFrame, (f) => f.includes('That was the last step'))
    ui.stdin.write('\r')
    const summary = await waitForFrame(ui.lastFrame, (f) => f.includes('Where you are'))
    expect(summary).toMatch(/Fixed along the way: Environment/)
    // A WARN cell is never listed as passed.
    expect(summary).toMatch(/Passed: none/)
    expect(summary).toMatch(/With warnings: Docker daemon/)
    expect(summary).toMatch(/WARN Docker daemon/)
    expect(summary).toMatch(/max-concurrent-downloads is 10/)
    expect(summary).toContain(session.log.path.slice(0, 20))
    ui.stdin.write('x') // keys that mean nothing here do nothing
    await settle()
    expect(ui.lastFrame()).toContain('Where you are')
    ui.stdin.write('\u001B')
    await waitForFrame(ui.lastFrame, (f) => !f.includes('Where you are'))
    ui.unmount()
  })

  it('Esc on the intro leaves the user to explore freely', async () => {
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-ui-'))
    const session = await Session.start({env: process.env, settings: defaultSettings({notesDir, cwd: process.cwd()})})
    const ui = render(<App session={session} cells={CELLS} onQuit={() => {}} guided />)
    await waitForFrame(ui.lastFrame, (f) => f.includes('Welcome to dagger-explore.'))
    await new Promise((r) => setTimeout(r, 250))
    ui.stdin.write('\u001B')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Not run yet. Press Enter to run it.'), 5000)
    ui.unmount()
  })
})

describe('live views', () => {
  it('shows a running build live, lets the user step out and back with o, and returns to the findings when it ends', async () => {
    const {BuildOutput} = await import('../../src/core/engine/build-output.js')
    const {BuildViewModel} = await import('../../src/core/engine/build-view-model.js')
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-ui-'))
    const session = await Session.start({env: process.env, settings: defaultSettings({notesDir, cwd: process.cwd()})})
    const output = new BuildOutput(1000)
    let finish: () => void = () => {}
    const cell = {
      id: 'build' as const,
      title: 'Build engine',
      summary: 'fake build',
      load: async () => ({
        id: 'build' as const,
        title: 'Build engine',
        summary: '',
        async run(ctx: import('../../src/cells/cell.js').CellContext) {
          ctx.live?.({kind: 'build', view: new BuildViewModel(output)})
          output.pushLines(Array.from({length: 50}, (_, i) => `${i + 1}: step ${i + 1} DONE`))
          await new Promise<void>((resolve) => (finish = resolve))
          output.finish('passed')
          ctx.recorder.finding({id: 'build-passed', status: 'pass', title: 'Built in 1s'})
        },
      }),
    }
    let quitCalls = 0
    const ui = render(<App session={session} cells={[cell]} onQuit={() => quitCalls++} />)
    await waitForFrame(ui.lastFrame, (f) => f.includes('Build engine'))
    await new Promise((r) => setTimeout(r, 250))
    ui.stdin.write('\r')
    await waitForFrame(ui.lastFrame, (f) => f.includes('50: step 50 DONE'))
    await new Promise((r) => setTimeout(r, 250)) // the view arms its keys after its first frame
    ui.stdin.write('k')
    await waitForFrame(ui.lastFrame, (f) => f.includes('paused'))
    ui.stdin.write('q') // the build view's own close key; it must not quit the notebook too
    await waitForFrame(ui.lastFrame, (f) => f.includes('Running…'))
    expect(quitCalls).toBe(0)
    await new Promise((r) => setTimeout(r, 50))
    ui.stdin.write('o')
    // Back in the same view, where the user left it (scrolled up, paused).
    await waitForFrame(ui.lastFrame, (f) => f.includes('paused (G to follow)'))
    expect(quitCalls).toBe(0)
    finish()
    await waitForFrame(ui.lastFrame, (f) => f.includes('Built in 1s'))
    ui.unmount()
  })
})
