import path from 'node:path'
import {Box, Text, useApp, useInput, useWindowSize, type Key} from 'ink'
import {lazy, Suspense, useCallback, useMemo, useRef, useState} from 'react'
import {STATUS_GLYPH, STATUS_LABEL} from '../core/notebook/markdown.js'
import {sanitize} from '../core/notebook/sanitize.js'
import {Recorder} from '../core/notebook/recorder.js'
import type {CellId, CellResult, CommandRecord, Confirm, ConfirmRequest, Status} from '../core/types.js'
import type {CellEntry} from '../cells/registry.js'
import {cellLines, type Line} from './cell-lines.js'
import {HelpOverlay} from './HelpOverlay.js'
import {actionFor, hintLine, keystrokes, type Mode} from './keymap.js'
import {INTRO, offerText, summarize, summaryLines, type GuideStage} from './guide.js'
import type {ComponentsView} from '../cells/components.js'
import type {LiveView} from '../cells/cell.js'
import type {BuildViewModel} from '../core/engine/build-view-model.js'
import {wrapLine} from './wrap.js'

/** What the notebook needs from a session: the real Session satisfies it. */
export interface NotebookSession {
  run(entry: CellEntry, extra?: {confirm?: Confirm; live?: (view: LiveView) => void}): Promise<CellResult>
  note(cell: CellId, text: string): Promise<void>
  recordRecipe(cell: CellId, recipe: string, commands: readonly CommandRecord[]): Promise<void>
  readonly log: {readonly path: string}
  readonly cwd: string
  componentsView(): ComponentsView | undefined
}

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
}

// The sub-views (markdown rendering with syntax highlighting, the filetree) are large: they load when
// first opened, so the notebook's first frame does not wait for them.
const RecipeScreen = lazy(async () => ({default: (await import('./recipe/RecipeScreen.js')).RecipeScreen}))
const BuildView = lazy(async () => ({default: (await import('./build/BuildView.js')).BuildView}))
const TreeExplorer = lazy(async () => ({default: (await import('./tree/TreeExplorer.js')).TreeExplorer}))

const STATUS_COLOR: Record<Status, string> = {pass: 'green', warn: 'yellow', fail: 'red', skipped: 'gray', crashed: 'magenta'}
const RAIL_WIDTH = 22

/** useState whose latest value is also readable synchronously, for handlers that run several times per render. */
function useLatest<T>(initial: T): [T, (next: T | ((previous: T) => T)) => void, {readonly current: T}] {
  const [value, setValue] = useState(initial)
  const ref = useRef(initial)
  const set = useCallback((next: T | ((previous: T) => T)) => {
    const resolved = typeof next === 'function' ? (next as (previous: T) => T)(ref.current) : next
    ref.current = resolved
    setValue(resolved)
  }, [])
  return [value, set, ref]
}

function LineView({line, width}: {readonly line: Line; readonly width: number}) {
  return (
    <Text
      wrap="truncate-end"
      bold={line.bold ?? false}
      dimColor={line.dim ?? false}
      {...(line.status ? {color: STATUS_COLOR[line.status]} : {})}
    >
      {line.text.length > width ? line.text.slice(0, width) : line.text || ' '}
    </Text>
  )
}

