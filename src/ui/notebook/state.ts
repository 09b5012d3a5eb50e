import type {Key} from 'ink'
import type {CellId, ConfirmRequest} from '../../core/types.js'
import type {CellEntry} from '../../cells/registry.js'
import type {Mode} from '../keymap.js'
import {EMPTY_DRAFT, type Draft} from './editor.js'
import {latestResult, withRun, type History, type Run} from './history.js'
import {offerFor, type Offer} from './offer.js'

/** A question on screen: a cell's approval of a step, or quitting while a step runs. */
export interface Asking {
  readonly kind: 'cell' | 'quit'
  readonly request: ConfirmRequest
  /** Where the answer leads back to: a note being written or the summary stays open behind the question. */
  readonly returnTo: Mode
}

/** The notebook's whole state; App keeps effects and layout, everything else is here. */
export interface NotebookState {
  readonly cells: readonly CellEntry[]
  readonly selected: number
  readonly focus: 'rail' | 'pane'
  readonly mode: Mode
  readonly guide: 'intro' | 'walking' | 'off'
  readonly offer?: Offer
  readonly draft: Draft
  readonly scroll: number
  readonly running?: CellId
  /** Cells still to run after the running one (the run-all key). */
  readonly queue: readonly CellId[]
  readonly asking?: Asking
  readonly message: string
  readonly history: History
  /** An earlier run shown instead of the latest, by its index in the cell's history. */
  readonly viewing: ReadonlyMap<CellId, number>
  readonly notes: ReadonlyMap<CellId, readonly string[]>
  /** The search applied to the pane (n/N), and the one being typed after `/`. */
  readonly query: string
  readonly typing: string
  readonly summaryCursor: number
  readonly summaryScroll: number
  readonly helpScroll: number
  /** The build handed over a live view that `o` reopens. */
  readonly liveBuild: boolean
  readonly quitting: boolean
}

/** What the notebook asks App to do; the reducer itself never touches a session or the terminal. */
export type Effect =
  | {readonly kind: 'run'; readonly cell: CellEntry}
  | {readonly kind: 'note'; readonly cell: CellId; readonly text: string}
  | {readonly kind: 'answer'; readonly yes: boolean}
  | {readonly kind: 'quit'; readonly how: 'finished' | 'interrupted'}
  | {readonly kind: 'recipe'; readonly cell: CellId; readonly name: string}
  | {readonly kind: 'openTree'}

/** The rows on screen, which the keys scroll and search through. */
export interface View {
  readonly page: number
  readonly lines: readonly string[]
  /** For the summary: the cell each row jumps to (only a finding's first row has one). */
  readonly targets?: readonly (CellId | undefined)[]
}

export type Event =
  | {readonly type: 'key'; readonly input: string; readonly key: Key; readonly view: View}
  | {readonly type: 'finished'; readonly result: Run}
  | {readonly type: 'runFailed'; readonly message: string}
  | {readonly type: 'ask'; readonly request: ConfirmRequest}
  | {readonly type: 'live'}
  | {readonly type: 'closeView'; readonly select?: CellId; readonly message?: string}
  | {readonly type: 'opened'; readonly mode: Mode}
  | {readonly type: 'message'; readonly text: string}
  | {readonly type: 'interrupt'}

export interface Step {
  readonly state: NotebookState
  readonly effects: readonly Effect[]
}

export function initialState(cells: readonly CellEntry[], options: {guided?: boolean; history?: History; notes?: ReadonlyMap<CellId, readonly string[]>; askCheckout?: boolean} = {}): NotebookState {
  return {
    cells,
    selected: 0,
    focus: 'rail',
    mode: options.askCheckout ? 'checkout' : 'browse',
    guide: options.guided ? 'intro' : 'off',
    draft: EMPTY_DRAFT,
    scroll: 0,
    queue: [],
    message: '',
    history: options.history ?? new Map(),
    viewing: new Map(),
    notes: options.notes ?? new Map(),
    query: '',
    typing: '',
    summaryCursor: 0,
    summaryScroll: 0,
    helpScroll: 0,
    liveBuild: false,
    quitting: false,
  }
}

const RETURNABLE: ReadonlySet<Mode> = new Set(['note', 'summary', 'help', 'browse'])

export const selectedCell = (s: NotebookState): CellEntry => s.cells[s.selected] as CellEntry

