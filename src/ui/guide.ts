import {STATUS_LABEL} from '../core/notebook/markdown.js'
import type {CellId, CellResult, Finding, Status} from '../core/types.js'
import type {CellEntry} from '../cells/registry.js'
import type {Line} from './cell-lines.js'
import {reflow} from '../core/present/layout.js'

/** The guided run's stages: an intro, then each cell offering the next, then the summary. */
export type GuideStage = 'intro' | 'walking' | 'summary' | 'off'

// Written as source lines, shown as paragraphs: the pane wraps them at its own width.
export const INTRO: readonly string[] = reflow([
  'Welcome to dagger-explore.',
  '',
  'This notebook walks you from a fresh dagger clone to a running dagger-engine.dev, one step at a time:',
  'your environment and Docker daemon, the registries the build pulls from, the build itself, the engine',
  'container, what is inside the engine image, and how to attach a debugger.',
  '',
  'Each step shows every command it runs and explains what it finds. Nothing destructive happens without',
  'asking you first, and everything is written to the notes file shown at the top, to keep or share.',
  '',
  'Press Enter to start with Environment, or Esc to look around on your own (? shows the keys).',
])

/** A step that failed blocks the one after it: the guide says so and points at the fix. */
export interface Blocker {
  readonly finding: Finding
  readonly text: string
}

export function blockerOf(result: CellResult, next: CellEntry | undefined): Blocker | undefined {
  if (!next) return undefined
  const finding = result.findings.find((f) => f.status === 'fail' || f.status === 'crashed')
  if (!finding) return undefined
  const recipe = finding.recipe ? ` The recipe \`${finding.recipe}\` does it step by step (press R).` : ''
  return {
    finding,
    text: `${result.title} found a problem that blocks ${next.title}: ${finding.title}. ${finding.fix ?? ''}${recipe}`.replace(/\s+/g, ' ').trim(),
  }
}

/** The prompt under a finished cell while guiding. */
export function offerText(result: CellResult, next: CellEntry | undefined): string {
  if (!next) return `${result.title}: ${STATUS_LABEL[result.status]}. That was the last step: Enter shows the summary.`
  const blocker = blockerOf(result, next)
  if (blocker) return `${blocker.text} Enter continues to ${next.title} anyway, r re-runs, Esc stops guiding.`
  return `${result.title}: ${STATUS_LABEL[result.status]}. Enter continues to ${next.title}, Esc stops guiding.`
}

export interface JourneySummary {
  readonly passed: readonly string[]
  readonly fixed: readonly string[]
  readonly left: readonly {title: string; status: Status; findings: readonly Finding[]}[]
  readonly notRun: readonly string[]
}

const GOOD: readonly Status[] = ['pass', 'warn']

/**
What passed, what was fixed (a step that had failed and passed on a later run) and what is left,
from every run of every cell in the session.
*/
export function summarize(cells: readonly CellEntry[], history: ReadonlyMap<CellId, readonly CellResult[]>): JourneySummary {
  const passed: string[] = []
  const fixed: string[] = []
  const left: {title: string; status: Status; findings: readonly Finding[]}[] = []
  const notRun: string[] = []
  for (const cell of cells) {
    const runs = history.get(cell.id) ?? []
    const last = runs.at(-1)
    if (!last) {
      notRun.push(cell.title)
      continue
    }
    if (GOOD.includes(last.status)) {
      if (runs.slice(0, -1).some((r) => r.status === 'fail' || r.status === 'crashed')) fixed.push(cell.title)
      else passed.push(cell.title)
    }
    if (last.status !== 'pass') {
      const open = last.findings.filter((f) => f.status !== 'pass')
      if (open.length > 0 || !GOOD.includes(last.status)) left.push({title: cell.title, status: last.status, findings: open})
    }
  }
  return {passed, fixed, left, notRun}
}

export function summaryLines(summary: JourneySummary, notesPath: string): Line[] {
  const lines: Line[] = [{text: 'Where you are', bold: true}, {text: `Your notes: ${notesPath}`}, {text: ''}]
  lines.push({text: `Passed: ${summary.passed.length > 0 ? summary.passed.join(', ') : 'none'}`, status: 'pass'})
  lines.push({text: `Fixed along the way: ${summary.fixed.length > 0 ? summary.fixed.join(', ') : 'nothing'}`, status: 'pass'})
  if (summary.left.length === 0) lines.push({text: 'Left to do: nothing', status: 'pass'})
  else {
    lines.push({text: 'Left to do:', bold: true})
    for (const item of summary.left) {
      lines.push({text: `  ${STATUS_LABEL[item.status]} ${item.title}`, status: item.status})
      // The first problem with its fix; the rest by title, so the summary stays about one screen.
      item.findings.slice(0, 3).forEach((f, i) => {
        lines.push({text: `    ${STATUS_LABEL[f.status]} ${f.title}`, status: f.status})
        if (i === 0 && f.fix) lines.push({text: `      Fix: ${f.fix}`, hang: 11})
      })
      if (item.findings.length > 3) lines.push({text: `    … ${item.findings.length - 3} more in the notes`, dim: true})
    }
  }
  if (summary.notRun.length > 0) lines.push({text: `Not run: ${summary.notRun.join(', ')}`, dim: true})
  lines.push({text: ''}, {text: 'Press any key to go back to the notebook; q quits.', dim: true})
  return lines
}
