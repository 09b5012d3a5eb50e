import {defaultSettings} from '../../src/cells/context.js'
import {mkdir, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {render} from 'ink-testing-library'
import {describe, expect, it} from 'vitest'
import {Session} from '../../src/cells/session.js'
import {CELLS} from '../../src/cells/registry.js'
import {App} from '../../src/ui/App.js'
import {CLONE_COMMAND} from '../../src/ui/first-start/FirstStart.js'
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
