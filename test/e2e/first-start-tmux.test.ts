import {mkdir, mkdtemp, readdir, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {FAKE_COMMIT, fakeCheckout} from '../helpers/checkout.js'
import {BIN} from '../helpers/cli.js'
import {frameProblems, NODE, Tmux} from '../helpers/tmux.js'

const CLONE = 'git clone https://github.com/dagger/dagger'
const PROMPT = {header: /^dagger-explore/, footer: /^Tab complete {2}Enter use path {2}Esc skip {2}Ctrl-C quit$/}
const NOTEBOOK = {header: /^dagger-explore/, footer: /q quit$/}

let tmux: Tmux | undefined
afterEach(async () => {
  await tmux?.kill()
  tmux = undefined
})

/** A folder outside any checkout holding a checkout, a plain folder and the notes folder. */
async function outside(): Promise<{work: string; notesDir: string; root: string}> {
  const work = await mkdtemp(path.join(tmpdir(), 'de-first-e2e-'))
  const root = await fakeCheckout(work, 'dagger-checkout')
  await mkdir(path.join(work, 'plain-folder'))
  const notesDir = path.join(work, 'notes')
  await mkdir(notesDir)
  return {work, notesDir, root}
}

/** The notebook started in such a folder, with no --dagger-src. */
async function startOutside(cols: number, rows: number, flags: readonly string[] = []): Promise<{work: string; notesDir: string; root: string}> {
  const where = await outside()
  tmux = await Tmux.start([NODE, BIN, ...flags, '--notes-dir', where.notesDir], {cols, rows, cwd: where.work, env: {CI: '', TERM: 'xterm-256color'}})
  return where
}

/** The screen as one line: a sentence wrapped at 60 columns still reads as written. */
const flat = (screen: string) => screen.replace(/\s+/g, ' ')

async function sessionLog(notesDir: string): Promise<string> {
  const [file] = (await readdir(notesDir)).filter((f) => f.endsWith('-session.md'))
  return readFile(path.join(notesDir, file!), 'utf8')
}

describe('first start outside a dagger checkout, in a real terminal', () => {
  for (const [cols, rows] of [
    [60, 20],
    [80, 24],
  ] as const) {
    it(`at ${cols}x${rows}: asks for the checkout, completes, refuses what is not one, offers the clone, then runs on the one chosen`, async () => {
      const {work, notesDir, root} = await startOutside(cols, rows)
      const t = tmux!
      const asked = await t.waitFor((s) => s.includes('No dagger checkout found'))
      expect(asked).toContain(`in ${work.slice(0, 20)}`)
      // The clone command on a line of its own, whole: it is to be copied, not run.
      expect(asked.split('\n')).toContain(`  ${CLONE}`)
      expect(await frameProblems(t, {cols, rows, ...PROMPT})).toEqual([])

      await t.text('dagger-c')
      await t.keys('Tab')
      await t.waitFor((s) => s.includes('Path to the checkout: dagger-checkout/█'))

      await t.keys('C-u')
      await t.text('plain-folder')
      await t.keys('Enter')
      const refused = await t.waitFor((s) => flat(s).includes('is not in a dagger checkout'))
      expect(refused).toContain('Path to the checkout: plain-folder█')
      expect(flat(refused)).toContain(`${path.join(work, 'plain-folder')} is not in a dagger checkout: no go.mod declaring github.com/dagger/dagger there or above.`)
      expect(await frameProblems(t, {cols, rows, ...PROMPT})).toEqual([])

      await t.keys('C-u')
      await t.text('nowhere')
      await t.keys('Enter')
      await t.waitFor((s) => flat(s).includes(`${path.join(work, 'nowhere')} is not a folder`) && s.includes('Path to the checkout: nowhere█'))

      await t.keys('C-u')
      await t.text('dagger-checkout/')
      await t.keys('Enter')
      const notebook = await t.waitFor((s) => s.includes('Welcome to dagger-explore.'))
      expect(notebook).toContain(`Using the dagger checkout at ${root}`.slice(0, cols - 1))
      expect(await frameProblems(t, {cols, rows, ...NOTEBOOK})).toEqual([])
      await t.keys('q')
      expect(await t.exitStatus()).toBe(0)
      expect(await sessionLog(notesDir)).toContain(`| Checkout | ${root} (main at ${FAKE_COMMIT.slice(0, 12)}) |`)
    }, 60_000)

    it(`at ${cols}x${rows}: Esc goes on to the notebook without a checkout`, async () => {
      const {notesDir} = await startOutside(cols, rows)
      const t = tmux!
      await t.waitFor((s) => s.includes('No dagger checkout found'))
      await t.keys('Escape')
      await t.waitFor((s) => s.includes('Welcome to dagger-explore.') && s.includes('No checkout: the engine cells will say what they need.'))
      expect(await frameProblems(t, {cols, rows, ...NOTEBOOK})).toEqual([])
      await t.keys('q')
      expect(await t.exitStatus()).toBe(0)
      expect(await sessionLog(notesDir)).not.toContain('| Checkout |')
    }, 60_000)
  }

  it('Ctrl-C on the question quits at once (exit 130) and finishes the log', async () => {
    const {notesDir} = await startOutside(80, 24)
    await tmux!.waitFor((s) => s.includes('No dagger checkout found'))
    await tmux!.text('half a pa')
    await tmux!.keys('C-c')
    expect(await tmux!.exitStatus()).toBe(130)
    expect(await sessionLog(notesDir)).toMatch(/Session interrupted \(Ctrl-C\)/)
  }, 30_000)

  it('never asks with --plain: the cells that need a checkout say it is missing', async () => {
    const {notesDir} = await startOutside(100, 40, ['--plain'])
    expect(await tmux!.exitStatus(60_000)).toBeDefined()
    expect(await tmux!.screen()).not.toContain('Path to the checkout')
    expect(await sessionLog(notesDir)).toContain('No dagger checkout found')
  }, 90_000)
})