/**
The run the pane shows for a cell: one the user stepped to with h/l, else the latest result that was
not a decline (a declined action never takes the place of what was found).
*/
export function shownRun(s: NotebookState, id: CellId): {run?: Run; index: number; count: number; latest: number} {
  const runs = s.history.get(id) ?? []
  const result = latestResult(runs)
  const latest = result ? runs.lastIndexOf(result) : runs.length - 1
  const at = s.viewing.get(id)
  const index = at !== undefined && runs[at] ? at : latest
  return {...(runs[index] ? {run: runs[index]} : {}), index, count: runs.length, latest}
}

/** The finding whose recipe R opens: the first open one with a recipe, else any with one. */
export function recipeOf(s: NotebookState, id: CellId): string | undefined {
  const result = latestResult(s.history.get(id))
  return (result?.findings.find((f) => f.recipe && f.status !== 'pass') ?? result?.findings.find((f) => f.recipe))?.recipe
}

export function canOpen(s: NotebookState, id: CellId): boolean {
  return (id === 'build' && s.liveBuild) || (id === 'components' && latestResult(s.history.get(id)) !== undefined)
}

/** Starts a cell unless one is running; the guided run and run-all come through here too. */
export function startRun(s: NotebookState, index: number, extra: Partial<NotebookState> = {}): Step {
  const cell = s.cells[index]
  if (!cell) return {state: s, effects: []}
  if (s.running) return {state: {...s, message: `Wait: ${s.running} is still running.`}, effects: []}
  const viewing = new Map(s.viewing)
  viewing.delete(cell.id)
  return {state: {...s, ...extra, selected: index, running: cell.id, scroll: 0, message: '', offer: undefined, viewing}, effects: [{kind: 'run', cell}]}
}

/** A note still being written when the notebook closes, marked as a draft; undefined when there is none. */
export function draftNote(s: NotebookState): string | undefined {
  return s.mode === 'note' && s.draft.text.trim() !== '' ? `(draft, not saved by the user) ${s.draft.text.trimEnd()}` : undefined
}

/** Events that do not come from the keyboard: results, questions, views opening and closing. */
export function onEvent(s: NotebookState, e: Exclude<Event, {type: 'key'}>): Step {
  switch (e.type) {
    case 'finished': {
      const index = s.cells.findIndex((c) => c.id === e.result.cell)
      const next: NotebookState = {
        ...s,
        running: undefined,
        history: withRun(s.history, e.result),
        mode: s.mode === 'build' ? 'browse' : s.mode,
        // A progress line of the finished step is stale now; a decline says what happened instead.
        message: e.result.declined ? `Declined: ${e.result.declined}. The earlier result stays.` : '',
      }
      if (s.quitting) return {state: next, effects: []}
      if (s.guide === 'walking') return {state: {...next, offer: offerFor(e.result, s.cells[index + 1], index + 1)}, effects: []}
      const [queued, ...rest] = s.queue
      if (queued) return startRun({...next, queue: rest}, s.cells.findIndex((c) => c.id === queued))
      return {state: next, effects: []}
    }
    case 'runFailed':
      return {state: {...s, running: undefined, queue: [], message: e.message}, effects: []}
    case 'ask':
      return {state: {...s, asking: {kind: 'cell', request: e.request, returnTo: RETURNABLE.has(s.mode) ? s.mode : 'browse'}, mode: 'confirm'}, effects: []}
    case 'live':
      return {state: {...s, liveBuild: true, mode: s.mode === 'browse' ? 'build' : s.mode}, effects: []}
    case 'closeView': {
      const selected = e.select ? s.cells.findIndex((c) => c.id === e.select) : -1
      return {state: {...s, mode: 'browse', ...(selected >= 0 ? {selected, scroll: 0} : {}), ...(e.message ? {message: e.message} : {})}, effects: []}
    }
    case 'opened':
      return {state: {...s, mode: e.mode}, effects: []}
    case 'message':
      return {state: {...s, message: e.text}, effects: []}
    case 'interrupt': {
      // Ctrl-C: a question on screen is answered no, and a note being written is kept as a draft.
      const effects: Effect[] = []
      if (s.asking?.kind === 'cell') effects.push({kind: 'answer', yes: false})
      const draft = draftNote(s)
      if (draft) effects.push({kind: 'note', cell: selectedCell(s).id, text: draft})
      effects.push({kind: 'quit', how: 'interrupted'})
      return {state: {...s, quitting: true, asking: undefined}, effects}
    }
  }
}
