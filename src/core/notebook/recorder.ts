import type {CommandRecord, Fact, Finding} from '../types.js'
import {execGroup} from '../system/exec-group.js'
import {sanitize} from './sanitize.js'

/** Bytes of output kept per command in the record; the rest is counted, not kept. */
export const OUTPUT_LIMIT = 64 * 1024

export interface ExecOptions {
  /** Milliseconds before the process is killed; every command has one. */
  readonly timeoutMs: number
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
  readonly input?: string
}

export interface ExecResult {
  readonly exitCode: number | null
  readonly stdout: string
  readonly stderr: string
  /** The process could not be started at all (ENOENT, EACCES). */
  readonly notFound: boolean
  readonly timedOut: boolean
}

/** Truncates long output, saying how much was left out. */
export function clip(text: string, limit = OUTPUT_LIMIT): string {
  if (text.length <= limit) return text
  return `${text.slice(0, limit)}\n… (${text.length - limit} more characters not shown)`
}

/**
The same kind of call with the same argv and outcome, answering what the last one answered; or the
first change of answer in a run, kept as its last output. A second change starts a new record, so no
answer seen in between is lost.
*/
function sameCall(a: CommandRecord, b: CommandRecord): boolean {
  if (a.kind !== b.kind || a.exitCode !== b.exitCode || a.argv.length !== b.argv.length || !a.argv.every((x, i) => x === b.argv[i])) return false
  return a.repeat?.firstOutput === undefined || a.output === b.output
}

/** `first` with `next` counted in: the latest output is the record's, the first kept beside it when it differs. */
export function foldRepeat(first: CommandRecord, next: CommandRecord): CommandRecord {
  const count = (first.repeat?.count ?? 1) + 1
  const spanMs = Math.max(0, Date.parse(next.startedAt) + next.durationMs - Date.parse(first.startedAt))
  const firstOutput = first.repeat?.firstOutput ?? (next.output === first.output ? undefined : first.output)
  return {...next, startedAt: first.startedAt, repeat: {count, lastStartedAt: next.startedAt, spanMs, ...(firstOutput === undefined ? {} : {firstOutput})}}
}

/**
Collects what a cell does: every command and API call with its output, the facts it learned and its
findings. Cells receive one per run; nothing here knows about Ink or markdown.
*/
export class Recorder {
  readonly commands: CommandRecord[] = []
  readonly findings: Finding[] = []
  readonly facts: Fact[] = []
  readonly sidecars: string[] = []
  /** The action the user declined in this run, when they declined one (see `declined`). */
  declinedAction: string | undefined

  constructor(readonly signal: AbortSignal = new AbortController().signal) {}

  /** Says the user declined `action` when asked: the run is kept in the history but never replaces the cell's result. */
  declined(action: string): void {
    this.declinedAction = sanitize(action)
  }

  fact(label: string, value: string): void {
    this.facts.push({label, value: sanitize(value)})
  }

  finding(finding: Finding): void {
    this.findings.push({
      ...finding,
      title: sanitize(finding.title),
      ...(finding.detail === undefined ? {} : {detail: sanitize(finding.detail)}),
      ...(finding.fix === undefined ? {} : {fix: sanitize(finding.fix)}),
    })
  }

  /**
  Records one command. The same call made again straight after (a poll waiting for a container) is
  folded into the previous record with a count, so 118 inspects are one record, not 118.
  */
  record(record: Omit<CommandRecord, 'output'> & {output: string}): void {
    const next: CommandRecord = {...record, argv: record.argv.map((a) => sanitize(a)), output: clip(sanitize(record.output))}
    const last = this.commands.at(-1)
    if (last !== undefined && sameCall(last, next)) this.commands[this.commands.length - 1] = foldRepeat(last, next)
    else this.commands.push(next)
  }

  /**
  Runs a program with an argument array (never a shell string) and records it. Never throws for a
  failing, missing or timed-out program: the result says what happened.
  */
  async exec(file: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const startedAt = new Date()
    // Its own process group, killed as a whole on timeout: a wrapper's children go with it.
    const {result, timedOut} = await execGroup(file, args, {
      all: true,
      timeoutMs: options.timeoutMs,
      signal: this.signal,
      stdin: options.input === undefined ? 'ignore' : 'pipe',
      ...(options.input === undefined ? {} : {input: options.input}),
      ...(options.cwd === undefined ? {} : {cwd: options.cwd}),
      ...(options.env === undefined ? {} : {env: options.env, extendEnv: false}),
      stripFinalNewline: true,
    })
    const code = (result as {code?: string}).code
    const notFound = code === 'ENOENT' || code === 'EACCES'
    let output = typeof result.all === 'string' ? result.all : ''
    if (notFound) output = `${file}: command not found`
    else if (timedOut) output += `${output ? '\n' : ''}(killed after ${options.timeoutMs} ms: no answer in time)`
    this.record({
      kind: 'exec',
      argv: [file, ...args],
      exitCode: notFound ? 127 : (result.exitCode ?? null),
      output,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
    })
    return {
      exitCode: notFound ? 127 : (result.exitCode ?? null),
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
      notFound,
      timedOut,
    }
  }

  /**
  Records an API call or file read around `run`. `describe` turns the value into the text shown as its
  output; a thrown error is recorded with its message and rethrown for the cell to classify.
  */
  async call<T>(
    kind: 'api' | 'file',
    argv: readonly string[],
    run: () => Promise<T>,
    describe: (value: T) => string = (value) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2)),
  ): Promise<T> {
    const startedAt = new Date()
    try {
      const value = await run()
      this.record({kind, argv, exitCode: 0, output: describe(value), startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime()})
      return value
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      this.record({kind, argv, exitCode: 1, output: message, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime()})
      throw error
    }
  }
}
