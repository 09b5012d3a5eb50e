import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {LOG_BUDGET} from '../../src/core/notebook/log-budget.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {SessionLog} from '../../src/core/notebook/session-log.js'
import {statePath} from '../../src/core/notebook/session-state.js'
import type {CellResult, CommandRecord} from '../../src/core/types.js'

const temps: string[] = []
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, {recursive: true, force: true})))
})
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'de-record-'))
  temps.push(dir)
  return dir
}

const header = {startedAt: new Date('2026-11-23T10:11:12Z'), host: 'box', os: 'Debian 12', versions: 'v', dockerEndpoint: 'unix:///var/run/docker.sock', checkout: '/src/dagger (v0.9.3, commit d44c734)'}
const cells = [
  {id: 'environment', title: 'Environment'},
  {id: 'build', title: 'Build engine'},
  {id: 'launch', title: 'Launch engine'},
] as const

function command(output: string, at = '2026-11-23T10:11:13.000Z', argv = ['make']): CommandRecord {
  return {kind: 'exec', argv, exitCode: 0, output, startedAt: at, durationMs: 10}
}

function result(over: Partial<CellResult> = {}): CellResult {
  return {cell: 'build', title: 'Build engine', status: 'pass', startedAt: '2026-11-23T10:11:13.000Z', durationMs: 1000, facts: [], findings: [], commands: [], ...over}
}

describe('the session log keeps its resume state beside it', () => {
  it('writes <log>.state.json, no comment in the log, and resumes from it', async () => {
    const dir = await tempDir()
    const log = await SessionLog.create(dir, header, cells)
    await log.addResult(result({findings: [{id: 'f', status: 'fail', title: 'The build failed on a registry EOF', detail: 'd', fix: 'f'}], status: 'fail'}))
    const text = await readFile(log.path, 'utf8')
    expect(text).not.toContain('dagger-explore-state')
    expect(text).toContain('| Checkout | /src/dagger (v0.9.3, commit d44c734) |')
    const state = JSON.parse(await readFile(statePath(log.path), 'utf8')) as {version: number; log: string}
    expect(state.version).toBe(2)
    expect(state.log).toBe(path.basename(log.path))
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
    const again = await SessionLog.resume(log.path, cells)
    expect(again.results().map((r) => r.status)).toEqual(['fail'])
    expect(again.checkout).toBe(header.checkout)
  })

  it('still resumes a log written with the state comment at its end', async () => {
    const dir = await tempDir()
    const file = path.join(dir, '2026-11-20T101010-session.md')
    const legacy = {
      version: 1,
      header: {...header, startedAt: header.startedAt.toISOString()},
      sections: [{id: 'build', title: 'Build engine', notes: ['an old note'], result: result({status: 'warn'})}],
      sidecars: [],
    }
    await writeFile(file, `# dagger-explore session\n\n<!-- dagger-explore-state ${Buffer.from(JSON.stringify(legacy)).toString('base64')} -->\n`)
    const log = await SessionLog.resume(file, cells)
    expect(log.results().map((r) => r.status)).toEqual(['warn'])
    expect(log.notesOf('build')).toEqual(['an old note'])
    await log.addNote('build', 'new')
    const text = await readFile(file, 'utf8')
    expect(text).not.toContain('dagger-explore-state')
    expect(text).toContain('> new')
    // The next resume reads the new state file.
    expect((await SessionLog.resume(file, cells)).notesOf('build')).toEqual(['an old note', 'new'])
  })
})

