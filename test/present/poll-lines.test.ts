import {describe, expect, it} from 'vitest'
import {cellJson, renderCellPlain} from '../../src/cli/render-plain.js'
import {renderSession, type SessionDocument} from '../../src/core/notebook/markdown.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {pollOf, pollText} from '../../src/core/present/polls.js'
import type {CellResult, CommandRecord} from '../../src/core/types.js'
import {cellLines} from '../../src/ui/cell-lines.js'
import {wrapLine} from '../../src/ui/wrap.js'

const T0 = Date.parse('2026-11-23T10:00:00.000Z')
const REQUEST = 'GET /containers/dagger-engine.dev/json'

/** What Launch's wait records: one inspection every ~512 ms, each answering with the container's state. */
function polls(states: readonly string[]): CommandRecord[] {
  const rec = new Recorder()
  states.forEach((state, i) => rec.record({kind: 'api', argv: ['GET', '/containers/dagger-engine.dev/json'], exitCode: 0, output: `State.Status: ${state}`, startedAt: new Date(T0 + i * 512).toISOString(), durationMs: 12}))
  rec.record({kind: 'api', argv: ['GET', '/_ping'], exitCode: 0, output: 'OK', startedAt: new Date(T0 + states.length * 512).toISOString(), durationMs: 3})
  return rec.commands
}

const launch = (commands: readonly CommandRecord[]): CellResult => ({cell: 'launch', title: 'Launch engine', status: 'pass', startedAt: new Date(T0).toISOString(), durationMs: 61_000, facts: [], findings: [], commands})
const entry = {id: 'launch' as const, title: 'Launch engine', summary: 'Start the dev engine.'}
const markdown = (r: CellResult) =>
  renderSession({header: {startedAt: new Date(T0), host: 'h', os: 'linux', versions: 'v', dockerEndpoint: 'unix:///var/run/docker.sock'}, sections: [{id: 'launch', title: 'Launch engine', result: r, notes: []}], sidecars: new Map()})

describe('a poll is one line with a count, the same in the TUI, --plain and the log', () => {
  const same = launch(polls(Array.from({length: 118}, () => 'running')))
  const line = '×118 over 59.9 s, the same answer each time'

  it('the presenter names the count and span once', () => {
    const [poll, ping] = same.commands
    expect(pollText(poll!)).toBe(line)
    expect(pollOf(poll!)).toEqual({count: 118, overSeconds: 59.9})
    expect(pollText(ping!)).toBe('')
    expect(pollOf(ping!)).toBeUndefined()
  })

  it('TUI, --plain and the markdown log each show the request once, with that count', () => {
    // The TUI puts the count on a line of its own under the request, which wraps instead of being cut at the pane's edge.
    const lines = cellLines(entry, same, [], false)
    const tui = lines.map((l) => l.text)
    const at = tui.indexOf(`API ${REQUEST}  (exit 0)`)
    expect(tui.filter((t) => t.includes(REQUEST))).toHaveLength(1)
    expect(tui[at + 1]).toBe(`  ${line}`)
    expect(lines[at + 1]?.verbatim).toBeUndefined()
    for (let width = 30; width <= 120; width++) {
      const rows = lines.flatMap((l) => wrapLine(l, width)).map((r) => r.text)
      expect(rows.join(' ').replace(/\s+/g, ' '), `${width}`).toContain(line)
    }
    expect(tui).toContain('API GET /_ping  (exit 0, 3 ms)')
    const plain = renderCellPlain(same, {color: false, verbose: true}).split('\n')
    expect(plain.filter((t) => t.includes(REQUEST))).toEqual([`    API ${REQUEST}  ${line} (exit 0)`])
    expect(plain.filter((t) => t.includes('State.Status'))).toEqual(['      | State.Status: running'])
    const md = markdown(same)
    expect(md.split(REQUEST)).toHaveLength(2)
    expect(md).toContain(`# Docker API: ${REQUEST}  ${line}\nState.Status: running\n\`\`\`\n\n(exit 0)\n`)
  })

  it('an answer that changed shows the first and the last, named, everywhere', () => {
    const changed = launch(polls(['created', 'created', 'running']))
    const tui = cellLines(entry, changed, [], false).map((l) => l.text)
    const at = tui.indexOf(`API ${REQUEST}  (exit 0)`) + 1
    expect(tui[at]).toBe('  ×3 over 1.0 s, the answer changed')
    expect(tui.slice(at + 1, at + 5)).toEqual(['  # first answer:', '  State.Status: created', `  # last answer (from ${new Date(T0 + 1024).toISOString()}):`, '  State.Status: running'])
    expect(renderCellPlain(changed, {color: false})).toContain(`    API ${REQUEST}  ×3 over 1.0 s, the answer changed (exit 0)\n`)
    expect(markdown(changed)).toContain(`# Docker API: ${REQUEST}  ×3 over 1.0 s, the answer changed\n# first answer:\nState.Status: created\n# last answer (from ${new Date(T0 + 1024).toISOString()}):\nState.Status: running\n`)
  })

  it('--json carries the count, the span and the first answer on the recorded call; a single call has count 1', () => {
    const [poll, ping] = cellJson(launch(polls(['created', 'running', 'running']))).commands as Record<string, unknown>[]
    expect(poll).toMatchObject({argv: ['GET', '/containers/dagger-engine.dev/json'], output: 'State.Status: running', count: 3, overSeconds: 1, firstOutput: 'State.Status: created'})
    expect(ping).toMatchObject({argv: ['GET', '/_ping'], count: 1, overSeconds: null, firstOutput: null})
    const [steady] = cellJson(same).commands as Record<string, unknown>[]
    expect(steady).toMatchObject({count: 118, overSeconds: 59.9, firstOutput: null})
  })
})
