import type {Key} from 'ink'
import {describe, expect, it} from 'vitest'
import type {CellEntry} from '../../src/cells/registry.js'
import type {CellId, Finding, Status} from '../../src/core/types.js'
import {hintLine} from '../../src/ui/keymap.js'
import {editDraft, EMPTY_DRAFT, type Draft} from '../../src/ui/notebook/editor.js'
import type {Run} from '../../src/ui/notebook/history.js'
import {keyContext, step} from '../../src/ui/notebook/keys.js'
import {paneLines} from '../../src/ui/notebook/pane-lines.js'
import {initialState, type Effect, type Event, type NotebookState, type View} from '../../src/ui/notebook/state.js'
import {summarize, summaryRows} from '../../src/ui/summary/summary.js'

const NONE: Key = {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false} as Key
const k = (over: Partial<Key> = {}): Key => ({...NONE, ...over})
const ENTER = k({return: true})
const ESC = k({escape: true})

const cell = (id: CellId, title: string): CellEntry => ({id, title, summary: `${title} summary`, load: async () => ({id, title, summary: '', run: async () => {}})})
const CELLS: CellEntry[] = [cell('environment', 'Environment'), cell('daemon', 'Docker daemon'), cell('build', 'Build engine'), cell('launch', 'Launch engine')]

let clock = 0
function run(id: CellId, status: Status, findings: Partial<Finding>[] = [], declined?: string): Run {
  clock++
  return {
    cell: id,
    title: CELLS.find((c) => c.id === id)?.title ?? id,
    status,
    startedAt: `2026-12-02T20:${String(clock).padStart(2, '0')}:00.000Z`,
    durationMs: 10,
    facts: [],
    findings: findings.map((f, i) => ({id: `f${i}`, status, title: `finding ${i}`, ...f}) as Finding),
    commands: [],
    ...(declined ? {declined} : {}),
  }
}

const VIEW: View = {page: 10, lines: []}
/** Feeds events through the reducer, collecting the effects. */
function feed(state: NotebookState, ...events: (Event | string | Key)[]): {state: NotebookState; effects: Effect[]} {
  const effects: Effect[] = []
  for (const e of events) {
    const event: Event = typeof e === 'string' ? {type: 'key', input: e, key: NONE, view: viewOf(state)} : 'type' in e ? e : {type: 'key', input: '', key: e, view: viewOf(state)}
    const next = step(state, event)
    state = next.state
    effects.push(...next.effects)
  }
  return {state, effects}
}
const viewOf = (s: NotebookState): View => {
  if (s.mode === 'summary') {
    const {lines, targets} = summaryRows(s.cells, s.history, 'notes.md', 78)
    return {page: 10, lines: lines.map((l) => l.text), targets}
  }
  return {...VIEW, lines: paneLines(s, 56).map((l) => l.text)}
}
const finished = (result: Run): Event => ({type: 'finished', result})

