import {mkdtemp, readdir, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {FAKE_GO_DIR, makeCheckout} from '../engine/fixtures/checkout.js'
import {makeLab, type EngineLab} from '../engine/lab.js'
import {LOG_BUDGET} from '../../src/core/notebook/log-budget.js'
import {EXPORT_LIMIT} from '../../src/core/notebook/export.js'
import {BIN, cli} from '../helpers/cli.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {Tmux} from '../helpers/tmux.js'

/** The pane text after the 24-column rail, wrapped rows joined, so sentences can be matched. */
function pane(screen: string): string {
  return screen
    .split('\n')
    .map((l) => l.slice(24))
    .join(' ')
    .replace(/\s+/g, ' ')
}

describe.skipIf(skipWithoutDocker())('the guided run, end to end in a terminal against the test lab', () => {
  let lab: EngineLab
  let tmux: Tmux | undefined
  beforeAll(() => {
    lab = makeLab()
  })
  afterAll(async () => {
    await tmux?.kill()
    lab?.cleanup()
  })

  it('walks a newcomer from the intro through every cell to the summary', async () => {
    // A v0.9 checkout whose first build fails on a registry EOF, as in the field report.
    const fixture = makeCheckout('internal-mage', lab.engineTar, {failFirst: true, parent: lab.dir})
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-journey-'))
    const env = lab.env([path.dirname(process.execPath), FAKE_GO_DIR])
    tmux = await Tmux.start([process.execPath, BIN, '--dagger-src', fixture.root, '--notes-dir', notesDir], {
      cols: 120,
      rows: 36,
      env: {
        ...(env as Record<string, string>),
        CI: '',
        TERM: 'xterm-256color',
        DAGGER_EXPLORE_REGISTRY_HOST: '127.0.0.1:9',
        DAGGER_EXPLORE_REGISTRY_CONTROL: 'none',
      },
    })
    const t = tmux
    await t.waitFor((s) => s.includes('Welcome to dagger-explore.'))
    await t.keys('Enter')
    await t.waitFor((s) => pane(s).includes('Enter continues to Docker daemon'), 30_000)
    await t.keys('Enter')
    await t.waitFor((s) => pane(s).includes('Enter continues to Registry'), 30_000)
    await t.keys('Enter')
    // The registries the build pulls from do not answer (a refused loopback port): that blocks the build.
    await t.waitFor((s) => pane(s).includes('Registry found a problem that blocks Build engine'), 30_000)
    await t.keys('Enter')
    // The build's first run fails on the registry EOF; the guide says it blocks Launch and offers a re-run.
    await t.waitFor((s) => pane(s).includes('Build engine found a problem that blocks Launch engine'), 60_000)
    await t.keys('r')
    const retried = await t.waitFor((s) => pane(s).includes('Enter continues to Launch engine, Esc'), 60_000)
    expect(pane(retried)).toMatch(/came from cache/)
    await t.keys('Enter')
    // Starting a privileged container asks first, showing the exact command.
    const asked = await t.waitFor((s) => s.includes('Proceed? y = yes'), 60_000)
    expect(asked).toContain('--privileged')
    await t.keys('y')
    await t.waitFor((s) => /Enter continues to Components/.test(pane(s)), 90_000)
    await t.keys('Enter')
    await t.waitFor((s) => pane(s).includes('continues to Debugger'), 90_000)
    await t.keys('Enter')
    await t.waitFor((s) => pane(s).includes('That was the last step'), 60_000)
    await t.keys('Enter')
    const summary = await t.waitFor((s) => s.includes('Where you are'))
    // The summary has the whole width (no cell list beside it).
    const whole = summary.replace(/\s+/g, ' ')
    expect(whole).toMatch(/Fixed along the way: .*Build engine/)
    expect(whole).toMatch(/Left to do/)
    expect(whole).toContain('Registry')
    expect(whole).toContain(`Your notes: ${notesDir}`)
    await t.keys('q')
    await t.waitFor((s) => s.includes('Notes saved to'))
    const [file] = (await readdir(notesDir)).filter((f) => f.endsWith('-session.md'))
    const text = await readFile(path.join(notesDir, file!), 'utf8')
    for (const title of ['Environment', 'Docker daemon', 'Registry', 'Build engine', 'Launch engine', 'Components', 'Debugger']) {
      expect(text).toContain(`## ${title}`)
    }
    expect(text).toMatch(/Session ended at /)
    // The log the app names fits where people paste it, and so does the export built from it.
    expect(text.length).toBeLessThanOrEqual(LOG_BUDGET)
    const out = path.join(notesDir, 'share.md')
    const exported = await cli(['notes', 'export', file!, '--out', out, '--notes-dir', notesDir])
    expect(exported.exitCode).toBe(0)
    const shared = await readFile(out, 'utf8')
    expect(shared.length).toBeLessThanOrEqual(EXPORT_LIMIT)
    for (const title of ['Build engine', 'Launch engine']) expect(shared).toContain(`## ${title}`)
    // The dev engine of this test runs now, under the lab's own name.
    expect(lab.docker(['inspect', '-f', '{{.State.Running}} {{.HostConfig.Privileged}}', lab.devName])).toBe('true true')
  })
})
