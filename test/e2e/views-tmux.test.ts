import {execFileSync} from 'node:child_process'
import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {fakeCheckout} from '../helpers/checkout.js'
import {BIN} from '../helpers/cli.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {frameProblems, NODE, screenRows, Tmux} from '../helpers/tmux.js'
import {v09Layers} from '../tree/era-fixtures.js'
import {docker, removeImages, removeTemp, tempDir, writeArchive} from '../tree/fixtures.js'

const IMAGE = `uiviews-e2e-${process.pid}/engine:v09`
const SIZES = [
  [60, 20],
  [80, 24],
  [100, 30],
  [200, 50],
] as const
/** The recipe view, the build log and the explorer get every row: their own header first, their own footer last. */
const APP_FREE_ROWS = 0

/** Times and the session file's name differ between two starts; everything else must be equal. */
function normalized(screen: string): string {
  return screen
    .replace(/\d{4}-\d\d-\d\dT\d{6}/g, 'T')
    .replace(/uiviews-e2e-\w{6}/g, 'uiviews-e2e-XXXXXX')
    .replace(/\d\d:\d\d:\d\d/g, 'hh:mm:ss')
    .replace(/\d+(\.\d+)? ?(ms|s)\b/g, 'N ms')
}

let dir = ''
const opened: Tmux[] = []
/** The explorer as drawn by a fresh start, by size: a resized one must look the same. */
const fresh = new Map<string, string>()

async function start(cols: number, rows: number, env: Record<string, string> = {}): Promise<Tmux> {
  const notes = await mkdtemp(path.join(tmpdir(), 'uiviews-e2e-'))
  // A raised max-concurrent-downloads: the Docker daemon cell's finding names the reset-daemon-config recipe.
  const config = path.join(notes, 'daemon.json')
  await writeFile(config, '{"max-concurrent-downloads": 10}\n')
  // A checkout, so the notebook opens at once instead of asking where one is.
  const src = await fakeCheckout(notes)
  const t = await Tmux.start([NODE, BIN, '--notes-dir', notes, '--dagger-src', src, '--image', IMAGE, '--daemon-config', config], {cols, rows, socketPrefix: 'uiviews', env: {CI: '', TERM: 'xterm-256color', ...env}})
  opened.push(t)
  await t.waitFor((s) => s.includes('Welcome to dagger-explore.'))
  return t
}

/** Leaves the guide, runs Components and opens its filetree (`o`). */
async function openExplorer(t: Tmux): Promise<void> {
  await t.keys('Escape')
  // A key right after Esc would arrive as Alt-key: wait until the guide has let go.
  await t.waitFor((s) => !s.includes('Welcome to dagger-explore.'))
  for (let i = 0; i < 5; i++) await t.keys('j')
  await t.waitFor((s) => /^>.{0,3}Components/m.test(s))
  await t.keys('Enter')
  await t.waitFor((s) => /Components\s+(PASS|WARN|FAIL)/.test(s), 40_000)
  await t.keys('o')
  await t.waitFor((s) => /^engine image layer \d+ of \d+/m.test(s), 30_000)
}

/** An SGR sequence that sets a foreground or background colour (30–37, 38;…, 40–47, 48;…, 90–97, 100–107). */
const COLOUR = /\u001B\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/
const RECIPE_HEADER = /Recipe \(step \d+\/\d+\): /
// The way out stays on the footer at every width; the later keys give way.
const EXPLORER = {header: /^engine image layer \d+ of \d+/, footer: /^\d+\/\d+ · ↑↓ move · .*q close$/}

