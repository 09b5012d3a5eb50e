import {displayArgv, formatDuration, STATUS_GLYPH, STATUS_LABEL} from '../core/notebook/markdown.js'
import type {CellResult, Status} from '../core/types.js'
import type {CellEntry} from '../cells/registry.js'

export interface Line {
  readonly text: string
  readonly status?: Status
  readonly dim?: boolean
  readonly bold?: boolean
  /** Indent of wrapped continuation rows. */
  readonly hang?: number
}

const OUTPUT_LINES = 12

/** The main pane of a cell as lines, so the pane can scroll and never grow taller than the terminal. */
export function cellLines(entry: CellEntry, result: CellResult | undefined, notes: readonly string[], running: boolean): Line[] {
  const lines: Line[] = [{text: entry.title, bold: true}, {text: entry.summary, dim: true}, {text: ''}]
  if (running) lines.push({text: 'Running…'})
  else if (!result) lines.push({text: entry.load ? 'Not run yet. Press Enter to run it.' : entry.pending ?? 'Not available yet.', dim: true})
  if (result) {
    lines.push({text: `${STATUS_GLYPH[result.status]} ${STATUS_LABEL[result.status]}: ran at ${result.startedAt.slice(11, 19)} for ${formatDuration(result.durationMs)}`, status: result.status, bold: true})
    lines.push({text: ''})
    for (const f of result.findings) {
      lines.push({text: `${STATUS_GLYPH[f.status]} ${STATUS_LABEL[f.status]} ${f.title}`, status: f.status})
      if (f.status !== 'pass') {
        if (f.detail) lines.push({text: `    Why: ${f.detail}`})
        if (f.fix) lines.push({text: `    Fix: ${f.fix}`})
        if (f.recipe) lines.push({text: `    Recipe: dagger-explore recipe ${f.recipe}`, dim: true})
      }
    }
    // Findings first: they are what the user came for; the facts behind them follow.
    if (result.facts.length > 0) lines.push({text: ''})
    const width = Math.max(0, ...result.facts.map((f) => f.label.length))
    for (const fact of result.facts) lines.push({text: `${fact.label.padEnd(width)}  ${fact.value}`, hang: width + 2})
    if (result.commands.length > 0) lines.push({text: ''}, {text: 'Commands and calls', bold: true})
    for (const c of result.commands) {
      const prompt = c.kind === 'exec' ? '$' : c.kind === 'api' ? 'API' : 'read'
      lines.push({text: `${prompt} ${displayArgv(c.argv)}  (${c.exitCode === null ? 'did not finish' : `exit ${c.exitCode}`}, ${formatDuration(c.durationMs)})`, dim: true})
      const output = c.output === '' ? [] : c.output.split('\n')
      for (const line of output.slice(0, OUTPUT_LINES)) lines.push({text: `  ${line}`})
      if (output.length > OUTPUT_LINES) lines.push({text: `  … ${output.length - OUTPUT_LINES} more lines in the session log`, dim: true})
    }
  }
  if (notes.length > 0) lines.push({text: ''}, {text: 'Your notes', bold: true})
  for (const note of notes) for (const line of note.split('\n')) lines.push({text: `> ${line}`})
  // Wrapping is left to the terminal width: each line is split so scrolling counts real rows.
  return lines.flatMap((l) => l.text.split('\n').map((text) => ({...l, text})))
}
