import {mkdtemp, readdir, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {readState, stripState} from '../../src/core/notebook/markdown.js'
import {defaultNotesDir, listSessions, SessionLog, sessionStamp} from '../../src/core/notebook/session-log.js'
import {statePath} from '../../src/core/notebook/session-state.js'
import type {CellResult} from '../../src/core/types.js'

const header = {startedAt: new Date('2026-11-23T10:11:12Z'), host: 'box', os: 'Debian 12', versions: 'dagger-explore 0.1.0', dockerEndpoint: 'unix:///var/run/docker.sock (chosen by default)'}
const cells = [
  {id: 'environment', title: 'Environment'},
  {id: 'daemon', title: 'Docker daemon'},
] as const

function result(over: Partial<CellResult> = {}): CellResult {
  return {
    cell: 'environment',
    title: 'Environment',
    status: 'warn',
    startedAt: '2026-11-23T10:11:13.000Z',
    durationMs: 1234,
    facts: [{label: 'OS', value: 'Debian | 12'}],
    findings: [
      {id: 'ok', status: 'pass', title: 'Docker answers'},
      {id: 'w', status: 'warn', title: 'docker info: IPv4 forwarding is disabled', detail: 'why it matters', fix: 'sysctl it'},
    ],
    commands: [{kind: 'exec', argv: ['docker', '--version'], exitCode: 0, output: 'Docker version 28.2.2\n```\nfence inside', startedAt: '2026-11-23T10:11:13.000Z', durationMs: 40}],
    ...over,
  }
}

describe('SessionLog', () => {
  it('names the file <date>T<time>-session.md and writes a valid document at once', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-log-'))
    const log = await SessionLog.create(dir, header, cells)
    expect(path.basename(log.path)).toBe(`${sessionStamp(header.startedAt)}-session.md`)
    expect(path.basename(log.path)).toMatch(/^\d{4}-\d\d-\d\dT\d{6}-session\.md$/)
    const text = await readFile(log.path, 'utf8')
    expect(text).toMatch(/^# dagger-explore session 2026-11-23 10:11:12 UTC/)
    expect(text).toContain('| Docker endpoint | unix:///var/run/docker.sock (chosen by default) |')
    expect(text).toContain('No cell has run yet.')
  })

  it('writes each cell like a field report: ran-at line, facts, findings, commands, notes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-log-'))
    const log = await SessionLog.create(dir, header, cells)
    await log.addResult(result())
    await log.addNote('environment', 'first line\nsecond line with token=abc123secret')
    const text = await readFile(log.path, 'utf8')
    expect(text).toContain('## Environment')
    expect(text).toContain('Ran at 2026-11-23T10:11:13.000Z for 1.2 s, exit 0: **WARN**')
    expect(text).toContain('| OS | Debian \\| 12 |')
    expect(text).toContain('- ! **WARN** docker info: IPv4 forwarding is disabled')
    expect(text).toContain('  - Why: why it matters')
    expect(text).toContain('  - Fix: sysctl it')
    // Output containing a fence gets a longer fence, so the document structure survives.
    expect(text).toContain('````console\n$ docker --version\nDocker version 28.2.2\n```\nfence inside\n````')
    expect(text).toContain('> first line\n> second line with token=[REDACTED]')
    expect(text).not.toContain('abc123secret')
    expect(text).toMatch(/- ! \*\*WARN\*\* \[Environment\]\(#environment\): 1 to look at/)
  })

  it('moves long output to a sidecar file linked from the log', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-log-'))
    const log = await SessionLog.create(dir, header, cells)
    const long = Array.from({length: 500}, (_, i) => `line ${i} \u001B[31mred\u001B[0m`).join('\n')
    await log.addResult(result({commands: [{kind: 'exec', argv: ['make'], exitCode: 2, output: long, startedAt: '2026-11-23T10:11:13.000Z', durationMs: 10}]}))
    const files = await readdir(dir)
    const sidecar = files.find((f) => f.endsWith('.log'))!
    expect(sidecar).toBe(`${path.basename(log.path, '.md')}-environment-1.log`)
    const text = await readFile(log.path, 'utf8')
    expect(text).toContain(`full output in [${sidecar}](${sidecar})`)
    expect(text).not.toContain('line 499')
    const side = await readFile(path.join(dir, sidecar), 'utf8')
    expect(side.split('\n')).toHaveLength(500)
    expect(side).not.toContain('\u001B')
  })

  it('adds a closing line and strips escapes from everything written', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-log-'))
    const log = await SessionLog.create(dir, header, cells)
    await log.addResult(result({facts: [{label: 'Container', value: 'evil\u001B]0;title\u0007name'}]}))
    await log.finish('Session interrupted (Ctrl-C) at now.')
    const text = await readFile(log.path, 'utf8')
    expect(stripState(text).trimEnd().endsWith('Session interrupted (Ctrl-C) at now.')).toBe(true)
    expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F]/)
  })

  it('never overwrites an earlier session started in the same second', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-log-'))
    const a = await SessionLog.create(dir, header, cells)
    const b = await SessionLog.create(dir, header, cells)
    expect(a.path).not.toBe(b.path)
    const sessions = await listSessions(dir)
    expect(sessions).toHaveLength(2)
  })

  it('lists sessions with their summaries', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-log-'))
    const log = await SessionLog.create(dir, header, cells)
    await log.addResult(result())
    const [session] = await listSessions(dir)
    expect(session?.summary[0]).toMatch(/WARN Environment: 1 to look at/)
  })

  it('defaults to $XDG_STATE_HOME/dagger-explore/notes, else ~/.local/state', () => {
    expect(defaultNotesDir({XDG_STATE_HOME: '/x/state', HOME: '/home/u'})).toBe('/x/state/dagger-explore/notes')
    expect(defaultNotesDir({HOME: '/home/u'})).toBe('/home/u/.local/state/dagger-explore/notes')
    expect(defaultNotesDir({XDG_STATE_HOME: 'relative', HOME: '/home/u'})).toBe('/home/u/.local/state/dagger-explore/notes')
  })
})

describe('resume state', () => {
  it('round-trips results, notes and sidecars, and holds no secret even encoded', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-log-'))
    const log = await SessionLog.create(dir, header, cells)
    await log.addResult(result())
    await log.addNote('environment', 'my token=hunter2secret')
    const text = await readFile(log.path, 'utf8')
    // The state lives beside the log now (statePath), not in a comment inside it.
    const state = await readFile(statePath(log.path), 'utf8')
    expect(readState(text)).toBeUndefined()
    expect(JSON.stringify(state)).not.toContain('hunter2secret')
    expect(Buffer.from(text).toString('utf8')).not.toContain('hunter2secret')
    const again = await SessionLog.resume(log.path, cells)
    expect(again.results().map((r) => r.cell)).toEqual(['environment'])
    expect(again.notesOf('environment')).toEqual(['my token=[REDACTED]'])
    await again.addNote('daemon', 'later')
    const after = await readFile(log.path, 'utf8')
    expect(after).toContain('## Environment')
    expect(after).toContain('> later')
  })
})