describe('run history and declines', () => {
  it('keeps every run; a decline is a new entry that never replaces the earlier result', () => {
    let {state} = feed(initialState(CELLS), 'j', 'j')
    const failed = run('build', 'fail', [{title: 'registry EOF while pulling golang'}])
    ;({state} = feed(state, ENTER, finished(failed)))
    const declined = run('build', 'warn', [{title: 'Not built: the build would replace the running dev engine'}], 'replace the running dev engine')
    ;({state} = feed(state, 'r', finished(declined)))
    expect(state.history.get('build')).toHaveLength(2)
    const pane = paneLines(state, 70).map((l) => l.text).join('\n')
    // The screen shows the failed build, not "WARN Not built", and says what was declined.
    expect(pane).toContain('FAIL')
    expect(pane).toContain('registry EOF while pulling golang')
    expect(pane).not.toContain('Not built')
    expect(pane).toMatch(/Declined at \d\d:\d\d:\d\d: replace the running dev engine/)
    expect(pane).toContain('Run 1 of 2 (the latest result; ] later)')
    expect(state.message).toContain('Declined')
    // The summary lists the failure (with the decline), never as passed.
    const summary = summarize(CELLS, state.history)
    expect(summary.left[0]).toMatchObject({cell: 'build', status: 'fail', declined: 'replace the running dev engine'})
    expect(summary.passed).toEqual([])
  })

  it('offers the earlier runs with [ and ] and says which one is shown', () => {
    let {state} = feed(initialState(CELLS), ENTER, finished(run('environment', 'fail', [{title: 'no socket'}])), 'r', finished(run('environment', 'pass', [{title: 'socket ok'}])))
    expect(hintLine('browse', keyContext(state, viewOf(state)))).toContain('[ earlier run')
    ;({state} = feed(state, '['))
    let pane = paneLines(state, 70).map((l) => l.text).join('\n')
    expect(pane).toContain('Run 1 of 2')
    expect(pane).toContain('no socket')
    expect(state.message).toBe('Run 1 of 2')
    expect(hintLine('browse', keyContext(state, viewOf(state)))).toContain('] later run')
    ;({state} = feed(state, ']'))
    pane = paneLines(state, 70).map((l) => l.text).join('\n')
    expect(pane).toContain('socket ok')
    expect(pane).toContain('Run 2 of 2 (the latest; [ earlier)')
  })
})

