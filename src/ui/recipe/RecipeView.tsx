import {Box, Text, useApp, useInput, useStdout} from 'ink'
import stripAnsi from 'strip-ansi'
import {useCallback, useMemo, useRef, useState} from 'react'
import type {Recorder} from '../../core/notebook/recorder.js'
import {sanitize} from '../../core/notebook/sanitize.js'
import {valuesOf} from '../../core/recipes/fill.js'
import type {PlannedStep, RecipePlan} from '../../core/recipes/plan.js'
import {describeDryRun, runStep, type RunStepOptions, type StepOutcome} from '../../core/recipes/run.js'
import {recipeRunResult} from '../../core/recipes/result.js'
import type {PreparedStep} from '../../core/recipes/types.js'
import type {CellResult} from '../../core/types.js'
import {anyWider, shiftBy, sideways, widestOf} from '../../core/present/sideways.js'
import {renderRecipeMarkdown} from './markdown.js'
import {budget, commandText, findLine, fitRows, panelRows, stepItems, wrapRows, type Panel} from './rows.js'

export type StepRunner = (prepared: PreparedStep, options: RunStepOptions) => Promise<StepOutcome>

export interface RecipeViewProps {
  readonly plan: RecipePlan
  /** Runs are recorded here; the notebook adds them to the session log. */
  readonly recorder: Recorder
  readonly onClose: () => void
  /** Told after each run with the recipe's runs so far as a notebook result: hand it to the session log (`addResult`). */
  readonly onRan?: (outcome: StepOutcome, result: CellResult) => void
  readonly width?: number
  readonly height?: number
  readonly color?: boolean
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
  /** Replaces the real runner (tests). */
  readonly runner?: StepRunner
  /** Puts text on the clipboard; by default an OSC 52 sequence, which most terminals (and tmux with set-clipboard) honour. */
  readonly copy?: (text: string) => void
}

const HINT = '↑↓ step  Enter run  d dry run  c copy  PgUp/PgDn scroll  q back   (⇄ takes the terminal, ? optional)'
/** Header, separator, step list, step title and footer. */
const CHROME_ROWS = 5

