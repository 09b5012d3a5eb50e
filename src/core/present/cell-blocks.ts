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

/**
For each finding whose fix repeats an earlier finding's fix, the title of the first one that carried
it: the fix is shown once per cell, however often the producer repeated it. Only findings whose fix
is shown count: problems, and passes too where `passFixes` says the output shows theirs (the log).
*/
export function repeatedFixes(findings: readonly Finding[], passFixes = false): ReadonlyMap<number, string> {
  const first = new Map<string, string>()
  const same = new Map<number, string>()
  findings.forEach((f, i) => {
    if ((f.status === 'pass' && !passFixes) || !f.fix) return
    const key = normalFix(f.fix)
    const earlier = first.get(key)
    if (earlier === undefined) first.set(key, f.title)
    else same.set(i, earlier)
  })
  return same
}

/**
Findings first (they are what the user came for), then the facts behind them, the commands, the notes.
The terminal views show why and fix for problems only; the log (`passFixes`) for passes too.
*/
export function cellBlocks(result: CellResult, notes: readonly string[] = [], options: {passFixes?: boolean} = {}): Block[] {
  const blocks: Block[] = [{kind: 'status', status: result.status, startedAt: result.startedAt, durationMs: result.durationMs}]
  const same = repeatedFixes(result.findings, options.passFixes)
  result.findings.forEach((finding, i) => {
    const sameFixAs = same.get(i)
    blocks.push({kind: 'finding', finding, problem: finding.status !== 'pass', ...(sameFixAs === undefined ? {} : {sameFixAs})})
  })
  if (result.facts.length > 0) blocks.push({kind: 'facts', facts: result.facts})
  result.commands.forEach((command, index) => {
    const output = shownOutput(command)
    const lines = output === '' ? [] : output.split('\n')
    blocks.push({kind: 'command', command, index, excerpt: lines.slice(0, OUTPUT_EXCERPT_LINES), more: Math.max(0, lines.length - OUTPUT_EXCERPT_LINES)})
  })
  if (notes.length > 0) blocks.push({kind: 'notes', notes})
  return blocks
}

/** The words that replace a repeated fix. */
export function sameFixText(title: string): string {
  return `same as "${title.replace(/\s+/g, ' ').trim()}" above`
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
