import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {FAKE_GO_DIR, makeCheckout} from '../engine/fixtures/checkout.js'
import {makeLab, type EngineLab} from '../engine/lab.js'
import {cli} from '../helpers/cli.js'
import {skipWithoutDocker} from '../helpers/docker.js'

const CELL_TITLES = ['Environment', 'Docker daemon', 'Registry', 'Build engine', 'Launch engine', 'Components', 'Debugger']

/**
`check` of every cell, through the built binary in plain mode against the lab, twice (the second a
`--resume`, so every cell has two runs): the log the app names stays within 60,000 characters and its
export within 65,536, also when the build prints a very long log.
*/
describe.skipIf(skipWithoutDocker())('the session log of a full run on the lab fits a GitHub issue', () => {
  let lab: EngineLab
  const notesDirs: string[] = []
  beforeAll(() => {
    lab = makeLab()
  })
  afterAll(async () => {
    lab?.cleanup()
    await Promise.all(notesDirs.map((d) => rm(d, {recursive: true, force: true})))
  })

  it.each([
    ['the fixture build', 0],
    ['a build that prints 30,000 lines', 30_000],
  ])('%s', async (_, logLines) => {
    const fixture = makeCheckout('internal-mage', lab.engineTar, {failFirst: true, parent: lab.dir})
    const notesDir = await mkdtemp(path.join(tmpdir(), 'de-budget-'))
    notesDirs.push(notesDir)
    const env = {
      ...lab.env([path.dirname(process.execPath), FAKE_GO_DIR]),
      DAGGER_EXPLORE_REGISTRY_HOST: '127.0.0.1:9',
      DAGGER_EXPLORE_REGISTRY_CONTROL: 'none',
      FIXTURE_LOG_LINES: String(logLines),
    }
    const args = ['check', '--plain', '--yes', '--dagger-src', fixture.root, '--notes-dir', notesDir]
    const first = await cli(args, {env, timeout: 240_000})
    expect(first.stderr).toMatch(/dagger-explore notes export \S+-session\.md --notes-dir \S+ --out \S+-issue\.md/)
    const second = await cli([...args, '--resume'], {env, timeout: 240_000})
    expect(second.stdout, second.stderr).toMatch(/resuming the session of .*dxeng-checkout-internal-mage-\S+ \(main at [0-9a-f]{12}\)/)
    const [file] = (await readdir(notesDir)).filter((f) => f.endsWith('-session.md'))
    const text = await readFile(path.join(notesDir, file!), 'utf8')
    expect(text.length).toBeLessThanOrEqual(60_000)
    expect(text).not.toContain('dagger-explore-state')
    for (const title of CELL_TITLES) expect(text).toContain(`## ${title}`)
    // Every cell ran twice, both runs listed; the build failed first and passed on the resume.
    expect(text.match(/^Runs \(2, oldest first\):$/gm)?.length).toBe(CELL_TITLES.length)
    expect(text).toMatch(/## Build engine\n\nRuns \(2, oldest first\):\n\n1\. \S+, [^:]+: \*\*FAIL\*\*/)
    expect(text).toContain('| Checkout | ')
    const exported = await cli(['notes', 'export', file!, '--notes-dir', notesDir, '--out', path.join(notesDir, 'issue.md')], {env})
    expect(exported.exitCode, exported.stderr).toBe(0)
    const issue = await readFile(path.join(notesDir, 'issue.md'), 'utf8')
    expect(issue.length).toBeLessThanOrEqual(65_536)
    if (logLines > 0) expect(issue).toMatch(/so that the export fits a GitHub issue \(65,536 characters\)/)
    process.stdout.write(`log-budget (${logLines} build lines): log ${text.length} characters, export ${issue.length}\n`)
  }, 600_000)
})
