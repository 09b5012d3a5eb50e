import {Box, Text, useApp, useInput, useStdout} from 'ink'
import {useCallback, useMemo, useRef, useState} from 'react'
import type {Recorder} from '../../core/notebook/recorder.js'
import {sanitize} from '../../core/notebook/sanitize.js'
import {valuesOf} from '../../core/recipes/fill.js'
import type {PlannedStep, RecipePlan} from '../../core/recipes/plan.js'
import {describeDryRun, runStep, type RunStepOptions, type StepOutcome} from '../../core/recipes/run.js'
import {recipeRunResult} from '../../core/recipes/result.js'
import type {PreparedStep} from '../../core/recipes/types.js'
import type {CellResult} from '../../core/types.js'
import {renderRecipeMarkdown} from './markdown.js'

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

type Panel = {kind: 'none'} | {kind: 'dry'; text: string} | {kind: 'copied'; text: string} | {kind: 'confirm'} | {kind: 'running'} | {kind: 'result'; outcome: StepOutcome} | {kind: 'message'; text: string}

const HINT = '↑↓ step  Enter run  d dry run  c copy  PgUp/PgDn scroll  q back   (⇄ takes the terminal, ? optional)'

function commandText(step: PlannedStep): string {
  return step.prepared ? step.prepared.commands.map((c) => `$ ${c.text}`).join('\n') : `cannot be filled in: ${step.error ?? ''}`
}

function lastLines(text: string, count: number): string {
  const lines = text.split('\n')
  return lines.slice(Math.max(0, lines.length - count)).join('\n')
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
  const [panel, setPanel] = useState<Panel>({kind: 'none'})
  const runs = useRef<{started: Date; outcomes: StepOutcome[]}>({started: new Date(), outcomes: []})
  const markdown = useMemo(
    () => renderRecipeMarkdown(plan.recipe, {width: Math.max(40, width - 2), color, values: valuesOf(plan.variables)}).split('\n'),
    [plan.recipe, plan.variables, width, color],
  )
  const steps = plan.steps
  const current = steps[selected]
  const docHeight = Math.max(4, height - 12)
  const maxScroll = Math.max(0, markdown.length - docHeight)

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
    if (key.escape || input === 'q') onClose()
    else if (key.upArrow || input === 'k') {
      setSelected((s) => Math.max(0, s - 1))
      setPanel({kind: 'none'})
    } else if (key.downArrow || input === 'j') {
      setSelected((s) => Math.min(steps.length - 1, s + 1))
      setPanel({kind: 'none'})
    } else if (key.pageDown || input === ' ') setScroll((s) => Math.min(maxScroll, s + docHeight))
    else if (key.pageUp || input === 'b') setScroll((s) => Math.max(0, s - docHeight))
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

  return (
    <Box flexDirection="column" width={width}>
      <Box flexDirection="column" height={docHeight}>
        {markdown.slice(scroll, scroll + docHeight).map((line, i) => (
          <Text key={i} wrap="truncate-end">
            {line || ' '}
          </Text>
        ))}
      </Box>
      <Text dimColor>{'─'.repeat(Math.max(10, width - 2))}</Text>
      <Box flexDirection="row" flexWrap="wrap">
        {steps.map((s, i) => (
          <Text key={s.step.name} inverse={i === selected} dimColor={!s.step.runnable && i !== selected}>
            {` ${s.step.name}${s.step.interactive ? ' ⇄' : ''}${s.step.optional ? ' ?' : ''}${s.step.runnable ? '' : ' (print)'} `}
          </Text>
        ))}
      </Box>
      {current ? (
        <Box flexDirection="column">
          <Text bold>{current.step.title}</Text>
          <Text wrap="wrap">{commandText(current)}</Text>
        </Box>
      ) : null}
      <PanelView panel={panel} step={current} />
      <Text dimColor>{HINT}</Text>
    </Box>
  )
}

function PanelView({panel, step}: {readonly panel: Panel; readonly step: PlannedStep | undefined}) {
  switch (panel.kind) {
    case 'none':
      return null
    case 'dry':
      return <Text color="cyan">{`Dry run (nothing is executed):\n${panel.text}`}</Text>
    case 'copied':
      return <Text color="green">{`Copied to the clipboard (OSC 52). If your terminal ignores it, select it here:\n${panel.text}`}</Text>
    case 'confirm':
      return (
        <Text color="yellow">
          {`Run this${step?.step.interactive ? ' (hands the terminal over until it exits)' : ''}? It runs exactly:\n${step?.prepared?.commands.map((c) => JSON.stringify(c.argv)).join('\n') ?? ''}\n[y] run  [any other key] cancel`}
        </Text>
      )
    case 'running':
      return <Text color="yellow">Running…</Text>
    case 'result': {
      const {outcome} = panel
      const last = outcome.commands.at(-1)
      const status = outcome.ok ? `Done: exit ${last?.exitCode ?? 0}` : `Failed: exit ${last?.exitCode ?? 'none'}`
      return (
        <Box flexDirection="column">
          <Text color={outcome.ok ? 'green' : 'red'}>{`${status} (recorded in the session log)`}</Text>
          {last?.output ? <Text>{lastLines(last.output, 8)}</Text> : null}
        </Box>
      )
    }
    case 'message':
      return <Text>{panel.text}</Text>
  }
}