describe.skipIf(skipWithoutDocker())('every view of the real binary fits the terminal (tmux)', () => {
  beforeAll(async () => {
    dir = await tempDir()
    await writeArchive(path.join(dir, 'engine.tar'), IMAGE, v09Layers(), 'classic')
    await docker(['load', '-i', path.join(dir, 'engine.tar')])
  }, 120_000)
  afterAll(async () => {
    for (const t of opened) await t.kill()
    await removeImages([IMAGE])
    if (dir) await removeTemp(dir)
  })

  // The notebook's own frame is App.tsx's (another lane): at 60 columns its header still wraps to two rows.
  const notebookFits = async (cols: number, rows: number) => {
    const t = await start(cols, rows)
    expect(await t.alternateOn()).toBe(true)
    expect(await frameProblems(t, {cols, rows, header: /^dagger-explore/, footer: /q quit/, freeRows: 1})).toEqual([])
    await t.keys('q')
  }
  it.each(SIZES)('at %ix%i: the notebook frame fits', notebookFits, 60_000)

  const viewsFit = async (cols: number, rows: number) => {
    const t = await start(cols, rows)
    expect(await t.alternateOn()).toBe(true)
    await openExplorer(t)
    expect(await frameProblems(t, {cols, rows, ...EXPLORER})).toEqual([])
    const explorer = screenRows(await t.screen(), rows)
    expect(explorer[0]).toMatch(/^engine image layer/)
    expect(explorer.filter((r) => r.startsWith('▶'))).toHaveLength(1)
    fresh.set(`${cols}x${rows}`, normalized(await t.steady()))
    await t.keys('q')
    await t.waitFor((s) => !/^engine image layer/m.test(s))
    for (let i = 0; i < 4; i++) await t.keys('k')
    await t.waitFor((s) => /^>.{0,3}Docker daemon/m.test(s))
    await t.keys('Enter')
    await t.waitFor((s) => /Docker daemon\s+(PASS|WARN|FAIL)/.test(s), 40_000)
    await t.keys('R')
    await t.waitFor((s) => RECIPE_HEADER.test(s), 30_000)
    expect(await frameProblems(t, {cols, rows, header: RECIPE_HEADER, footer: /↑↓ step {2}Enter run/, freeRows: APP_FREE_ROWS})).toEqual([])
    expect(screenRows(await t.screen(), rows)[0]).toMatch(RECIPE_HEADER)
    await t.keys('q')
    await t.waitFor((s) => !RECIPE_HEADER.test(s))
    await t.keys('?')
    await t.waitFor((s) => s.includes('Keys'))
    expect(await t.historySize()).toBe(0)
    await t.keys('q')
    await t.keys('q')
    await t.waitFor((s) => s.includes('Notes saved to'))
    // Back on the main screen: the frames are gone with the alternate screen.
    expect(await t.alternateOn()).toBe(false)
    expect(await t.screen()).not.toContain('engine image layer')
  }
  it.each(SIZES)('at %ix%i: explorer, recipe view and help, nothing in the history', viewsFit, 150_000)

  it('after a resize the explorer looks as a fresh start at that size draws it', async () => {
    const t = await start(80, 24)
    await openExplorer(t)
    // Growing, then shrinking to the smallest size that still draws the view.
    for (const [cols, rows] of [[200, 50], [100, 30], [60, 20]] as const) {
      await t.resize(cols, rows)
      await t.waitFor((s) => screenRows(s, rows).some((r) => r.length > 0) && !s.includes('too small'))
      expect(await frameProblems(t, {cols, rows, ...EXPLORER})).toEqual([])
      expect(normalized(await t.steady())).toBe(fresh.get(`${cols}x${rows}`))
    }
    // Under 60x20: the too-small screen, and the explorer again when the window grows.
    await t.resize(50, 15)
    const small = await t.waitFor((s) => s.includes('terminal too small'))
    expect(small.replace(/\s+/g, ' ')).toContain('terminal too small (need 60x20, have 50x15)')
    await t.resize(100, 30)
    await t.waitFor((s) => /^engine image layer/m.test(s))
    expect(normalized(await t.steady())).toBe(fresh.get('100x30'))
    expect(await t.historySize()).toBe(0)
  }, 150_000)

  it('at 60x20 the explorer keeps the frame through every key: every layer, expanded, at the end, filtered, an open file, an export', async () => {
    const [cols, rows] = [60, 20] as const
    const t = await start(cols, rows)
    await openExplorer(t)
    // A message (folded, exported) comes first on the footer, before the keys.
    const TREE = {...EXPLORER, footer: /^\d+\/\d+ · .* · q close$/}
    const FILE = {header: /^\/\S+ \(/, footer: /^\d+\/\d+ · ↑↓ j\/k PgUp\/PgDn scroll.* · q or Esc back to the tree$/}
    const steps: [string[], (s: string) => boolean, typeof TREE | typeof FILE][] = [
      [['e'], (s) => s.includes('▾'), TREE],
      [['G'], (s) => /^(\d+)\/\1 · /m.test(s), TREE],
      [['PageUp'], (s) => !/^(\d+)\/\1 · /m.test(s), TREE],
      [['['], (s) => /^engine image layer 1 of/m.test(s), TREE],
      [['['], (s) => /^engine image layer 0 of/m.test(s), TREE],
      [[']', ']'], (s) => /^engine image layer 2 of/m.test(s), TREE],
      [['/'], (s) => /^\/▌/m.test(s), TREE],
      [[...'os-release', 'Enter'], (s) => s.includes('filter: os-release'), TREE],
      [['x'], (s) => s.includes('Exported to'), TREE],
      [['G', 'o'], (s) => /^\/\S+ \(/m.test(s), FILE],
      [['j', 'l'], (s) => /^\d+\/\d+ · ↑↓ j\/k/m.test(s), FILE],
      [['q'], (s) => /^engine image layer/m.test(s), TREE],
    ]
    for (const [keys, shown, frame] of steps) {
      for (const k of keys) await t.keys(k)
      await t.waitFor(shown)
      expect(await frameProblems(t, {cols, rows, ...frame}), `after ${keys.join(' ')}`).toEqual([])
    }
  }, 120_000)

  it('under NO_COLOR the cursor, the legend and the selected step read without colour', async () => {
    const t = await start(80, 24, {NO_COLOR: '1'})
    await openExplorer(t)
    const screen = await t.steady()
    expect(await t.styled()).not.toMatch(COLOUR)
    const rows = screenRows(screen, 24)
    expect(rows.filter((r) => r.startsWith('▶'))).toHaveLength(1)
    // At 80 columns the layer's details take the row under the header, whole; the legend follows.
    expect(rows[1]).toMatch(/^layer: \S+ \S+, \d+ entries, \S+$/)
    expect(rows[2]).toMatch(/a \+ ■ added {2}m ~ ■ modified {2}r - ■ removed {2}u ■ unmodified/)
    await t.keys('r')
    await t.waitFor((s) => s.includes('r - □ removed'))
    await t.keys('q')
    await t.waitFor((s) => !/^engine image layer/m.test(s))
    for (let i = 0; i < 4; i++) await t.keys('k')
    await t.waitFor((s) => /^>.{0,3}Docker daemon/m.test(s))
    await t.keys('Enter')
    await t.waitFor((s) => /Docker daemon\s+(PASS|WARN|FAIL)/.test(s), 40_000)
    await t.keys('R')
    await t.waitFor((s) => RECIPE_HEADER.test(s), 30_000)
    await t.keys('j')
    const recipe = await t.waitFor((s) => /▶2 /.test(s))
    expect(await t.styled()).not.toMatch(COLOUR)
    expect(recipe.match(/▶/g)).toHaveLength(1)
  }, 120_000)

  it.each(['SIGTERM', 'SIGHUP', 'SIGINT'] as const)('%s finishes the log, exits 130 and gives the main screen back', async (signal) => {
    const t = await start(80, 24)
    const pid = Number((await t.display('#{pane_pid}')).trim())
    expect(await t.alternateOn()).toBe(true)
    // The pane's shell wraps the program: signal the program itself, the shell's only child.
    const child = execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n')[0]
    process.kill(Number(child), signal)
    await t.waitFor((s) => s.includes('Notes saved to'))
    expect(await t.exitStatus()).toBe(130)
    expect(await t.alternateOn()).toBe(false)
  })
})
