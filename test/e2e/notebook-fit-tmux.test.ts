import {realpathSync} from 'node:fs'
import {mkdtemp, readdir, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {execa} from 'execa'
import {afterEach, describe, expect, it} from 'vitest'
import {fakeCheckout} from '../helpers/checkout.js'
import {BIN} from '../helpers/cli.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {Tmux} from '../helpers/tmux.js'

// The project's own Node (24), not whichever node runs the test worker.
const NODE = realpathSync(path.resolve('node_modules/.bin/node'))

let tmux: Tmux | undefined
afterEach(async () => {
  await tmux?.kill()
  tmux = undefined
})

async function historySize(t: Tmux): Promise<number> {
  const r = await execa('tmux', ['-L', t.socket, 'display-message', '-p', '-t', t.session, '#{history_size}'], {timeout: 5000})
  return Number(r.stdout.trim())
}

async function alternateOn(t: Tmux): Promise<boolean> {
  const r = await execa('tmux', ['-L', t.socket, 'display-message', '-p', '-t', t.session, '#{alternate_on}'], {timeout: 5000})
  return r.stdout.trim() === '1'
}

async function resize(t: Tmux, cols: number, rows: number): Promise<void> {
  await execa('tmux', ['-L', t.socket, 'resize-window', '-t', t.session, '-x', String(cols), '-y', String(rows)], {timeout: 5000})
}

/** The screen is exactly the frame: header on the first row, the footer's keys on the last, nothing scrolled off. */
async function expectFits(t: Tmux, screen: string, rows: number, cols: number, afterResize = false): Promise<void> {
  const lines = screen.split('\n')
  expect(lines[0]).toMatch(/^dagger-explore/)
  expect(lines.length).toBe(rows)
  expect(lines.at(-1)).toMatch(/q quit|close|Esc|no/)
  expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(cols)
  // A shrinking primary screen makes tmux itself push the rows above the cursor into its history;
  // only the alternate screen (run-interactive, the uiviews lane) keeps that at 0 after a resize.
  if (!afterResize || (await alternateOn(t))) expect(await historySize(t)).toBe(0)
}

describe.skipIf(skipWithoutDocker())('the notebook fits the terminal', () => {
  for (const [cols, rows] of [
    [80, 24],
    [60, 20],
  ] as const) {
    it(`at ${cols}x${rows}: intro, a run, the guided banner, the summary and help all fit`, async () => {
      const notesDir = await mkdtemp(path.join(tmpdir(), 'de-fit-'))
      tmux = await Tmux.start([NODE, BIN, '--notes-dir', notesDir, '--dagger-src', await fakeCheckout(notesDir)], {cols, rows, env: {CI: '', TERM: 'xterm-256color'}})
      await expectFits(tmux, await tmux.waitFor((s) => s.includes('Welcome to dagger-explore.')), rows, cols)
      await tmux.keys('Enter')
      const ran = await tmux.waitFor((s) => /ran at/.test(s) && /Enter continue/.test(s), 30_000)
      await expectFits(tmux, ran, rows, cols)
      // The footer names what Enter does here: it continues, it does not re-run.
      expect(ran.split('\n').at(-1)).not.toContain('Enter run')
      await tmux.keys('s')
      await expectFits(tmux, await tmux.waitFor((s) => s.includes('Where you are')), rows, cols)
      await tmux.keys('Escape')
      await tmux.waitFor((s) => !s.includes('Where you are'))
      await tmux.keys('?')
      await expectFits(tmux, await tmux.waitFor((s) => s.includes('In the notebook')), rows, cols)
      await tmux.keys('Escape')
      await tmux.waitFor((s) => /ran at/.test(s))
      await tmux.keys('q')
      expect(await tmux.exitStatus()).toBeDefined()
    }, 60_000)
  }

  it('re-renders cleanly on resize and says when the terminal is too small', async () => {
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-fit-'))
    tmux = await Tmux.start([NODE, BIN, '--notes-dir', notesDir, '--dagger-src', await fakeCheckout(notesDir)], {cols: 80, rows: 24, env: {CI: '', TERM: 'xterm-256color'}})
    await tmux.waitFor((s) => s.includes('Welcome to dagger-explore.'))
    await tmux.keys('Escape')
    await tmux.waitFor((s) => s.includes('Not run yet'))
    await resize(tmux, 60, 20)
    await expectFits(tmux, await tmux.waitFor((s) => s.startsWith('dagger-explore') && s.split('\n').length === 20 && /q quit/.test(s.split('\n').at(-1) ?? '')), 20, 60, true)
    await resize(tmux, 50, 15)
    const small = await tmux.waitFor((s) => s.toLowerCase().includes('terminal too small'))
    expect(small).toContain('50x15')
    await resize(tmux, 100, 30)
    await expectFits(tmux, await tmux.waitFor((s) => s.startsWith('dagger-explore') && s.split('\n').length === 30 && s.includes('Not run yet')), 30, 100, true)
    await tmux.keys('q')
  }, 60_000)

  it('Ctrl-C while writing a note keeps the draft in the log', async () => {
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-fit-'))
    tmux = await Tmux.start([NODE, BIN, '--notes-dir', notesDir, '--dagger-src', await fakeCheckout(notesDir)], {cols: 80, rows: 24, env: {CI: '', TERM: 'xterm-256color'}})
    await tmux.waitFor((s) => s.includes('Welcome to dagger-explore.'))
    await tmux.keys('Escape')
    await tmux.waitFor((s) => s.includes('Not run yet'))
    await tmux.keys('e')
    await tmux.waitFor((s) => s.includes('Note for Environment'))
    await tmux.text('half a thought')
    await tmux.keys('Left', 'Left', 'Left', 'Left', 'Left', 'Left', 'Left')
    await tmux.text('good ')
    await tmux.waitFor((s) => s.includes('half a good'))
    await tmux.keys('C-c')
    expect(await tmux.exitStatus()).toBe(130)
    const [file] = (await readdir(notesDir)).filter((f) => f.endsWith('-session.md'))
    expect(await readFile(path.join(notesDir, file!), 'utf8')).toContain('(draft, not saved by the user) half a good thought')
  }, 30_000)

  it('SIGTERM while writing a note keeps the draft in the log too', async () => {
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-fit-'))
    tmux = await Tmux.start([NODE, BIN, '--notes-dir', notesDir, '--dagger-src', await fakeCheckout(notesDir)], {cols: 80, rows: 24, env: {CI: '', TERM: 'xterm-256color'}})
    await tmux.waitFor((s) => s.includes('Welcome to dagger-explore.'))
    await tmux.keys('Escape')
    await tmux.waitFor((s) => s.includes('Not run yet'))
    await tmux.keys('e')
    await tmux.text('closed terminal')
    await tmux.waitFor((s) => s.includes('closed terminal'))
    // The pane runs `sh -c`, whose child is the app: signal exactly that process.
    const shell = (await execa('tmux', ['-L', tmux.socket, 'display-message', '-p', '-t', tmux.session, '#{pane_pid}'])).stdout.trim()
    const app = (await readFile(`/proc/${shell}/task/${shell}/children`, 'utf8')).trim().split(' ')[0]!
    process.kill(Number(app), 'SIGTERM')
    expect(await tmux.exitStatus()).toBe(130)
    const [file] = (await readdir(notesDir)).filter((f) => f.endsWith('-session.md'))
    expect(await readFile(path.join(notesDir, file!), 'utf8')).toContain('(draft, not saved by the user) closed terminal')
  }, 30_000)
})
