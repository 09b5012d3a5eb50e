import path from 'node:path'
import {Box, Text, useApp, useInput, useWindowSize} from 'ink'
import {lazy, Suspense, useCallback, useEffect, useRef, useState} from 'react'
import {sanitize} from '../core/notebook/sanitize.js'
import type {Recorder} from '../core/notebook/recorder.js'
import type {CellId, CellResult, Confirm} from '../core/types.js'
import type {CellEntry} from '../cells/registry.js'
import type {ComponentsView} from '../cells/components.js'
import type {BuildViewModel} from '../core/engine/build-view-model.js'
import {Confirm as ConfirmBox} from './Confirm.js'
import {HelpOverlay, helpRows} from './HelpOverlay.js'
import {hintLine, keystrokes, type Mode} from './keymap.js'
import {FirstStart} from './first-start/FirstStart.js'
import {headerDetail} from './notebook/header.js'
import {historyFrom} from './notebook/history.js'
import {keyContext} from './notebook/keys.js'
import {LinesBox} from './notebook/Lines.js'
import {NoteEditor} from './notebook/NoteEditor.js'
import {paneLines} from './notebook/pane-lines.js'
import {RAIL_WIDTH, Rail} from './notebook/Rail.js'
import {draftNote, initialState, selectedCell, type Effect, type NotebookState, type View} from './notebook/state.js'
import {useNotebook} from './notebook/use-notebook.js'
import {runEffect, type NotebookSession} from './notebook/effects.js'
import {summaryRows} from './summary/summary.js'
import {SummaryView} from './summary/SummaryView.js'

export type {NotebookSession} from './notebook/effects.js'

export interface AppProps {
  readonly session: NotebookSession
  readonly cells: readonly CellEntry[]
  /** Called once when the user quits; `interrupted` for Ctrl-C. */
  readonly onQuit: (how: 'finished' | 'interrupted') => void
  /** Start with the intro and walk the cells in order, offering each next step. */
  readonly guided?: boolean
  /** A resumed session's results and notes. */
  readonly initialResults?: ReadonlyMap<CellId, CellResult>
  readonly initialNotes?: ReadonlyMap<CellId, readonly string[]>
  /**
  No checkout was found (no --dagger-src, none at or above `cwd`): the notebook first asks for its
  path and hands the root to `onChosen`, so the engine cells run on it instead of each failing.
  */
  readonly askCheckout?: {readonly cwd: string; readonly onChosen: (root: string) => void}
}

// The sub-views (markdown rendering with syntax highlighting, the filetree) are large: they load when
// first opened, so the notebook's first frame does not wait for them.
const RecipeScreen = lazy(async () => ({default: (await import('./recipe/RecipeScreen.js')).RecipeScreen}))
const BuildView = lazy(async () => ({default: (await import('./build/BuildView.js')).BuildView}))
const TreeExplorer = lazy(async () => ({default: (await import('./tree/TreeExplorer.js')).TreeExplorer}))

/** Modes whose keys the notebook reads; the recipe, build and tree views read their own. */
const OWN_KEYS: ReadonlySet<Mode> = new Set(['browse', 'note', 'help', 'confirm', 'summary', 'search'])

/** Header, message and footer rows around the body. */
const CHROME = 3