/** The header names the recipe: its markdown's title line would say it twice. */
function withoutTitle(lines: string[], title: string): string[] {
  if (stripAnsi(lines[0] ?? '').replace(/^#+\s*/, '').trim() !== title.trim()) return lines
  return lines.slice(lines[1]?.trim() === '' ? 2 : 1)
}

/**
A recipe: its markdown, its steps with the values of this machine filled in, and for each step copy,
dry run, or run after confirmation. A step that needs the terminal (a debugger, a shell) gets it through
Ink's suspendTerminal and gives it back when it exits.
*/
export function RecipeView({plan, recorder, onClose, onRan, width = 100, height = 30, color = true, env, cwd, runner = runStep, copy}: RecipeViewProps) {
  const {suspendTerminal} = useApp()
  const {stdout} = useStdout()
  const [selected, setSelected] = useState(0)
  const [scroll, setScroll] = useState(0)
  const [shift, setShift] = useState(0)
  // `/` as in less: the query being typed (draft) and the last one searched, for n and N.
  const [search, setSearch] = useState<{draft?: string; query: string}>({query: ''})
  const [panel, setPanel] = useState<Panel>({kind: 'none'})
  const runs = useRef<{started: Date; outcomes: StepOutcome[]}>({started: new Date(), outcomes: []})
  const markdown = useMemo(
    () => withoutTitle(renderRecipeMarkdown(plan.recipe, {width: Math.max(40, width - 2), color, values: valuesOf(plan.variables)}).split('\n'), plan.recipe.title),
    [plan.recipe, plan.variables, width, color],
  )
  const steps = plan.steps
  const current = steps[selected]
  const commands = current ? wrapRows(commandText(current), width) : []
  const below = panelRows(panel, current, width)
  const rows = budget(height - CHROME_ROWS, commands.length, below.length)
  const docHeight = Math.max(1, rows.doc)
  const maxScroll = Math.max(0, markdown.length - docHeight)
  const wide = anyWider(markdown, width)

  const doCopy = useCallback(
    (text: string) => {
      if (copy) copy(text)
      else stdout.write(`\u001B]52;c;${Buffer.from(text).toString('base64')}\u0007`)
    },
    [copy, stdout],
  )

  const run = useCallback(
    async (step: PlannedStep) => {
      if (!step.prepared) return
      const options: RunStepOptions = {recorder, ...(env ? {env} : {}), ...(cwd ? {cwd} : {})}
      setPanel({kind: 'running'})
      let outcome: StepOutcome | undefined
      try {
        if (step.step.interactive) {
          await suspendTerminal(async () => {
            process.stdout.write(`\nHanding the terminal to ${step.prepared?.commands[0]?.argv[0] ?? 'the program'}; you come back to dagger-explore when it exits.\n\n`)
            outcome = await runner(step.prepared as PreparedStep, options)
          })
        } else {
          outcome = await runner(step.prepared, options)
        }
      } catch (error) {
        setPanel({kind: 'message', text: `The step could not run: ${sanitize(error instanceof Error ? error.message : String(error))}`})
        return
      }
      if (outcome) {
        setPanel({kind: 'result', outcome})
        runs.current.outcomes.push(outcome)
        onRan?.(outcome, recipeRunResult(plan, recorder, runs.current.outcomes, runs.current.started))
      }
    },
    [cwd, env, onRan, plan, recorder, runner, suspendTerminal],
  )

  useInput((input, key) => {
    if (panel.kind === 'running') return
    if (panel.kind === 'confirm') {
      if (input === 'y' && current) void run(current)
      else setPanel({kind: 'message', text: 'Not run.'})
      return
    }
    const find = (query: string, from: number, direction: 1 | -1): void => {
      const at = findLine(markdown, query, from, direction)
      if (at === -1) setPanel({kind: 'message', text: `Not found: ${query}`})
      else setScroll(Math.min(maxScroll, at))
    }
    if (search.draft !== undefined) {
      const draft = search.draft
      if (key.escape) setSearch({query: search.query})
      else if (key.return) {
        setSearch({query: draft})
        find(draft, Math.min(scroll, maxScroll) - 1, 1)
      } else if (key.backspace || key.delete) setSearch({...search, draft: draft.slice(0, -1)})
      else if (input && !key.ctrl && !key.meta) setSearch({...search, draft: draft + input})
      return
    }
    if (key.escape || input === 'q') onClose()
    else if (input === '/') setSearch({...search, draft: ''})
    else if (input === 'n' && search.query) find(search.query, Math.min(scroll, maxScroll), 1)
    else if (input === 'N' && search.query) find(search.query, Math.min(scroll, maxScroll), -1)
    else if (key.upArrow || input === 'k') {
      setSelected((s) => Math.max(0, s - 1))
      setPanel({kind: 'none'})
    } else if (key.downArrow || input === 'j') {
      setSelected((s) => Math.min(steps.length - 1, s + 1))
      setPanel({kind: 'none'})
    } else if (key.pageDown || input === ' ') setScroll((s) => Math.min(maxScroll, s + docHeight))
    else if (key.pageUp || input === 'b') setScroll((s) => Math.max(0, s - docHeight))
    else if (key.home || input === 'g') setScroll(0)
    else if (key.end || input === 'G') setScroll(maxScroll)
    else if (key.rightArrow || input === 'l') setShift((o) => shiftBy(o, 1, width, widestOf(markdown)))
    else if (key.leftArrow || input === 'h') setShift((o) => shiftBy(o, -1, width, widestOf(markdown)))
    else if (!current) return
    else if (input === 'd') setPanel(current.prepared ? {kind: 'dry', text: describeDryRun(current.prepared)} : {kind: 'message', text: current.error ?? ''})
    else if (input === 'c') {
      if (!current.prepared) return
      const text = current.prepared.commands.map((c) => c.text).join('\n')
      doCopy(text)
      setPanel({kind: 'copied', text})
    } else if (key.return || input === 'r') {
      if (!current.prepared) setPanel({kind: 'message', text: `This step cannot be filled in: ${current.error ?? ''}`})
      else if (!current.step.runnable) setPanel({kind: 'message', text: `Print-only: ${current.step.printOnly ?? 'run it yourself'}. Copy it with c.`})
      else setPanel({kind: 'confirm'})
    }
  })

  const {first, items} = stepItems(steps, selected, width)
  const at = Math.min(scroll, maxScroll)
  const place = markdown.length > docHeight ? ` · lines ${at + 1}-${Math.min(markdown.length, at + docHeight)} of ${markdown.length}` : ''
  const footer =
    search.draft !== undefined
      ? `/${search.draft}▏  Enter find · Esc cancel`
      : `${search.query ? `n/N "${search.query}"  ` : ''}${HINT}${wide ? `  ←→ h/l sideways${shift > 0 ? ` (col ${shift + 1})` : ''}` : ''}  / search  g/G top/end`
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">{`Recipe (step ${selected + 1}/${steps.length}): ${sanitize(plan.recipe.title)}${place}`}</Text>
      <Box flexDirection="column" height={rows.doc} overflow="hidden">
        {markdown.slice(at, at + rows.doc).map((line, i) => (
          <Text key={i} wrap="truncate-end">
            {sideways(line, shift, width).text || ' '}
          </Text>
        ))}
      </Box>
      <Text dimColor>{'─'.repeat(Math.max(10, width - 2))}</Text>
      <Text wrap="truncate-end">
        {first > 0 ? <Text dimColor>‹ </Text> : null}
        {items.map((text, i) => (
          <Text key={i} inverse={first + i === selected} dimColor={!steps[first + i]?.step.runnable && first + i !== selected}>
            {text}
          </Text>
        ))}
      </Text>
      <Text bold wrap="truncate-end">{current ? current.step.title : ' '}</Text>
      {fitRows(commands, rows.command, '(d dry run shows the whole step)').map((row, i) => (
        <Text key={`c${i}`} wrap="truncate-end" bold={row.bold ?? false}>{row.text || ' '}</Text>
      ))}
      {fitRows(below, rows.panel, '(a taller terminal shows them)').map((row, i) => (
        <Text key={`p${i}`} wrap="truncate-end" bold={row.bold ?? false} {...(row.color ? {color: row.color} : {})}>{row.text || ' '}</Text>
      ))}
      <Box flexGrow={1} />
      <Text dimColor wrap="truncate-end">{footer}</Text>
    </Box>
  )
}
