import type {Key} from 'ink'
import {actionFor, type KeyContext} from '../keymap.js'
import {editDraft, EMPTY_DRAFT} from './editor.js'
import {canOpen, onEvent, recipeOf, selectedCell, shownRun, startRun, type Event, type NotebookState, type Step, type View} from './state.js'

const same = (state: NotebookState): Step => ({state, effects: []})
const clamp = (n: number, max: number) => Math.max(0, Math.min(max, n))

/** What the footer and the key lookup need to know about the current moment. */
export function keyContext(s: NotebookState, view?: View): KeyContext {
  const id = selectedCell(s).id
  const shown = shownRun(s, id)
  return {
    guide: s.guide,
    offer: s.offer !== undefined,
    running: s.running !== undefined,
    canOpen: canOpen(s, id),
    canRecipe: recipeOf(s, id) !== undefined,
    hasEarlier: shown.index > 0,
    viewingEarlier: shown.index < shown.count - 1,
    query: s.query !== '',
    scrollable: view ? view.lines.length > view.page : false,
    ran: shown.count > 0,
  }
}

/** Rows of the pane that hold the search text, case-insensitively. */
function matches(view: View, query: string): number[] {
  const q = query.toLowerCase()
  return view.lines.flatMap((l, i) => (l.toLowerCase().includes(q) ? [i] : []))
}

function findMatch(s: NotebookState, view: View, query: string, direction: 1 | -1, from: number): Step {
  const rows = matches(view, query)
  if (rows.length === 0) return same({...s, query, message: `No match for "${query}".`})
  const row = direction === 1 ? (rows.find((r) => r > from) ?? rows[0]) : (rows.findLast((r) => r < from) ?? rows.at(-1))
  const at = row as number
  return same({...s, query, scroll: clamp(at, Math.max(0, view.lines.length - view.page)), message: `"${query}": match ${rows.indexOf(at) + 1} of ${rows.length}`})
}

/** One keystroke; only the current mode's keys act, every other key is ignored (never falls through). */
export function onKey(s: NotebookState, input: string, key: Key, view: View): Step {
  const action = actionFor(s.mode, input, key, keyContext(s, view))
  const maxScroll = Math.max(0, view.lines.length - view.page)
  const page = Math.max(1, view.page - 2)
  switch (s.mode) {
    case 'note': {
      const id = selectedCell(s).id
      if (action === 'saveNote') {
        const text = s.draft.text.trimEnd()
        if (text.trim() === '') return same({...s, mode: 'browse', draft: EMPTY_DRAFT, message: 'Empty note: nothing saved.'})
        const notes = new Map(s.notes).set(id, [...(s.notes.get(id) ?? []), text])
        return {state: {...s, mode: 'browse', draft: EMPTY_DRAFT, notes, message: 'Note saved.'}, effects: [{kind: 'note', cell: id, text}]}
      }
      if (action === 'cancel') return same({...s, mode: 'browse', draft: EMPTY_DRAFT, message: 'Note discarded.'})
      const draft = editDraft(s.draft, input, key)
      return draft ? same({...s, draft}) : same(s)
    }
    case 'confirm': {
      if (action !== 'approve' && action !== 'decline') return same(s)
      const yes = action === 'approve'
      const state = {...s, mode: s.asking?.returnTo ?? 'browse', asking: undefined}
      if (s.asking?.kind === 'quit') return yes ? {state: {...state, quitting: true}, effects: [{kind: 'quit', how: 'finished'}]} : same(state)
      return {state, effects: [{kind: 'answer', yes}]}
    }
    case 'search': {
      if (action === 'apply') return s.typing === '' ? same({...s, mode: 'browse'}) : findMatch({...s, mode: 'browse', typing: ''}, view, s.typing, 1, s.scroll - 1)
      if (action === 'cancel') return same({...s, mode: 'browse', typing: ''})
      if (key.backspace) return same({...s, typing: s.typing.slice(0, -1)})
      if (!key.ctrl && !key.meta && input && !/[\u0000-\u001F]/.test(input)) return same({...s, typing: s.typing + input})
      return same(s)
    }
    case 'help':
      if (action === 'back') return same({...s, mode: 'browse', helpScroll: 0})
      if (action === 'down' || action === 'up') return same({...s, helpScroll: clamp(s.helpScroll + (action === 'down' ? 1 : -1), maxScroll)})
      if (action === 'pageDown' || action === 'pageUp') return same({...s, helpScroll: clamp(s.helpScroll + (action === 'pageDown' ? page : -page), maxScroll)})
      return same(s)
    case 'summary':
      return onSummaryKey(s, action, view)
    case 'browse':
      return onBrowseKey(s, action, view)
    default:
      // The recipe, build and tree views read their own keys.
      return same(s)
  }
}

