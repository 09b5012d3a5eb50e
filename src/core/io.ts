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

/** Exit codes shared by every command. */
export const EXIT = {ok: 0, problem: 1, usage: 2, interrupted: 130} as const
