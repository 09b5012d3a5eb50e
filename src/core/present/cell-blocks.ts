import type {CellResult, CommandRecord, Fact, Finding, Status} from '../types.js'
import {formatDuration} from './duration.js'
import {pollText, shownOutput} from './polls.js'

/**
A cell result as an ordered list of blocks, the one structure the TUI, `--plain` and the markdown log
render from, so the three show the same things in the same order with the same limits.
*/
export type Block =
  | {readonly kind: 'status'; readonly status: Status; readonly startedAt: string; readonly durationMs: number}
  | {readonly kind: 'finding'; readonly finding: Finding; readonly problem: boolean; readonly sameFixAs?: string}
  | {readonly kind: 'facts'; readonly facts: readonly Fact[]}
  | {readonly kind: 'command'; readonly command: CommandRecord; readonly index: number; readonly excerpt: readonly string[]; readonly more: number}
  | {readonly kind: 'notes'; readonly notes: readonly string[]}

/** Output lines a terminal view shows per command; the log keeps all of it (or a sidecar). */
export const OUTPUT_EXCERPT_LINES = 12

function normalFix(fix: string): string {
  return fix.replace(/\s+/g, ' ').trim()
}

/** Extracted build failures carry their fix inside the detail: "… Fix: X Check with: Y." */
const FIX_IN_DETAIL = /\sFix: [\s\S]*$/

/** A finding as the text outputs show it: `sameFixAs` names the first finding that carried its fix. */
export interface ShownFinding {
  readonly finding: Finding
  readonly sameFixAs?: string
}

/**
The one place a fix is shown once per cell, however often the producer repeated it: a finding whose
fix repeats an earlier one's gets `sameFixAs` (the earlier finding's title), and a repeated "Fix: …"
sentence at the end of a detail is replaced by the same back-reference. Only findings whose fix is
shown count: problems, and passes too where `passFixes` says the output shows theirs (the log).
The recorded findings keep every fix: `--json` shows each whole.
*/
export function fixesShownOnce(findings: readonly Finding[], passFixes = false): ShownFinding[] {
  const first = new Map<string, string>()
  const earlier = (key: string, title: string): string | undefined => {
    const seen = first.get(key)
    if (seen === undefined) first.set(key, title)
    return seen
  }
  return findings.map((f) => {
    if (f.status === 'pass' && !passFixes) return {finding: f}
    const sameFixAs = f.fix ? earlier(`fix:${normalFix(f.fix)}`, f.title) : undefined
    const inDetail = f.detail === undefined ? undefined : FIX_IN_DETAIL.exec(f.detail)?.[0]
    const detailAs = inDetail === undefined ? undefined : earlier(`detail:${normalFix(inDetail)}`, f.title)
    const finding = detailAs === undefined || inDetail === undefined || f.detail === undefined ? f : {...f, detail: `${f.detail.slice(0, -inDetail.length)} (Fix: ${sameFixText(detailAs)})`}
    return sameFixAs === undefined ? {finding} : {finding, sameFixAs}
  })
}

/**
Findings first (they are what the user came for), then the facts behind them, the commands, the notes.
The terminal views show why and fix for problems only; the log (`passFixes`) for passes too.
*/
export function cellBlocks(result: CellResult, notes: readonly string[] = [], options: {passFixes?: boolean} = {}): Block[] {
  const blocks: Block[] = [{kind: 'status', status: result.status, startedAt: result.startedAt, durationMs: result.durationMs}]
  for (const {finding, sameFixAs} of fixesShownOnce(result.findings, options.passFixes)) {
    blocks.push({kind: 'finding', finding, problem: finding.status !== 'pass', ...(sameFixAs === undefined ? {} : {sameFixAs})})
  }
  if (result.facts.length > 0) blocks.push({kind: 'facts', facts: result.facts})
  result.commands.forEach((command, index) => {
    const output = shownOutput(command)
    const lines = output === '' ? [] : output.split('\n')
    blocks.push({kind: 'command', command, index, excerpt: lines.slice(0, OUTPUT_EXCERPT_LINES), more: Math.max(0, lines.length - OUTPUT_EXCERPT_LINES)})
  })
  if (notes.length > 0) blocks.push({kind: 'notes', notes})
  return blocks
}

const SHORT_TITLE = 80

/** The words that replace a repeated fix, naming the finding that carried it (a long title cut short). */
export function sameFixText(title: string): string {
  const one = title.replace(/\s+/g, ' ').trim()
  return `same as "${one.length > SHORT_TITLE ? `${one.slice(0, SHORT_TITLE - 1)}…` : one}" above`
}

/** `$` for a process, `API` for a Docker API call, `read` for a file read. */
export function commandPrompt(command: CommandRecord): string {
  return command.kind === 'exec' ? '$' : command.kind === 'api' ? 'API' : 'read'
}

export function commandOutcome(command: CommandRecord): string {
  return command.exitCode === null ? 'did not finish' : `exit ${command.exitCode}`
}

/**
What follows a command in the terminal views and `--plain`: its outcome and duration, or for a poll
its count and span (one call's duration would read as the whole wait's).
*/
export function commandTail(command: CommandRecord): string {
  const poll = pollText(command)
  return poll === '' ? `(${commandOutcome(command)}, ${formatDuration(command.durationMs)})` : `${poll} (${commandOutcome(command)})`
}
