import stripAnsi from 'strip-ansi'
import wrapAnsi from 'wrap-ansi'
import type {PlannedStep} from '../../core/recipes/plan.js'
import type {StepOutcome} from '../../core/recipes/run.js'

/** One screen row of the recipe view's lower part, with the colour it is drawn in (words carry the meaning). */
export interface PanelRow {
  readonly text: string
  readonly color?: 'cyan' | 'green' | 'yellow' | 'red'
  readonly bold?: boolean
}

export type Panel =
  | {kind: 'none'}
  | {kind: 'dry'; text: string}
  | {kind: 'copied'; text: string}
  | {kind: 'confirm'}
  | {kind: 'running'}
  | {kind: 'result'; outcome: StepOutcome}
  | {kind: 'message'; text: string}

/** Word-wraps to the width and breaks a word only when it alone is wider; every character stays on screen. */
export function wrapRows(text: string, width: number, style: Omit<PanelRow, 'text'> = {}): PanelRow[] {
  return text.split('\n').flatMap((line) => wrapAnsi(line, Math.max(1, width), {hard: true, trim: false}).split('\n')).map((t) => ({...style, text: t}))
}

export function commandText(step: PlannedStep): string {
  return step.prepared ? step.prepared.commands.map((c) => `$ ${c.text}`).join('\n') : `cannot be filled in: ${step.error ?? ''}`
}

function lastLines(text: string, count: number): string {
  const lines = text.split('\n')
  return lines.slice(Math.max(0, lines.length - count)).join('\n')
}

/** What the panel under the step says (dry run, confirmation, result), as rows of the given width. */
export function panelRows(panel: Panel, step: PlannedStep | undefined, width: number): PanelRow[] {
  switch (panel.kind) {
    case 'none':
      return []
    case 'dry':
      return wrapRows(`Dry run (nothing is executed):\n${panel.text}`, width, {color: 'cyan'})
    case 'copied':
      return wrapRows(`Copied to the clipboard (OSC 52). If your terminal ignores it, select it here:\n${panel.text}`, width, {color: 'green'})
    case 'confirm':
      return wrapRows(
        `Run this${step?.step.interactive ? ' (hands the terminal over until it exits)' : ''}? It runs exactly:\n${step?.prepared?.commands.map((c) => JSON.stringify(c.argv)).join('\n') ?? ''}\n[y] run  [any other key] cancel`,
        width,
        {color: 'yellow'},
      )
    case 'running':
      return [{text: 'Running…', color: 'yellow'}]
    case 'result': {
      const {outcome} = panel
      const last = outcome.commands.at(-1)
      const status = outcome.ok ? `Done: exit ${last?.exitCode ?? 0}` : `Failed: exit ${last?.exitCode ?? 'none'}`
      return [...wrapRows(`${status} (recorded in the session log)`, width, {color: outcome.ok ? 'green' : 'red'}), ...(last?.output ? wrapRows(lastLines(last.output, 8), width) : [])]
    }
    case 'message':
      return wrapRows(panel.text, width)
  }
}

/** At most `room` rows; when some do not fit the last row says how many, so nothing vanishes unannounced. */
export function fitRows(rows: readonly PanelRow[], room: number, hint: string): PanelRow[] {
  if (rows.length <= room) return [...rows]
  if (room <= 0) return []
  return [...rows.slice(0, room - 1), {text: `… ${rows.length - room + 1} more lines ${hint}`, bold: true}]
}

/** Splits the rows under the header between the markdown, the step's command and the panel: the panel first (a confirmation must show its argv), the markdown last. */
export function budget(avail: number, commandRows: number, panelRows: number): {doc: number; command: number; panel: number} {
  const panel = Math.max(0, Math.min(panelRows, avail - 2))
  const command = Math.max(0, Math.min(commandRows, avail - panel - 1))
  return {doc: Math.max(0, avail - panel - command), command, panel}
}

/** The step list as one row: the selected step marked with ▶ and kept in view, the rest as fits. */
export function stepItems(steps: readonly PlannedStep[], selected: number, width: number): {first: number; items: string[]} {
  const items = steps.map((s, i) => `${i === selected ? '▶' : ' '}${i + 1} ${s.step.name}${s.step.interactive ? ' ⇄' : ''}${s.step.optional ? ' ?' : ''}${s.step.runnable ? '' : ' (print)'} `)
  let first = 0
  const room = width - 2
  const span = (from: number) => items.slice(from, selected + 1).reduce((n, t) => n + t.length, 0)
  while (first < selected && span(first) > room) first++
  return {first, items: items.slice(first)}
}

/** The next line (after `from`, wrapping round) holding `query`, case-insensitively; -1 when none does. */
export function findLine(lines: readonly string[], query: string, from: number, direction: 1 | -1): number {
  const needle = query.toLowerCase()
  if (needle === '' || lines.length === 0) return -1
  for (let step = 1; step <= lines.length; step++) {
    const i = (((from + direction * step) % lines.length) + lines.length) % lines.length
    if (stripAnsi(lines[i] ?? '').toLowerCase().includes(needle)) return i
  }
  return -1
}
