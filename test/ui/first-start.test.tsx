import {defaultSettings} from '../../src/cells/context.js'
import {mkdir, mkdtemp, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {render} from 'ink-testing-library'
import {describe, expect, it} from 'vitest'
import {Session} from '../../src/cells/session.js'
import {CELLS} from '../../src/cells/registry.js'
import {App} from '../../src/ui/App.js'
import {CLONE_COMMAND, firstStartRows} from '../../src/ui/first-start/FirstStart.js'
import {FAKE_COMMIT, fakeCheckout} from '../helpers/checkout.js'
import {completeDirectory} from '../../src/ui/first-start/complete.js'
import {waitForFrame} from '../helpers/ink.js'

async function folders() {
  const dir = await mkdtemp(path.join(tmpdir(), 'de-first-'))
  await mkdir(path.join(dir, 'dagger', 'cmd'), {recursive: true})
  await writeFile(path.join(dir, 'dagger', 'go.mod'), 'module github.com/dagger/dagger\n\ngo 1.22\n')
  await mkdir(path.join(dir, 'dagger-old'))
  await mkdir(path.join(dir, '.hidden'))
  await writeFile(path.join(dir, 'dagger-notes.txt'), 'a file, not a folder')
  return dir
}

describe('directory completion', () => {
  it('completes like a shell: shared prefix and a list, one match with a slash, no files or hidden folders', async () => {
    const dir = await folders()
    expect(completeDirectory('da', dir)).toEqual({input: 'dagger', candidates: ['dagger', 'dagger-old']})
    expect(completeDirectory('dagger-', dir)).toEqual({input: 'dagger-old/', candidates: []})
    expect(completeDirectory('dagger/c', dir)).toEqual({input: 'dagger/cmd/', candidates: []})
    expect(completeDirectory('', dir).candidates).toEqual(['dagger', 'dagger-old'])
    expect(completeDirectory('.h', dir)).toEqual({input: '.hidden/', candidates: []})
    expect(completeDirectory('nothing', dir)).toEqual({input: 'nothing', candidates: []})
    expect(completeDirectory(`${dir}/dagger-o`, '/')).toEqual({input: `${dir}/dagger-old/`, candidates: []})
  })
})

describe('first start with no checkout', () => {
  it('asks for the checkout, completes paths, refuses a folder that is not one, offers the clone command', async () => {
    const dir = await folders()
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-ui-'))
    const session = await Session.start({env: process.env, settings: defaultSettings({notesDir, cwd: process.cwd()})})
    const chosen: string[] = []
    const ui = render(<App session={session} cells={CELLS} onQuit={() => {}} guided askCheckout={{cwd: dir, onChosen: (root) => chosen.push(root)}} />)
    const asked = await waitForFrame(ui.lastFrame, (f) => f.includes('No dagger checkout found'))
    expect(asked).toContain(CLONE_COMMAND)
    // The footer names the keys of this screen and no other (no q: q is a letter of a path here).
    expect(asked.trimEnd().split('\n').at(-1)).toBe('Tab complete  Enter use path  Esc skip  Ctrl-C quit')
    await new Promise((r) => setTimeout(r, 250))
    ui.stdin.write('da')
    ui.stdin.write('\t')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Matches: dagger  dagger-old'))
    ui.stdin.write('-')
    ui.stdin.write('\t')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Path to the checkout: dagger-old/'))
    ui.stdin.write('\r')
    await waitForFrame(ui.lastFrame, (f) => f.includes('is not in a dagger checkout'))
    expect(chosen).toEqual([])
    for (let i = 0; i < 'dagger-old/'.length; i++) ui.stdin.write('\u007F')
    ui.stdin.write('dagger/cmd')
    ui.stdin.write('\r')
    // A folder inside the checkout is fine: its root is used. Then the guided run starts.
    await waitForFrame(ui.lastFrame, (f) => f.includes('Welcome to dagger-explore.'))
    expect(chosen).toEqual([path.join(dir, 'dagger')])
    expect(ui.lastFrame()).toContain(`Using the dagger checkout at ${path.join(dir, 'dagger').slice(0, 20)}`)
    ui.unmount()
  })

  it('Esc goes on without a checkout', async () => {
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-ui-'))
    const session = await Session.start({env: process.env, settings: defaultSettings({notesDir, cwd: process.cwd()})})
    const ui = render(<App session={session} cells={CELLS} onQuit={() => {}} askCheckout={{cwd: notesDir, onChosen: () => {}}} />)
    await waitForFrame(ui.lastFrame, (f) => f.includes('No dagger checkout found'))
    await new Promise((r) => setTimeout(r, 250))
    ui.stdin.write('\u001B')
    await waitForFrame(ui.lastFrame, (f) => f.includes('Not run yet') && f.includes('No checkout: the engine cells'))
    ui.unmount()
  })
})

describe('the first-start screen at its smallest', () => {
  it('keeps the question, the input and the clone command when the matches do not fit', () => {
    const candidates = Array.from({length: 200}, (_, i) => `folder-${i}`)
    const rows = firstStartRows({cwd: '/home/someone/projects', input: 'fol', candidates, problem: ''}, 60, 17)
    expect(rows.length).toBeLessThanOrEqual(17)
    expect(rows.every((r) => r.text.length <= 60)).toBe(true)
    const text = rows.map((r) => r.text)
    expect(text).toContain(`  ${CLONE_COMMAND}`)
    expect(text).toContain('Path to the checkout: fol█')
    expect(text.join('\n')).toMatch(/… \d+ more rows of matches/)
  })

  it('shows the end of a path wider than the screen, where the cursor is', () => {
    const input = `/very/long/${'x'.repeat(80)}/dagger-ends-here`
    const row = firstStartRows({cwd: '/', input, candidates: [], problem: ''}, 60, 17).find((r) => r.text.startsWith('Path to the checkout: '))
    expect(row?.text.length).toBe(60)
    expect(row?.text.endsWith('dagger-ends-here█')).toBe(true)
  })
})

describe('naming the checkout at first start', () => {
  it('the cells run on it and the log header names it with its commit', async () => {
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-ui-'))
    const session = await Session.start({env: process.env, settings: defaultSettings({notesDir, cwd: notesDir})})
    expect(await readFile(session.log.path, 'utf8')).not.toContain('| Checkout |')
    const root = await fakeCheckout()
    await session.useCheckout(root)
    expect(session.settings.daggerSrc).toBe(root)
    expect(await readFile(session.log.path, 'utf8')).toContain(`| Checkout | ${root} (main at ${FAKE_COMMIT.slice(0, 12)}) |`)
  })
})
