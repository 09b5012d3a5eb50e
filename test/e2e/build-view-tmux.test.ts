import {mkdtemp} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {FAKE_GO_DIR, makeCheckout} from '../engine/fixtures/checkout.js'
import {makeLab, type EngineLab} from '../engine/lab.js'
import {BIN} from '../helpers/cli.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {frameProblems, NODE, screenRows, Tmux} from '../helpers/tmux.js'

/** Rows App.tsx (another lane's notebook frame) still draws under a view; see views-tmux.test.ts. */
const APP_FREE_ROWS = 3

describe.skipIf(skipWithoutDocker())('the build log view of the real binary fits the terminal (tmux)', () => {
  let lab: EngineLab
  const opened: Tmux[] = []
  beforeAll(() => {
    lab = makeLab()
  })
  afterAll(async () => {
    for (const t of opened) await t.kill()
    lab?.cleanup()
  })

  it.each([
    [80, 24],
    [100, 30],
  ] as const)('at %ix%i: the failed build log fits, its key error line is marked as cut and scrolls sideways', async (cols, rows) => {
    // A v0.9 checkout whose first build fails on a registry EOF, as in the field report.
    const fixture = makeCheckout('internal-mage', lab.engineTar, {failFirst: true, parent: lab.dir})
    const notesDir = await mkdtemp(path.join(tmpdir(), 'uiviews-build-'))
    const env = lab.env([path.dirname(NODE), FAKE_GO_DIR]) as Record<string, string>
    const t = await Tmux.start([NODE, BIN, '--dagger-src', fixture.root, '--notes-dir', notesDir], {cols, rows, socketPrefix: 'uiviews', env: {...env, CI: '', TERM: 'xterm-256color'}})
    opened.push(t)
    await t.waitFor((s) => s.includes('Welcome to dagger-explore.'))
    await t.keys('Escape')
    await t.waitFor((s) => !s.includes('Welcome to dagger-explore.'))
    for (let i = 0; i < 3; i++) await t.keys('j')
    await t.waitFor((s) => /^>.{0,3}Build engine/m.test(s))
    await t.keys('Enter')
    await t.waitFor((s) => /Build engine\s+FAIL/.test(s), 90_000)
    await t.keys('o')
    await t.waitFor((s) => s.includes('build failed:'), 15_000)
    expect(await frameProblems(t, {cols, rows, header: /^build (?:failed|succeeded|running)/, footer: /↑↓ PgUp PgDn scroll · /, freeRows: APP_FREE_ROWS})).toEqual([])
    const screen = screenRows(await t.screen(), rows)
    expect(screen[0]).toMatch(/build failed:/)
    // Lines wider than the pane end in the cell pane's cut mark …→, and the footer offers ←→.
    const cut = screen.filter((r) => /\d+ .*…→$/.test(r.trimEnd()))
    expect(cut.length).toBeGreaterThan(0)
    expect(screen.join('\n')).toContain('←→ h/l sideways')
    await t.keys('l')
    // Scrolled sideways: the rows now start with the left mark.
    await t.waitFor((s) => /^\s*\d+ ←…/m.test(s))
    expect(await t.historySize()).toBe(0)
    await t.keys('q')
    await t.keys('q')
    await t.waitFor((s) => s.includes('Notes saved to'))
  }, 150_000)
})