describe('keys per mode', () => {
  it('Enter continues the guided run (never re-runs), and the footer says so', () => {
    let {state, effects} = feed(initialState(CELLS, {guided: true}), ENTER)
    expect(effects).toEqual([{kind: 'run', cell: CELLS[0]}])
    ;({state} = feed(state, finished(run('environment', 'fail', [{title: 'No Docker socket', fix: 'start docker', recipe: 'dev-shell'}]))))
    const footer = hintLine('browse', keyContext(state, viewOf(state)))
    expect(footer).toContain('Enter continue')
    expect(footer).not.toContain('Enter run')
    expect(footer).toContain('R recipe')
    expect(footer).toContain('r re-run')
    expect(state.offer?.headline).toBe('Environment found a problem that blocks Docker daemon: No Docker socket.')
    ;({state, effects} = feed(state, ENTER))
    expect(effects).toEqual([{kind: 'run', cell: CELLS[1]}])
    expect(state.selected).toBe(1)
  })

  it('names one run key: Enter run for a cell not run yet, r re-run once it has a result (both keys still work)', () => {
    let {state} = feed(initialState(CELLS))
    let footer = hintLine('browse', keyContext(state, viewOf(state)))
    expect(footer).toContain('Enter run')
    expect(footer).not.toContain('re-run')
    ;({state} = feed(state, ENTER, finished(run('environment', 'pass'))))
    footer = hintLine('browse', keyContext(state, viewOf(state)))
    expect(footer).toContain('r re-run')
    expect(footer).not.toContain('Enter run')
    expect(feed(state, ENTER).effects).toEqual([{kind: 'run', cell: CELLS[0]}])
  })

  it('Enter while a step runs runs nothing and says why', () => {
    const {state, effects} = feed(initialState(CELLS), ENTER, 'j', ENTER)
    expect(effects).toHaveLength(1)
    expect(state.running).toBe('environment')
    expect(hintLine('browse', keyContext(state, viewOf(state)))).not.toContain('Enter run')
  })

  it('shows o only when the cell has a view to open and PgDn only when the pane scrolls', () => {
    let {state} = feed(initialState(CELLS), 'j', 'j')
    expect(hintLine('browse', keyContext(state, viewOf(state)))).not.toContain('o open')
    ;({state} = feed(state, ENTER, {type: 'live'}))
    expect(state.mode).toBe('build')
    ;({state} = feed(state, {type: 'closeView'}))
    expect(hintLine('browse', keyContext(state, viewOf(state)))).toContain('o open')
    expect(hintLine('browse', keyContext(state, {page: 5, lines: Array.from({length: 20}, () => 'x')}))).toContain('PgDn/Space more')
    expect(hintLine('browse', keyContext(state, viewOf(state)))).not.toContain('PgDn')
  })

  it('typed keys never fall through: q in a note is text, x in a confirmation and in the summary does nothing', () => {
    let {state, effects} = feed(initialState(CELLS), 'e', 'q', 'j', ENTER)
    expect(state.mode).toBe('note')
    expect(state.draft.text).toBe('qj\n')
    expect(effects).toEqual([])
    ;({state, effects} = feed(initialState(CELLS), ENTER, {type: 'ask', request: {action: 'Remove x', why: 'old', commands: ['docker rm x']}}, 'x', ENTER, 'q'))
    expect(state.mode).toBe('confirm')
    expect(effects).toHaveLength(1) // only the run
    ;({state, effects} = feed(state, 'n'))
    expect(effects).toEqual([{kind: 'answer', yes: false}])
    ;({state, effects} = feed(initialState(CELLS), 's', 'x', 'r'))
    expect(state.mode).toBe('summary')
    expect(effects).toEqual([])
  })

  it('q while a step runs asks first (the same confirmation), y quits, n stays', () => {
    let {state, effects} = feed(initialState(CELLS), ENTER, 'q')
    expect(state.mode).toBe('confirm')
    expect(state.asking?.request.action).toBe('Quit while Environment is running?')
    ;({state, effects} = feed(state, ESC))
    expect(state.mode).toBe('browse')
    expect(effects).toEqual([]) // n: nothing quits, the step runs on
    expect(state.running).toBe('environment')
    ;({effects} = feed(state, 'q', 'y'))
    expect(effects).toEqual([{kind: 'quit', how: 'finished'}])
    expect(feed(initialState(CELLS), 'q').effects).toEqual([{kind: 'quit', how: 'finished'}])
  })

  it('a question that comes up while writing a note leads back to the note', () => {
    let {state} = feed(initialState(CELLS), ENTER, 'e', 'half', {type: 'ask', request: {action: 'Remove x', why: 'old', commands: []}})
    expect(state.mode).toBe('confirm')
    ;({state} = feed(state, 'y'))
    expect(state.mode).toBe('note')
    expect(state.draft.text).toBe('half')
  })

  it('Ctrl-C keeps an unsaved note as a draft in the notes', () => {
    const {effects} = feed(initialState(CELLS), 'e', 'half a thought', {type: 'interrupt'})
    expect(effects).toEqual([
      {kind: 'note', cell: 'environment', text: '(draft, not saved by the user) half a thought'},
      {kind: 'quit', how: 'interrupted'},
    ])
  })

  it('g/G, Tab and the pane: the list moves, then the pane scrolls', () => {
    let {state} = feed(initialState(CELLS), 'G')
    expect(state.selected).toBe(3)
    ;({state} = feed(state, 'g', k({end: true})))
    expect(state.selected).toBe(3)
    ;({state} = feed(state, k({home: true}), k({tab: true})))
    expect(state.focus).toBe('pane')
    expect(state.selected).toBe(0)
    ;({state} = feed(state, 'h'))
    expect(state.focus).toBe('rail')
    ;({state} = feed(state, k({rightArrow: true}), 'j'))
    expect(state.focus).toBe('pane')
    expect(state.selected).toBe(0)
  })

  it('/ searches the pane and n/N step through the matches', () => {
    let {state} = feed(initialState(CELLS), ENTER, finished(run('environment', 'fail', Array.from({length: 30}, (_, i) => ({title: `line ${i} ${i % 10 === 0 ? 'needle' : ''}`})))))
    ;({state} = feed(state, '/', 'n', 'e', 'e', 'd', 'l', 'e', ENTER))
    expect(state.mode).toBe('browse')
    expect(state.query).toBe('needle')
    expect(state.message).toBe('"needle": match 1 of 3')
    const first = state.scroll
    ;({state} = feed(state, 'n'))
    expect(state.scroll).toBeGreaterThan(first)
    expect(state.message).toBe('"needle": match 2 of 3')
    ;({state} = feed(state, 'N'))
    expect(state.scroll).toBe(first)
    ;({state} = feed(state, ESC))
    expect(state.query).toBe('')
  })

  it('A runs every cell in order', () => {
    let {state, effects} = feed(initialState(CELLS), 'A')
    expect(effects).toEqual([{kind: 'run', cell: CELLS[0]}])
    ;({state, effects} = feed(state, finished(run('environment', 'pass'))))
    expect(effects).toEqual([{kind: 'run', cell: CELLS[1]}])
    ;({state, effects} = feed(state, finished(run('daemon', 'pass')), finished(run('build', 'pass')), finished(run('launch', 'pass'))))
    expect(effects.map((e) => (e.kind === 'run' ? e.cell.id : e.kind))).toEqual(['build', 'launch'])
    expect(state.running).toBeUndefined()
  })
})

