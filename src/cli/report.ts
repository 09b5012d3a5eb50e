import {sanitize} from '../core/notebook/sanitize.js'
import {DaggerExploreError, EXIT, type CliIO} from './io.js'

/** Why a command could not do its work, and what to do about it. */
export interface Failure {
  readonly message: string
  readonly fix?: string | undefined
  readonly docs?: string | undefined
}

export interface FailureOptions {
  /** The command's name, shown after the program's: `dagger-explore tree: …`. */
  readonly command?: string
  /** Also write the failure as JSON on stdout, so a script reading stdout sees why there is no result. */
  readonly json?: boolean
  /** The command's own JSON fields beside `ok`, `error`, `fix` (and `docs`): `daemon-config` keeps its `file`. */
  readonly fields?: Readonly<Record<string, unknown>>
  /** Lines after the paragraph in text mode (the engine's last log lines). */
  readonly tail?: string
}

/**
The one way a failure is written: one paragraph on stderr, "Fix: …" and "Docs: …" on their own lines
when known; with `json`, also `{ok: false, error, fix, docs?}` on stdout. Every text is cleaned of
escapes on the way (a message may quote a file or a ref).
*/
export function writeFailure(io: CliIO, failure: Failure, options: FailureOptions = {}): void {
  const message = sanitize(failure.message).replace(/\.?$/, '.')
  const fix = failure.fix === undefined ? undefined : sanitize(failure.fix)
  const docs = failure.docs === undefined ? undefined : sanitize(failure.docs)
  const name = options.command === undefined ? 'dagger-explore' : `dagger-explore ${options.command}`
  io.stderr.write(`${name}: ${message}${fix === undefined ? '' : `\nFix: ${fix}`}${docs === undefined ? '' : `\nDocs: ${docs}`}${options.tail ?? ''}\n`)
  if (options.json) io.stdout.write(`${JSON.stringify({...options.fields, ok: false, error: message, fix: fix ?? null, ...(docs === undefined ? {} : {docs})})}\n`)
}

/**
What an error means for the user: ours (DaggerExploreError) carry their fix and exit code; a parse
error of a flag is bad usage; anything else is our own bug, said in one paragraph.
*/
export function failureOf(error: unknown, helpCommand = 'dagger-explore --help'): Failure & {readonly exitCode: number; readonly expected: boolean} {
  const err = error as Error & {code?: string}
  if (error instanceof DaggerExploreError) return {message: error.message, fix: error.fix, docs: error.docs, exitCode: error.exitCode, expected: true}
  if (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) return {message: err.message, fix: `Run \`${helpCommand}\` for the options.`, exitCode: EXIT.usage, expected: true}
  return {
    message: `something went wrong inside dagger-explore: ${err?.message ?? String(error)}. Your notes written so far are kept`,
    fix: 'Run again with DAGGER_EXPLORE_DEBUG=1 for details and report it.',
    exitCode: EXIT.problem,
    expected: false,
  }
}