export function App({session, cells, onQuit, guided = false, initialResults, initialNotes, askCheckout}: AppProps) {
  const {exit} = useApp()
  const window = useWindowSize()
  const columns = window.columns || 80
  const rows = window.rows || 24
  const bodyHeight = Math.max(1, rows - CHROME)
  const paneWidth = Math.max(20, columns - RAIL_WIDTH - 2)
  const answer = useRef<((yes: boolean) => void) | undefined>(undefined)
  const liveBuild = useRef<BuildViewModel | undefined>(undefined)
  const [recipe, setRecipe] = useState<{name: string; cell: CellId; recorder: Recorder} | undefined>()
  const [treeView, setTreeView] = useState<ComponentsView | undefined>()
  // The last frame is an empty one, so what is printed after the notebook starts on a clean line.
  const [exiting, setExiting] = useState(false)
  useEffect(() => {
    if (exiting) exit()
  }, [exiting, exit])

  const viewOf = (s: NotebookState): View => {
    if (s.mode === 'summary') {
      const {lines, targets} = summaryRowsOf(s)
      return {page: bodyHeight, lines: lines.map((l) => l.text), targets}
    }
    if (s.mode === 'help') return {page: bodyHeight, lines: helpRows(columns).map((l) => l.text)}
    return {page: bodyHeight, lines: paneLines(s, paneWidth).map((l) => l.text)}
  }
  const summaryRowsOf = (s: NotebookState) => summaryRows(s.cells, s.history, session.log.path, columns - 2)

  const confirm = useCallback<Confirm>(
    (request) =>
      new Promise<boolean>((resolve) => {
        if (notebook.current.current?.quitting) return resolve(false)
        answer.current = resolve
        notebook.dispatch({type: 'ask', request})
      }),
    [],
  )

  const run = (effect: Effect): void =>
    runEffect(effect, {session, dispatch: notebook.dispatch, confirm, answer, liveBuild, onQuit, exit: () => setExiting(true), setRecipe, setTreeView})

  const notebook = useNotebook(
    () => initialState(cells, {guided, history: historyFrom({results: initialResults ?? new Map(), ...(session.history ? {history: (id: CellId) => session.history?.(id) ?? []} : {})}, cells.map((c) => c.id)), ...(initialNotes ? {notes: initialNotes} : {}), askCheckout: askCheckout !== undefined}),
    viewOf,
    run,
  )
  const state = notebook.state
  // Closed from outside (SIGTERM, SIGHUP unmount the app): a note being written is kept as a draft.
  // The log takes the note in synchronously, so the closing save that follows has it.
  useEffect(
    () => () => {
      const last = notebook.current.current
      const draft = last && !last.quitting ? draftNote(last) : undefined
      if (last && draft) void session.note(selectedCell(last).id, draft).catch(() => undefined)
    },
    [],
  )
  const entry = selectedCell(state)

  useInput(
    (chunk, chunkKey) => {
      for (const {input, key} of keystrokes(chunk, chunkKey)) notebook.dispatch(key.ctrl && input === 'c' ? {type: 'interrupt'} : {type: 'key', input, key})
    },
    {isActive: OWN_KEYS.has(state.mode) && !state.quitting},
  )
  // Ctrl-C quits from every view, also those that read their own keys.
  useInput((input, key) => key.ctrl && input === 'c' && notebook.dispatch({type: 'interrupt'}), {isActive: !OWN_KEYS.has(state.mode) && !state.quitting})

  const closeRecipe = () => {
    const open = recipe
    setRecipe(undefined)
    notebook.dispatch({type: 'closeView'})
    if (!open || open.recorder.commands.length === 0) return
    void session.recordRecipe(open.cell, open.name, open.recorder.commands).then(
      () => notebook.dispatch({type: 'message', text: `Recipe ${open.name}: ${open.recorder.commands.length} command(s) written to the notes.`}),
      (error: unknown) => notebook.dispatch({type: 'message', text: `Could not save the recipe run: ${sanitize(String(error))}`}),
    )
  }

  if (exiting) return null

  const view = viewOf(state)
  const context = keyContext(state, view)
  const scroll = Math.min(state.scroll, Math.max(0, view.lines.length - view.page))
  const position =
    state.mode === 'search'
      ? `/${state.typing}█`
      : state.message !== ''
        ? state.message
        : state.mode === 'browse' && view.lines.length > view.page
          ? `lines ${scroll + 1}-${Math.min(view.lines.length, scroll + view.page)} of ${view.lines.length}`
          : ' '

  const pane = (() => {
    if (state.mode === 'build' && liveBuild.current) {
      return (
        <Suspense fallback={<Text dimColor>Opening the build output…</Text>}>
          <BuildView
            view={liveBuild.current}
            // Its summary, position and hint lines come on top of the output rows.
            height={Math.max(3, rows - 3)}
            width={columns}
            onClose={() => notebook.dispatch({type: 'closeView'})}
            onOpenRegistry={() => notebook.dispatch({type: 'closeView', select: 'registry', message: 'The Registry cell probes the references the build failed on: press Enter to run it.'})}
          />
        </Suspense>
      )
    }
    if (state.mode === 'tree' && treeView) {
      return (
        <Suspense fallback={<Text dimColor>Opening the filetree…</Text>}>
          <TreeExplorer
            image={treeView.inspection.image}
            tree={treeView.inspection.tree}
            checklist={treeView.checklist}
            readFile={treeView.readFile}
            name="engine image"
            exportDir={path.dirname(session.log.path)}
            height={rows}
            width={columns}
            onClose={() => notebook.dispatch({type: 'closeView'})}
          />
        </Suspense>
      )
    }
    if (state.mode === 'recipe' && recipe) {
      return (
        <Suspense fallback={<Text dimColor>{`Opening the recipe ${recipe.name}…`}</Text>}>
          <RecipeScreen name={recipe.name} recorder={recipe.recorder} onClose={closeRecipe} width={columns} height={rows} env={process.env} cwd={session.cwd} />
        </Suspense>
      )
    }
    if (state.mode === 'confirm' && state.asking) return <ConfirmBox request={state.asking.request} width={paneWidth} height={bodyHeight} />
    if (state.mode === 'note') return <NoteEditor title={entry.title} draft={state.draft} width={paneWidth} height={bodyHeight} />
    return <LinesBox lines={paneLines(state, paneWidth)} scroll={scroll} width={paneWidth} height={bodyHeight} />
  })()

  const body = (() => {
    if (state.mode === 'help') return <HelpOverlay height={bodyHeight} width={columns} scroll={state.helpScroll} />
    if (state.mode === 'summary') {
      const {lines, targets} = summaryRowsOf(state)
      return <SummaryView lines={lines} targets={targets} cursor={state.summaryCursor} scroll={state.summaryScroll} width={columns} height={bodyHeight} />
    }
    if (state.mode === 'checkout' && askCheckout) {
      const chosen = (root: string) => {
        askCheckout.onChosen(root)
        notebook.dispatch({type: 'closeView', message: `Using the dagger checkout at ${root}.`})
      }
      const skip = () => notebook.dispatch({type: 'closeView', message: 'No checkout: the engine cells will say what they need.'})
      return <FirstStart cwd={askCheckout.cwd} width={columns} height={bodyHeight} active onChosen={chosen} onSkip={skip} />
    }
    return (
      <Box flexDirection="row" height={bodyHeight}>
        <Rail state={state} height={bodyHeight} />
        <Box width={2} />
        <Box flexDirection="column" width={paneWidth} height={bodyHeight}>
          {pane}
        </Box>
      </Box>
    )
  })()

  // The build log, the recipe and the explorer have their own keys and footer, so they get every row: their header first, their footer last.
  const ownView = (state.mode === 'build' && liveBuild.current) || (state.mode === 'recipe' && recipe) || (state.mode === 'tree' && treeView) ? pane : undefined
  if (ownView !== undefined) {
    return (
      <Box flexDirection="column" width={columns} height={rows} overflow="hidden">
        {ownView}
      </Box>
    )
  }
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Text wrap="truncate-end">
        <Text bold>dagger-explore</Text>
        <Text dimColor>{sanitize(headerDetail(session.log.checkoutRoot, session.log.path))}</Text>
      </Text>
      <Box height={bodyHeight} overflow="hidden">
        {body}
      </Box>
      <Text dimColor wrap="truncate-end">
        {position}
      </Text>
      <Text dimColor wrap="truncate-end">
        {OWN_KEYS.has(state.mode) || state.mode === 'checkout' ? hintLine(state.mode, context, columns) || ' ' : ' '}
      </Text>
    </Box>
  )
}