function onSummaryKey(s: NotebookState, action: ReturnType<typeof actionFor>, view: View): Step {
  const stops = (view.targets ?? []).flatMap((t, i) => (t ? [i] : []))
  const maxScroll = Math.max(0, view.lines.length - view.page)
  // The cursor moves between findings; the view follows it, and pages through the text between them.
  const moveTo = (cursor: number): Step => {
    const row = stops[cursor] ?? 0
    const scroll = row < s.summaryScroll ? row : row >= s.summaryScroll + view.page ? row - view.page + 1 : s.summaryScroll
    return same({...s, summaryCursor: cursor, summaryScroll: clamp(scroll, maxScroll)})
  }
  switch (action) {
    case 'down':
      return moveTo(Math.min(stops.length - 1, s.summaryCursor + 1))
    case 'up':
      return moveTo(Math.max(0, s.summaryCursor - 1))
    case 'top':
      return same({...s, summaryCursor: 0, summaryScroll: 0})
    case 'bottom':
      return same({...s, summaryCursor: Math.max(0, stops.length - 1), summaryScroll: maxScroll})
    case 'pageDown':
    case 'pageUp': {
      const scroll = clamp(s.summaryScroll + (action === 'pageDown' ? 1 : -1) * Math.max(1, view.page - 2), maxScroll)
      const visible = stops.findIndex((r) => r >= scroll && r < scroll + view.page)
      return same({...s, summaryScroll: scroll, summaryCursor: visible >= 0 ? visible : s.summaryCursor})
    }
    case 'jump': {
      const target = view.targets?.[stops[s.summaryCursor] ?? -1]
      const index = target ? s.cells.findIndex((c) => c.id === target) : -1
      if (index < 0) return same({...s, message: 'Nothing is left to do: no finding to go to.'})
      return same({...s, mode: 'browse', selected: index, scroll: 0, focus: 'pane', guide: 'off', offer: undefined})
    }
    case 'runAll':
      return runAll({...s, mode: 'browse', guide: 'off', offer: undefined})
    case 'back':
      return same({...s, mode: 'browse', guide: 'off', offer: undefined})
    case 'help':
      return same({...s, mode: 'help', helpScroll: 0})
    case 'quit':
      return quit(s)
    default:
      return same(s)
  }
}

function runAll(s: NotebookState): Step {
  const ids = s.cells.filter((c) => c.load).map((c) => c.id)
  const [first, ...rest] = ids
  if (!first) return same(s)
  return startRun({...s, queue: rest}, s.cells.findIndex((c) => c.id === first))
}

function quit(s: NotebookState): Step {
  if (!s.running) return {state: {...s, quitting: true}, effects: [{kind: 'quit', how: 'finished'}]}
  const title = s.cells.find((c) => c.id === s.running)?.title ?? s.running
  const request = {action: `Quit while ${title} is running?`, why: 'The running step is stopped and its result is not kept; everything before it is in the notes.', commands: []}
  return same({...s, mode: 'confirm', asking: {kind: 'quit', request, returnTo: s.mode}})
}

