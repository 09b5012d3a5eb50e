import {cellBlocks, commandOutcome, commandPrompt, commandTail, sameFixText, type Block} from '../core/present/cell-blocks.js'
import {pollText} from '../core/present/polls.js'
import {factLines} from '../core/present/layout.js'
import {statusMark} from '../core/present/status.js'
import {displayArgv, formatDuration} from '../core/notebook/markdown.js'
import type {CellResult, Status} from '../core/types.js'
import type {CellEntry} from '../cells/registry.js'

export interface Line {
  readonly text: string
  readonly status?: Status
  readonly dim?: boolean
  readonly bold?: boolean
  /** Indent of wrapped continuation rows. */
  readonly hang?: number
  /** A command, an argv or program output: never wrapped, cut with MORE_MARK when wider than the pane. */
  readonly verbatim?: boolean
  /** Set by wrapLine on a row it had to cut: the whole line or token, for a sideways scroll or an open view. */
  readonly full?: string
}

/** A labelled value (Why:, Fix:, a finding title) as lines: the later lines of a multi-line value hang under its first. */
export function hangingLines(prefix: string, value: string, style: Omit<Line, 'text'> = {}): Line[] {
  const pad = ' '.repeat(prefix.length)
  return value.split('\n').map((text, i) => ({...style, text: i === 0 ? prefix + text : pad + text, hang: prefix.length}))
}

function blockLines(block: Block, first: {command: boolean}): Line[] {
  switch (block.kind) {
    case 'status':
      return [{text: `${statusMark(block.status)}: ran at ${block.startedAt.slice(11, 19)} for ${formatDuration(block.durationMs)}`, status: block.status, bold: true}, {text: ''}]
    case 'finding': {
      const f = block.finding
      const lines = hangingLines(`${statusMark(f.status)} `, f.title, {status: f.status})
      if (!block.problem) return lines
      if (f.detail) lines.push(...hangingLines('    Why: ', f.detail))
      if (block.sameFixAs !== undefined) lines.push(...hangingLines('    Fix: ', sameFixText(block.sameFixAs)))
      else if (f.fix) lines.push(...hangingLines('    Fix: ', f.fix))
      if (f.recipe) lines.push({text: `    Recipe: dagger-explore recipe ${f.recipe}`, dim: true, hang: 12})
      if (f.docs) lines.push({text: `    Docs: ${f.docs}`, dim: true, hang: 10})
      return lines
    }
    case 'facts':
      return [{text: ''}, ...factLines(block.facts).map((l): Line => ({text: l.text, hang: l.hang, ...(l.label ? {verbatim: true} : {})}))]
    case 'command': {
      const c = block.command
      const poll = pollText(c)
      const head: Line[] = first.command ? [] : [{text: ''}, {text: 'Commands and calls', bold: true}]
      first.command = true
      return [
        ...head,
        // A poll's count goes on a line of its own that wraps: on a long request cut at the pane's edge it would be lost.
        ...(poll === ''
          ? [{text: `${commandPrompt(c)} ${displayArgv(c.argv)}  ${commandTail(c)}`, dim: true, verbatim: true}]
          : [{text: `${commandPrompt(c)} ${displayArgv(c.argv)}  (${commandOutcome(c)})`, dim: true, verbatim: true}, {text: `  ${poll}`, dim: true, hang: 2}]),
        ...block.excerpt.map((line): Line => ({text: `  ${line}`, verbatim: true})),
        ...(block.more > 0 ? [{text: `  … ${block.more} more lines in the session log`, dim: true}] : []),
      ]
    }
    case 'notes':
      return [{text: ''}, {text: 'Your notes', bold: true}, ...block.notes.flatMap((note) => note.split('\n').map((line) => ({text: `> ${line}`, hang: 2})))]
  }
}

/** The main pane of a cell as lines, so the pane can scroll and never grow taller than the terminal. */
export function cellLines(entry: CellEntry, result: CellResult | undefined, notes: readonly string[], running: boolean): Line[] {
  const lines: Line[] = [{text: entry.title, bold: true}, {text: entry.summary, dim: true}, {text: ''}]
  if (running) lines.push({text: 'Running…'})
  else if (!result) lines.push({text: entry.load ? 'Not run yet. Press Enter to run it.' : entry.pending ?? 'Not available yet.', dim: true})
  const blocks: Block[] = result ? cellBlocks(result, notes) : notes.length > 0 ? [{kind: 'notes', notes}] : []
  const first = {command: false}
  for (const block of blocks) lines.push(...blockLines(block, first))
  // Wrapping is left to the terminal width: each line is split so scrolling counts real rows.
  return lines.flatMap((l) => (l.text.includes('\n') ? l.text.split('\n').map((text) => ({...l, text})) : [l]))
}