describe('the footer', () => {
  it('fits the width, keeping the way back, help and quit', () => {
    for (const mode of ['browse', 'summary', 'help', 'note', 'confirm'] as const) {
      const line = hintLine(mode, {...keyContext(initialState(CELLS, {guided: true})), scrollable: true}, 60)
      expect(line.length).toBeLessThanOrEqual(60)
      if (mode === 'browse' || mode === 'summary') expect(line).toMatch(/q quit$/)
      if (mode === 'summary') expect(line).toContain('Esc/s notebook')
      if (mode === 'browse') expect(line).toContain('Esc stop guiding')
    }
  })
})

describe('the summary', () => {
  it('orders what is left by what blocks what, never lists a WARN as passed, and jumps to the cell', () => {
    let {state} = feed(
      initialState(CELLS),
      finished(run('environment', 'pass')),
      finished(run('daemon', 'warn', [{title: 'max-concurrent-downloads is 10'}])),
      finished(run('build', 'fail', [{title: 'registry EOF', fix: 'retry'}])),
    )
    const summary = summarize(CELLS, state.history)
    expect(summary.passed).toEqual(['Environment'])
    expect(summary.warned).toEqual(['Docker daemon'])
    expect(summary.left.map((l) => l.cell)).toEqual(['build', 'daemon'])
    expect(summary.notRun).toEqual(['Launch engine'])
    ;({state} = feed(state, 's'))
    expect(state.mode).toBe('summary')
    expect(hintLine('summary', keyContext(state, viewOf(state)))).toContain('Enter go to cell')
    ;({state} = feed(state, 'j', ENTER))
    expect(state.mode).toBe('browse')
    expect(state.selected).toBe(1)
    ;({state} = feed(state, 's', ENTER))
    expect(state.selected).toBe(2)
  })

  it('b scrolls the summary (it no longer discards it); Esc goes back', () => {
    let {state} = feed(initialState(CELLS), ...CELLS.map((c) => finished(run(c.id, 'fail', Array.from({length: 3}, (_, i) => ({title: `problem ${i}`, fix: 'a fix'}))))), 's', ' ', ' ')
    expect(state.summaryScroll).toBeGreaterThan(0)
    ;({state} = feed(state, 'b'))
    expect(state.mode).toBe('summary')
    ;({state} = feed(state, ESC))
    expect(state.mode).toBe('browse')
  })
})

describe('the note editor', () => {
  const type = (d: Draft, ...keys: (string | Partial<Key>)[]) => keys.reduce<Draft>((acc, x) => (typeof x === 'string' ? (editDraft(acc, x, NONE) ?? acc) : (editDraft(acc, '', k(x)) ?? acc)), d)
  it('edits like a line editor', () => {
    let d = type(EMPTY_DRAFT, 'socket lives here')
    d = type(d, {leftArrow: true}, {leftArrow: true}, {leftArrow: true}, {leftArrow: true}, 'not ')
    expect(d.text).toBe('socket lives not here')
    d = type(d, {home: true}, 'the ', {end: true}, '!')
    expect(d.text).toBe('the socket lives not here!')
    d = editDraft(d, 'w', k({ctrl: true})) ?? d
    expect(d.text).toBe('the socket lives not ')
    d = editDraft(d, '', k({backspace: true, meta: true})) ?? d
    expect(d.text).toBe('the socket lives ')
    d = editDraft(d, 'u', k({ctrl: true})) ?? d
    expect(d).toEqual({text: '', cursor: 0})
  })
})