describe('every run of a cell is in the log', () => {
  it('lists runs oldest first, keeps the failed result when a re-run is declined, and writes the decline as its own entry', async () => {
    const dir = await tempDir()
    const log = await SessionLog.create(dir, header, cells)
    const failed = result({status: 'fail', startedAt: '2026-11-23T10:12:00.000Z', findings: [{id: 'eof', status: 'fail', title: 'The build failed: registry EOF', detail: 'd', fix: 'f'}], commands: [command('EOF')]})
    await log.addResult(failed)
    const declined = result({status: 'warn', startedAt: '2026-11-23T10:15:00.000Z', declined: 'Replace the running dev engine', findings: [{id: 'nb', status: 'warn', title: 'Not built: the build would replace the running dev engine', detail: 'd', fix: 'f'}]})
    await log.addResult(declined)
    const text = await readFile(log.path, 'utf8')
    expect(text).toContain('Runs (2, oldest first):')
    expect(text).toContain('1. 2026-11-23T10:12:00.000Z, 1.0 s: **FAIL** The build failed: registry EOF (shown below)')
    expect(text).toContain('2. 2026-11-23T10:15:00.000Z, 1.0 s: declined: Replace the running dev engine')
    // The result shown in full (and in the summary) is still the failed build.
    expect(text).toMatch(/- ✗ \*\*FAIL\*\* \[Build engine\]/)
    expect(text).toContain('Ran at 2026-11-23T10:12:00.000Z')
    expect(text).not.toContain('- ! **WARN** Not built')
    expect(log.history('build')).toHaveLength(2)
    expect(log.results()).toEqual([failed])
    // A result with the start of the latest run is that run updated, not a new run.
    await log.addResult(result({startedAt: '2026-11-23T10:16:00.000Z'}))
    await log.addResult(result({startedAt: '2026-11-23T10:16:00.000Z', facts: [{label: 'Recipe run', value: 'x'}]}))
    expect(log.history('build')).toHaveLength(3)
    const resumed = await SessionLog.resume(log.path, cells)
    expect(resumed.history('build').map((r) => r.declined ?? r.status)).toEqual(['fail', 'Replace the running dev engine', 'pass'])
  })
})

it('names a decline even when it is the only run of the cell', async () => {
  const dir = await tempDir()
  const log = await SessionLog.create(dir, header, cells)
  await log.addResult(result({cell: 'launch', title: 'Launch engine', status: 'skipped', declined: 'Start dagger-engine.dev'}))
  const text = await readFile(log.path, 'utf8')
  expect(text).toMatch(/Runs \(1, oldest first\):\n\n1\. 2026-11-23T10:11:13\.000Z, 1\.0 s: declined: Start dagger-engine\.dev \(shown below\)/)
  expect(log.results()).toEqual([])
})

