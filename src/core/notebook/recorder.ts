import type {CommandRecord, Fact, Finding} from '../types.js'
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

  record(record: Omit<CommandRecord, 'output'> & {output: string}): void {
    this.commands.push({...record, argv: record.argv.map((a) => sanitize(a)), output: clip(sanitize(record.output))})
  }

  /**
  Runs a program with an argument array (never a shell string) and records it. Never throws for a
  failing, missing or timed-out program: the result says what happened.
  */
  async exec(file: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const {execa} = await import('execa')
    const startedAt = new Date()
    const result = await execa(file, args, {
      reject: false,
      all: true,
      timeout: options.timeoutMs,
      cancelSignal: this.signal,
      forceKillAfterDelay: 1000,
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
    else if (result.timedOut) output += `${output ? '\n' : ''}(killed after ${options.timeoutMs} ms: no answer in time)`
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
      timedOut: result.timedOut,
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