export function App({session, cells, onQuit, guided = false, initialResults, initialNotes}: AppProps) {
  const {exit} = useApp()
  const window = useWindowSize()
  const size = {columns: window.columns || 80, rows: window.rows || 24}
  const [selected, setSelected, selectedRef] = useLatest(0)
  const [results, setResults] = useState<ReadonlyMap<CellId, CellResult>>(initialResults ?? new Map())
  const [notes, setNotes] = useState<ReadonlyMap<CellId, readonly string[]>>(initialNotes ?? new Map())
  // Every run of every cell, so the summary can tell what was fixed along the way.
  const [history, setHistory] = useState<ReadonlyMap<CellId, readonly CellResult[]>>(
    new Map([...(initialResults ?? new Map<CellId, CellResult>()).entries()].map(([id, r]) => [id, [r]])),
  )
  const [guide, setGuide, guideRef] = useLatest<GuideStage>(guided ? 'intro' : 'off')
  const [offer, setOffer, offerRef] = useLatest<string | undefined>(undefined)
  const [recipe, setRecipe] = useState<{name: string; cell: CellId; recorder: Recorder} | undefined>()
  const [liveBuild, setLiveBuild] = useState<BuildViewModel | undefined>()
  const [treeView, setTreeView] = useState<ComponentsView | undefined>()
  const [running, setRunning] = useState<CellId | undefined>()
  const [mode, setMode, modeRef] = useLatest<Mode>('browse')
  const [draft, setDraft, draftRef] = useLatest('')
  const [scroll, setScroll] = useState(0)
  const [message, setMessage] = useState('')
  const [asking, setAsking] = useState<{request: ConfirmRequest; answer: (yes: boolean) => void} | undefined>()
  const quitting = useRef(false)

  // A cell asks before anything destructive: the prompt shows exactly what will run.
  const confirm = useCallback<Confirm>(
    (request) =>
      new Promise<boolean>((resolve) => {
        if (quitting.current) {
          resolve(false)
          return
        }
        setAsking({
          request,
          answer: (yes) => {
            setAsking(undefined)
            setMode('browse')
            resolve(yes)
          },
        })
        setMode('confirm')
      }),
    [],
  )

  const entry = cells[selected] as CellEntry
  const paneWidth = Math.max(20, size.columns - RAIL_WIDTH - 3)
  // Header and footer take 3 rows; one more row is kept free so the frame never fills the screen.
  const paneHeight = Math.max(5, size.rows - 4)

  const lines = useMemo(() => {
    const raw: Line[] =
      guide === 'intro'
        ? INTRO.map((text, i) => ({text, ...(i === 0 ? {bold: true} : {})}))
        : guide === 'summary'
          ? summaryLines(summarize(cells, history), session.log.path)
          : [
              ...(offer ? [{text: offer, bold: true}, {text: ''}] : []),
              ...cellLines(entry, results.get(entry.id), notes.get(entry.id) ?? [], running === entry.id),
            ]
    return raw.flatMap((l) => wrapLine(l, paneWidth))
  }, [entry, results, notes, running, paneWidth, guide, offer, history, cells, session])
  const maxScroll = Math.max(0, lines.length - paneHeight)

  const runSelected = useCallback(
    (target: CellEntry) => {
      if (running) {
        setMessage(`Wait: ${running} is still running.`)
        return
      }
      setRunning(target.id)
      setMessage('')
      setScroll(0)
      // A long step hands over a live view; the notebook shows it while the step runs.
      const live = (view: LiveView) => {
        if (view.kind !== 'build') return
        setLiveBuild(view.view)
        if (modeRef.current === 'browse') setMode('build')
      }
      void session.run(target, {confirm, live}).then(
        (result) => {
          if (quitting.current) return
          if (modeRef.current === 'build') setMode('browse')
          setResults((prev) => new Map(prev).set(target.id, result))
          setHistory((prev) => new Map(prev).set(target.id, [...(prev.get(target.id) ?? []), result]))
          setRunning(undefined)
          if (guideRef.current === 'walking') {
            const index = cells.findIndex((c) => c.id === target.id)
            setOffer(offerText(result, cells[index + 1]))
          }
        },
        (error: unknown) => {
          setRunning(undefined)
          setMessage(`Could not save the result: ${sanitize(error instanceof Error ? error.message : String(error))}`)
        },
      )
    },
    [running, session, confirm, cells, guideRef, setOffer, modeRef, setMode],
  )

  const openRecipe = useCallback(
    (cell: CellEntry) => {
      const finding = results.get(cell.id)?.findings.find((f) => f.recipe && f.status !== 'pass') ?? results.get(cell.id)?.findings.find((f) => f.recipe)
      if (!finding?.recipe) {
        setMessage(`No recipe is suggested for ${cell.title}${results.has(cell.id) ? '' : ' yet: run it first'}.`)
        return
      }
      setRecipe({name: finding.recipe, cell: cell.id, recorder: new Recorder()})
      setMode('recipe')
    },
    [results, setMode],
  )

  // A sub-view closes on a key the notebook also listens to (q, Esc): the notebook must not act on
  // that same key press, so the mode changes only after every listener has seen it.
  const leaveView = useCallback((then?: () => void) => {
    setTimeout(() => {
      setMode('browse')
      then?.()
    }, 0)
  }, [setMode])

  const closeRecipe = useCallback(() => {
    const open = recipe
    leaveView(() => setRecipe(undefined))
    if (!open) return
    void session.recordRecipe(open.cell, open.name, open.recorder.commands).then(
      () => {
        if (open.recorder.commands.length > 0) setMessage(`Recipe ${open.name}: ${open.recorder.commands.length} command(s) written to the notes.`)
      },
      (error: unknown) => setMessage(`Could not save the recipe run: ${sanitize(String(error))}`),
    )
  }, [recipe, session, leaveView])

  const quit = useCallback(
    (how: 'finished' | 'interrupted') => {
      if (quitting.current) return
      quitting.current = true
      onQuit(how)
      exit()
    },
    [exit, onQuit],
  )

  useInput((chunk, chunkKey) => {
    for (const {input, key} of keystrokes(chunk, chunkKey)) handleKey(input, key)
  })

  // Keys of one chunk arrive before React re-renders, so the handler reads the latest values from refs.
  function handleKey(input: string, key: Key): void {
    const mode = modeRef.current
    const entry = cells[selectedRef.current] as CellEntry
    if (key.ctrl && input === 'c') {
      asking?.answer(false)
      quit('interrupted')
      return
    }
    // These views read the keyboard themselves and call back when they close.
    if (mode === 'recipe' || mode === 'build' || mode === 'tree') return
    if (mode === 'confirm') {
      const action = actionFor('confirm', input, key)
      if (action === 'approve') asking?.answer(true)
      else if (action === 'decline') asking?.answer(false)
      return
    }
    if (mode === 'note') {
      const action = actionFor('note', input, key)
      if (action === 'saveNote') {
        const text = draftRef.current
        setMode('browse')
        setDraft('')
        if (text.trim() !== '') {
          setNotes((prev) => new Map(prev).set(entry.id, [...(prev.get(entry.id) ?? []), text.trimEnd()]))
          void session.note(entry.id, text).catch((error: unknown) => setMessage(sanitize(error instanceof Error ? error.message : String(error))))
          setMessage('Note saved.')
        }
        return
      }
      if (action === 'cancel') {
        setMode('browse')
        setDraft('')
        setMessage('Note discarded.')
        return
      }
      if (key.return) setDraft((d) => `${d}\n`)
      else if (key.backspace || key.delete) setDraft((d) => d.slice(0, -1))
      else if (!key.ctrl && !key.meta && input) setDraft((d) => d + sanitize(input))
      return
    }
    const action = actionFor(mode, input, key)
    if (mode === 'help') {
      if (action === 'cancel') setMode('browse')
      return
    }
    if (guideRef.current === 'intro' && (action === 'run' || action === 'stopGuide')) {
      if (action === 'run') {
        setGuide('walking')
        setSelected(0)
        runSelected(cells[0] as CellEntry)
      } else setGuide('off')
      return
    }
    if (guideRef.current === 'summary') {
      if (action === 'quit') quit('finished')
      else setGuide('off')
      return
    }
    if (offerRef.current !== undefined && (action === 'run' || action === 'stopGuide')) {
      setOffer(undefined)
      if (action === 'stopGuide') {
        setGuide('off')
        return
      }
      const next = cells[selectedRef.current + 1]
      if (next) {
        setSelected(selectedRef.current + 1)
        setScroll(0)
        runSelected(next)
      } else setGuide('summary')
      return
    }
    switch (action) {
      case 'up':
        setOffer(undefined)
        setSelected((s) => Math.max(0, s - 1))
        setScroll(0)
        break
      case 'down':
        setOffer(undefined)
        setSelected((s) => Math.min(cells.length - 1, s + 1))
        setScroll(0)
        break
      case 'run':
      case 'rerun':
        runSelected(entry)
        break
      case 'note':
        setMode('note')
        setDraft('')
        setMessage('')
        break
      case 'help':
        setMode('help')
        break
      case 'recipe':
        openRecipe(entry)
        break
      case 'open':
        if (entry.id === 'build' && liveBuild) setMode('build')
        else if (entry.id === 'components' && results.has('components')) {
          const view = session.componentsView()
          if (view) {
            setTreeView(view)
            setMode('tree')
          } else setMessage('The Components cell found no image to explore: run it against an engine first.')
        } else setMessage(`${entry.title} has no view to open${entry.id === 'build' || entry.id === 'components' ? ' until it has run' : ''}.`)
        break
      case 'scrollDown':
        setScroll((s) => Math.min(maxScroll, s + Math.max(1, paneHeight - 2)))
        break
      case 'scrollUp':
        setScroll((s) => Math.max(0, s - Math.max(1, paneHeight - 2)))
        break
      case 'quit':
        quit('finished')
        break
      default:
        break
    }
  }

  const visible = lines.slice(Math.min(scroll, maxScroll), Math.min(scroll, maxScroll) + paneHeight)
  const noteLines = draft.split('\n')

  return (
    <Box flexDirection="column" width={size.columns}>
      <Box>
        <Text bold>dagger-explore</Text>
        <Text dimColor>{`  notes: ${session.log.path}`}</Text>
      </Box>
      {mode === 'help' ? (
        <HelpOverlay height={paneHeight} />
      ) : mode === 'tree' && treeView ? (
        <Suspense fallback={<Text dimColor>Opening the filetree…</Text>}>
          <TreeExplorer
            image={treeView.inspection.image}
            tree={treeView.inspection.tree}
            checklist={treeView.checklist}
            readFile={treeView.readFile}
            name="engine image"
            exportDir={path.dirname(session.log.path)}
            height={paneHeight}
            width={size.columns}
            onClose={() => leaveView()}
          />
        </Suspense>
      ) : (
        <Box flexDirection="row" height={paneHeight}>
          <Box flexDirection="column" width={RAIL_WIDTH} marginRight={2}>
            {cells.map((cell, i) => {
              const result = results.get(cell.id)
              const status: Status | undefined = result?.status
              const mark = running === cell.id ? '…' : status ? STATUS_GLYPH[status] : cell.load ? '·' : ' '
              const label = running === cell.id ? 'RUN' : status ? STATUS_LABEL[status] : cell.load ? '' : 'n/a'
              return (
                <Text key={cell.id} inverse={i === selected} {...(status ? {color: STATUS_COLOR[status]} : {})} dimColor={!cell.load} wrap="truncate-end">
                  {`${i === selected ? '>' : ' '}${mark} ${cell.title.padEnd(13).slice(0, 13)}${label ? ` ${label}` : ''}`}
                </Text>
              )
            })}
          </Box>
          <Box flexDirection="column" width={paneWidth}>
            {mode === 'build' && liveBuild ? (
              <Suspense fallback={<Text dimColor>Opening the build output…</Text>}>
              <BuildView
                view={liveBuild}
                // Its summary, position and hint lines come on top of the output rows.
                height={Math.max(3, paneHeight - 3)}
                width={paneWidth}
                onClose={() => leaveView()}
                onOpenRegistry={() =>
                  leaveView(() => {
                    const index = cells.findIndex((c) => c.id === 'registry')
                    if (index >= 0) {
                      setSelected(index)
                      setMessage('The Registry cell probes the references the build failed on: press Enter to run it.')
                    }
                  })
                }
              />
              </Suspense>
            ) : mode === 'recipe' && recipe ? (
              <Suspense fallback={<Text dimColor>{`Opening the recipe ${recipe.name}…`}</Text>}>
                <RecipeScreen
                  name={recipe.name}
                  recorder={recipe.recorder}
                  onClose={closeRecipe}
                  width={paneWidth}
                  height={paneHeight}
                  env={process.env}
                  cwd={session.cwd}
                />
              </Suspense>
            ) : mode === 'confirm' && asking ? (
              <>
                <Text bold>{sanitize(asking.request.action)}</Text>
                <Text wrap="wrap">{sanitize(asking.request.why)}</Text>
                <Text> </Text>
                <Text>This will run:</Text>
                {asking.request.commands.map((c, i) => (
                  <Text key={i} color="cyan" wrap="wrap">{`  $ ${sanitize(c)}`}</Text>
                ))}
                <Text> </Text>
                <Text bold>Run it? y = yes, n or Esc = no</Text>
              </>
            ) : mode === 'note' ? (
              <>
                <Text bold>{`Note for ${entry.title} (Ctrl-D saves, Esc discards, Enter adds a line):`}</Text>
                {noteLines.slice(-Math.max(1, paneHeight - 2)).map((l, i, arr) => (
                  <Text key={i}>{`> ${l}${i === arr.length - 1 ? '█' : ''}`}</Text>
                ))}
              </>
            ) : (
              visible.map((line, i) => <LineView key={i} line={line} width={paneWidth} />)
            )}
          </Box>
        </Box>
      )}
      <Text dimColor wrap="truncate-end">
        {message !== '' ? message : maxScroll > 0 && mode === 'browse' ? `lines ${scroll + 1}-${Math.min(lines.length, scroll + paneHeight)} of ${lines.length}` : ' '}
      </Text>
      <Text dimColor wrap="truncate-end">
        {hintLine(mode)}
      </Text>
    </Box>
  )
}
