import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {marked} from 'marked'
import {afterAll, describe, expect, it} from 'vitest'
import {EXPORT_LIMIT, exportSession} from '../../src/core/notebook/export.js'
import {SessionLog} from '../../src/core/notebook/session-log.js'
import type {CellResult} from '../../src/core/types.js'

const temps: string[] = []
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, {recursive: true, force: true})))
})
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'de-exfit-'))
  temps.push(dir)
  return dir
}

const header = {startedAt: new Date('2026-11-23T10:11:12Z'), host: 'box', os: 'Debian 12', versions: 'v', dockerEndpoint: 'unix:///var/run/docker.sock'}
const cells = [
  {id: 'environment', title: 'Environment'},
  {id: 'build', title: 'Build engine'},
] as const
const build = (over: Partial<CellResult> = {}): CellResult => ({cell: 'build', title: 'Build engine', status: 'fail', startedAt: '2026-11-23T10:11:13.000Z', durationMs: 5, facts: [], findings: [{id: 'f', status: 'fail', title: 'The build failed', detail: 'd', fix: 'f'}], commands: [], ...over})

describe('notes export for a GitHub issue', () => {
  it('keeps a note’s line breaks and shows HTML in notes as typed', async () => {
    const dir = await tempDir()
    const log = await SessionLog.create(dir, header, cells)
    await log.addResult(build())
    await log.addNote('build', 'first line\nsecond <b>bold</b> line\n\n- a list\n- of two')
    const logText = await readFile(log.path, 'utf8')
    expect(marked.parse(logText, {gfm: true, async: false}) as string).not.toContain('<b>')
    const {text} = await exportSession(log.path, {maxSidecarLines: 400})
    const html = marked.parse(text, {gfm: true, async: false}) as string
    expect(html).not.toContain('<b>')
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;')
    // Two lines stay two lines; the list stays a list.
    expect(html).toMatch(/first line<br>\s*second &lt;b&gt;bold&lt;\/b&gt; line/)
    expect(html).toMatch(/<li>a list<\/li>\s*<li>of two<\/li>/)
  })

  it('fits 65,536 characters with a huge build log, trimming it with a note', async () => {
    const dir = await tempDir()
    const log = await SessionLog.create(dir, header, cells)
    const buildLog = 'build-20261123T101113.log'
    await writeFile(path.join(dir, buildLog), `${Array.from({length: 20_000}, (_, i) => `#${i} ${'step output '.repeat(25)}`).join('\n')}\n`)
    await log.addResult(build({sidecars: [buildLog]}))
    const exported = await exportSession(log.path, {maxSidecarLines: 400})
    expect(exported.text.length).toBeLessThanOrEqual(EXPORT_LIMIT)
    expect(exported.text).toMatch(/Trimmed to \d+ of 20,000 lines so that the export fits a GitHub issue \(65,536 characters\)/)
    expect(exported.text).toContain('#19999 ')
    expect(exported.sidecars).toEqual([{file: path.join(dir, buildLog), lines: 20_000, included: false}])
  })

  it('fits even a log from before the budget (a 136 KB file with a state comment and long inline output)', async () => {
    const dir = await tempDir()
    const file = path.join(dir, '2026-11-20T101010-session.md')
    const block = (n: number) => ['```console', `$ step ${n}`, ...Array.from({length: 59}, (_, i) => `out ${n}.${i} ${'y'.repeat(60)}`), '```', '', '(exit 0 after 1 ms)', ''].join('\n')
    const body = ['# dagger-explore session', '', '## Build engine', '', '- ✗ **FAIL** kept finding', '', ...Array.from({length: 25}, (_, i) => block(i))].join('\n')
    await writeFile(file, `${body}\n\n<!-- dagger-explore-state ${Buffer.from('x'.repeat(44_000)).toString('base64')} -->\n`)
    expect((await readFile(file, 'utf8')).length).toBeGreaterThan(136_000)
    const {text} = await exportSession(file, {maxSidecarLines: 400})
    expect(text.length).toBeLessThanOrEqual(EXPORT_LIMIT)
    expect(text).toContain('kept finding')
    expect(text).toMatch(/more lines cut so that the export fits a GitHub issue/)
    expect(text).not.toContain('dagger-explore-state')
  })
})