function onBrowseKey(s: NotebookState, action: ReturnType<typeof actionFor>, view: View): Step {
  const entry = selectedCell(s)
  const maxScroll = Math.max(0, view.lines.length - view.page)
  const page = Math.max(1, view.page - 2)
  const select = (index: number): Step => same({...s, selected: clamp(index, s.cells.length - 1), scroll: 0, message: '', offer: index === s.selected ? s.offer : undefined})
  const scrollBy = (n: number): Step => same({...s, scroll: clamp(s.scroll + n, maxScroll)})
  const inPane = s.focus === 'pane'
  switch (action) {
    case 'continue': {
      if (s.guide === 'intro') return startRun({...s, guide: 'walking'}, 0)
      const next = s.offer?.next
      if (next === undefined) return same({...s, mode: 'summary', guide: 'off', offer: undefined, summaryCursor: 0, summaryScroll: 0})
      return startRun(s, next)
    }
    case 'run':
      return entry.load ? startRun(s, s.selected) : same({...s, message: `${entry.title} cannot run yet: ${entry.pending ?? 'it is not available'}`})
    case 'rerun':
      return entry.load ? startRun({...s, offer: s.offer}, s.selected) : same(s)
    case 'runAll':
      return runAll({...s, guide: 'off', offer: undefined})
    case 'up':
      return inPane ? scrollBy(-1) : select(s.selected - 1)
    case 'down':
      return inPane ? scrollBy(1) : select(s.selected + 1)
    case 'top':
      return inPane ? same({...s, scroll: 0}) : select(0)
    case 'bottom':
      return inPane ? same({...s, scroll: maxScroll}) : select(s.cells.length - 1)
    case 'pageDown':
      return scrollBy(page)
    case 'pageUp':
      return scrollBy(-page)
    case 'focus':
      return same({...s, focus: inPane ? 'rail' : 'pane'})
    case 'rail':
    case 'pane':
      return same({...s, focus: action})
    case 'note':
      return same({...s, mode: 'note', draft: EMPTY_DRAFT, message: ''})
    case 'open':
      if (entry.id === 'build') return same({...s, mode: 'build'})
      return {state: s, effects: [{kind: 'openTree'}]}
    case 'recipe': {
      const name = recipeOf(s, entry.id)
      return name ? {state: {...s, mode: 'recipe'}, effects: [{kind: 'recipe', cell: entry.id, name}]} : same(s)
    }
    case 'earlier':
    case 'later': {
      const shown = shownRun(s, entry.id)
      const index = clamp(shown.index + (action === 'earlier' ? -1 : 1), shown.count - 1)
      const viewing = new Map(s.viewing)
      if (index === shown.latest) viewing.delete(entry.id)
      else viewing.set(entry.id, index)
      return same({...s, viewing, scroll: 0, message: `Run ${index + 1} of ${shown.count}${index === shown.count - 1 ? ' (the latest)' : ''}`})
    }
    case 'summary':
      return same({...s, mode: 'summary', summaryCursor: 0, summaryScroll: 0})
    case 'search':
      return same({...s, mode: 'search', typing: ''})
    case 'nextMatch':
      return findMatch(s, view, s.query, 1, s.scroll)
    case 'previousMatch':
      return findMatch(s, view, s.query, -1, s.scroll)
    case 'back':
      if (s.query !== '' && s.guide === 'off') return same({...s, query: '', message: ''})
      return same({...s, guide: 'off', offer: undefined, query: ''})
    case 'help':
      return same({...s, mode: 'help', helpScroll: 0})
    case 'quit':
      return quit(s)
    default:
      return same(s)
  }
}

/** The reducer: every event in, the next state and the effects App carries out. */
export function step(s: NotebookState, e: Event): Step {
  return e.type === 'key' ? onKey(s, e.input, e.key, e.view) : onEvent(s, e)
}
