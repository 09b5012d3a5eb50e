import {STATUS_GLYPH, STATUS_LABEL} from '../../core/notebook/markdown.js'
import type {CellId, Finding, Status} from '../../core/types.js'
import type {CellEntry} from '../../cells/registry.js'
import type {Line} from '../cell-lines.js'
import {latestResult, type History} from '../notebook/history.js'
import {wrapLine} from '../wrap.js'

export interface LeftItem {
  readonly cell: CellId
  readonly title: string
  readonly status: Status
  readonly findings: readonly Finding[]
  /** The latest run was a declined action (the result shown is the one before it). */
  readonly declined?: string
}

export interface JourneySummary {
  readonly passed: readonly string[]
  readonly warned: readonly string[]
  readonly fixed: readonly string[]
  /** Ordered by what blocks what: failures first in cell order (an earlier cell blocks the later ones), then warnings. */
  readonly left: readonly LeftItem[]
  readonly notRun: readonly string[]
}

const BLOCKING: readonly Status[] = ['crashed', 'fail']
const rank = (s: Status) => (BLOCKING.includes(s) ? 0 : s === 'warn' ? 1 : 2)

/**
What passed, what passed with warnings (never listed as passed), what was fixed (a step that had
failed and passes on a later run) and what is left, from every run of every cell in the session.
*/
export function summarize(cells: readonly CellEntry[], history: History): JourneySummary {
  const passed: string[] = []
  const warned: string[] = []
  const fixed: string[] = []
  const left: LeftItem[] = []
  const notRun: string[] = []
  for (const cell of cells) {
    const runs = history.get(cell.id) ?? []
    const last = latestResult(runs)
    const declined = runs.at(-1)?.declined
    if (!last) {
      if (declined) left.push({cell: cell.id, title: cell.title, status: 'skipped', findings: [], declined})
      else notRun.push(cell.title)
      continue
    }
    const earlier = runs.slice(0, runs.indexOf(last))
    if (last.status === 'pass' && earlier.some((r) => BLOCKING.includes(r.status))) fixed.push(cell.title)
    else if (last.status === 'pass') passed.push(cell.title)
    else if (last.status === 'warn') warned.push(cell.title)
    const open = last.findings.filter((f) => f.status !== 'pass')
    if (last.status !== 'pass' || declined) left.push({cell: cell.id, title: cell.title, status: last.status, findings: open, ...(declined ? {declined} : {})})
  }
  left.sort((a, b) => rank(a.status) - rank(b.status))
  return {passed, warned, fixed, left, notRun}
}

/** A summary row; rows with a `cell` are the ones the cursor stops on and Enter jumps from. */
export interface SummaryLine extends Line {
  readonly cell?: CellId
}

export function summaryLines(summary: JourneySummary, notesPath: string): SummaryLine[] {
  const list = (items: readonly string[], none: string) => (items.length > 0 ? items.join(', ') : none)
  const lines: SummaryLine[] = [{text: 'Where you are', bold: true}, {text: `Your notes: ${notesPath}`}, {text: ''}]
  lines.push({text: `Passed: ${list(summary.passed, 'none')}`, status: 'pass'})
  if (summary.warned.length > 0) lines.push({text: `With warnings: ${list(summary.warned, 'none')}`, status: 'warn'})
  lines.push({text: `Fixed along the way: ${list(summary.fixed, 'nothing')}`, status: 'pass'})
  if (summary.left.length === 0) lines.push({text: 'Left to do: nothing', status: 'pass'})
  else {
    lines.push({text: 'Left to do, what blocks the rest first:', bold: true})
    for (const item of summary.left) {
      lines.push({text: `${STATUS_GLYPH[item.status]} ${STATUS_LABEL[item.status]} ${item.title}`, status: item.status, cell: item.cell})
      if (item.declined) lines.push({text: `    declined: ${item.declined}`, dim: true})
      // The first problem with its fix; the rest by title (the cell pane has every fix).
      item.findings.slice(0, 3).forEach((f, i) => {
        lines.push({text: `    ${STATUS_LABEL[f.status]} ${f.title}`, status: f.status})
        if (i === 0 && f.fix) lines.push({text: `      Fix: ${f.fix}`, hang: 11})
      })
      if (item.findings.length > 3) lines.push({text: `    … ${item.findings.length - 3} more in the cell`, dim: true})
    }
  }
  if (summary.notRun.length > 0) lines.push({text: `Not run: ${summary.notRun.join(', ')}`, dim: true})
  return lines
}

/** The summary wrapped to `width`, with the cell each row jumps to (only on a finding's first row). */
export function summaryRows(cells: readonly CellEntry[], history: History, notesPath: string, width: number): {lines: SummaryLine[]; targets: (CellId | undefined)[]} {
  const lines = summaryLines(summarize(cells, history), notesPath).flatMap((l) => wrapLine(l, width).map((row, i) => (i === 0 ? row : {...row, cell: undefined}) as SummaryLine))
  return {lines, targets: lines.map((l) => l.cell)}
}
