import type {CommandRecord} from '../types.js'
import {formatDuration} from './duration.js'

/**
A poll: a record that stands for identical calls in a row (the recorder folds them). The TUI,
`--plain`, `--json` and the log all name it by these words and numbers, never by one line per call.
*/
export interface Poll {
  readonly count: number
  /** From the first call's start to the last call's end. */
  readonly overSeconds: number
  /** The first answer, when it differed from the last (the record's own output). */
  readonly firstAnswer?: string
}

export function pollOf(command: CommandRecord): Poll | undefined {
  const r = command.repeat
  if (r === undefined || r.count < 2) return undefined
  return {count: r.count, overSeconds: Math.round(r.spanMs / 100) / 10, ...(r.firstOutput === undefined ? {} : {firstAnswer: r.firstOutput})}
}

/** `×118 over 59.5 s, the same answer each time`; empty for a single call. */
export function pollText(command: CommandRecord): string {
  const r = command.repeat
  if (r === undefined || r.count < 2) return ''
  return `×${r.count} over ${formatDuration(r.spanMs)}, ${r.firstOutput === undefined ? 'the same answer each time' : 'the answer changed'}`
}

/** The output as shown: for a poll whose answer changed, the first answer and then the last, each named. */
export function shownOutput(command: CommandRecord): string {
  const first = command.repeat?.firstOutput
  if (first === undefined || (command.repeat?.count ?? 1) < 2) return command.output
  return `# first answer:\n${first}\n# last answer (from ${command.repeat?.lastStartedAt}):\n${command.output}`
}