describe('polls are recorded once with a count', () => {
  it('folds identical calls in a row, keeping the first and last answer when they differ', () => {
    const rec = new Recorder()
    const t0 = Date.parse('2026-11-23T10:00:00.000Z')
    for (let i = 0; i < 118; i++) {
      rec.record({kind: 'api', argv: ['GET', '/containers/dagger-engine.dev/json'], exitCode: 0, output: i < 117 ? '/dagger-engine.dev created' : '/dagger-engine.dev running', startedAt: new Date(t0 + i * 512).toISOString(), durationMs: 12})
    }
    rec.record({kind: 'api', argv: ['GET', '/containers/dagger-engine.dev/json'], exitCode: 0, output: '/dagger-engine.dev created', startedAt: new Date(t0 + 70_000).toISOString(), durationMs: 12})
    rec.record({kind: 'api', argv: ['GET', '/_ping'], exitCode: 0, output: 'OK', startedAt: new Date(t0 + 71_000).toISOString(), durationMs: 1})
    expect(rec.commands).toHaveLength(3)
    const [poll, changedBack, ping] = rec.commands
    expect(poll?.repeat).toEqual({count: 118, lastStartedAt: new Date(t0 + 117 * 512).toISOString(), spanMs: 117 * 512 + 12, firstOutput: '/dagger-engine.dev created'})
    // The record's output is the latest answer (what a caller reading the last record expects); it starts with the first call.
    expect(poll?.output).toBe('/dagger-engine.dev running')
    expect(poll?.startedAt).toBe(new Date(t0).toISOString())
    // A second change of answer is a record of its own: no answer is lost.
    expect(changedBack?.output).toBe('/dagger-engine.dev created')
    expect(changedBack?.repeat).toBeUndefined()
    expect(ping?.repeat).toBeUndefined()
  })

  it('writes one block with the count in the log', async () => {
    const dir = await tempDir()
    const log = await SessionLog.create(dir, header, cells)
    const rec = new Recorder()
    for (let i = 0; i < 120; i++) rec.record({kind: 'api', argv: ['GET', '/containers/dagger-engine.dev/json'], exitCode: 0, output: '/dagger-engine.dev running', startedAt: new Date(Date.parse('2026-11-23T10:00:00Z') + i * 500).toISOString(), durationMs: 10})
    rec.declined('Start dagger-engine.dev')
    expect(rec.declinedAction).toBe('Start dagger-engine.dev')
    await log.addResult(result({cell: 'launch', title: 'Launch engine', commands: rec.commands}))
    const text = await readFile(log.path, 'utf8')
    expect(text.match(/GET \/containers\/dagger-engine\.dev\/json/g)).toHaveLength(1)
    expect(text).toContain('# Docker API: GET /containers/dagger-engine.dev/json  ×120 over 59.5 s, the same answer each time')
    const changed = new Recorder()
    for (const [i, state] of ['created', 'created', 'running'].entries()) changed.record({kind: 'api', argv: ['GET', '/containers/x/json'], exitCode: 0, output: `/x ${state}`, startedAt: new Date(Date.parse('2026-11-23T10:00:00Z') + i * 1000).toISOString(), durationMs: 10})
    await log.addResult(result({cell: 'environment', title: 'Environment', commands: changed.commands}))
    expect(await readFile(log.path, 'utf8')).toContain('# Docker API: GET /containers/x/json  ×3 over 2.0 s, the answer changed\n# first answer:\n/x created\n# last answer (from 2026-11-23T10:00:02.000Z):\n/x running\n```')
  })
})

describe('the log stays within 60,000 characters', () => {
  it('cuts the longest and oldest outputs (into sidecars), never findings or notes, and says what it cut', async () => {
    const dir = await tempDir()
    const log = await SessionLog.create(dir, header, cells)
    // 50 commands of 59 lines (under the sidecar limit each, 3 KB each: ~150 KB inline).
    const commands = Array.from({length: 50}, (_, i) => command(Array.from({length: 59}, (_, j) => `cmd ${i} line ${j} ${'x'.repeat(40)}`).join('\n'), new Date(Date.parse('2026-11-23T10:00:00Z') + i * 1000).toISOString(), ['step', String(i)]))
    const findings = Array.from({length: 30}, (_, i) => ({id: `f${i}`, status: 'warn' as const, title: `finding number ${i}`, detail: 'why '.repeat(20), fix: 'fix '.repeat(20)}))
    await log.addResult(result({findings, status: 'warn', commands}))
    await log.addNote('build', 'my note\nsecond line')
    const text = await readFile(log.path, 'utf8')
    expect(text.length).toBeLessThanOrEqual(LOG_BUDGET)
    for (let i = 0; i < 30; i++) expect(text).toContain(`finding number ${i}`)
    expect(text).toContain('> my note\n> second line')
    expect(text).toMatch(/the output of \d+ commands is cut to a few lines here, longest and oldest first/)
    // Every cut output is whole in the file the log names.
    const names = [...text.matchAll(/full output in \[([^\]]+)\]/g)].map((m) => m[1]!)
    expect(names.length).toBeGreaterThan(10)
    for (const name of names) {
      const i = Number(/-(\d+)\.log$/.exec(name)![1]) - 1
      expect(await readFile(path.join(dir, name), 'utf8')).toBe(commands[i]!.output)
    }
    // Still within budget after resume and another cell.
    const again = await SessionLog.resume(log.path, cells)
    await again.addResult(result({cell: 'environment', title: 'Environment', commands: commands.slice(0, 20)}))
    expect((await readFile(log.path, 'utf8')).length).toBeLessThanOrEqual(LOG_BUDGET)
  })
})
