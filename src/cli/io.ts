/** Where a command writes, and how: commands never touch process.stdout or process.exit directly. */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream
  readonly stdin: NodeJS.ReadableStream & {isTTY?: boolean}
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
  /** Colour allowed: false under NO_COLOR, --no-color, TERM=dumb, --json, or a non-TTY stdout. */
  readonly color: boolean
  /** Prompts may be shown: stdin and stdout are TTYs and CI is not set. */
  readonly interactive: boolean
  /**
  The terminal's own streams, unfiltered, for writers that emit their own escapes: Ink's frames (their
  content is cleaned where it is made) and a line editor's cursor moves. `stdout` and `stderr` above are
  cleaned of escapes and secrets (cli/clean-writer.ts); everything else writes there.
  */
  readonly terminal?: {readonly stdout: NodeJS.WriteStream; readonly stderr: NodeJS.WriteStream}
}

/** Where a prompt's line editor writes: stderr (results stay alone on stdout), the raw one when there is one. */
export function promptOutput(io: CliIO): NodeJS.WritableStream {
  return io.terminal?.stderr ?? io.stderr
}

/** Exit codes shared by every command. */
export const EXIT = {ok: 0, problem: 1, usage: 2, interrupted: 130} as const

/** A usage error: printed as one paragraph, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** A subcommand: parses its own arguments (after the subcommand name) and returns the exit code. */
export type CommandMain = (argv: readonly string[], io: CliIO) => Promise<number>
