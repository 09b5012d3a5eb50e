import {EXIT} from './io.js'

export interface ErrorAdvice {
  /** What to do about it, shown after the message as "Fix: …" (and as `fix` in JSON). */
  readonly fix?: string
  /** Where to read more (a README section or a URL). */
  readonly docs?: string
  /** The exit code when this error ends the program (default 1, a problem). */
  readonly exitCode?: number
  readonly cause?: unknown
}

/**
An expected failure: the program reports it in one paragraph with what to do, never with a stack
trace. Subclasses say what failed in `message` and keep the remedy in `fix`, so text mode prints
"Fix: …" and --json gives `{ok: false, error, fix}`.
*/
export class DaggerExploreError extends Error {
  readonly fix: string | undefined
  readonly docs: string | undefined
  readonly exitCode: number

  constructor(message: string, advice: ErrorAdvice = {}) {
    super(message, advice.cause === undefined ? undefined : {cause: advice.cause})
    this.name = new.target.name
    this.fix = advice.fix
    this.docs = advice.docs
    this.exitCode = advice.exitCode ?? EXIT.problem
  }
}

/** Bad usage (an unknown flag, a value out of range): exit 2. */
export class UsageError extends DaggerExploreError {
  constructor(message: string, advice: Omit<ErrorAdvice, 'exitCode'> = {}) {
    super(message, {...advice, exitCode: EXIT.usage})
  }
}

/** The message with its fix, as one paragraph, for places that show a single line of text. */
export function errorText(error: unknown): string {
  if (error instanceof DaggerExploreError) return error.fix === undefined ? error.message : `${error.message.replace(/\.?$/, '.')} ${error.fix}`
  return error instanceof Error ? error.message : String(error)
}
