import type {CliIO} from '../core/io.js'

export {EXIT, type CliIO} from '../core/io.js'
export {DaggerExploreError, UsageError} from '../core/errors.js'

/** The global option values given before the subcommand's name, as parsed by the dispatcher. */
export type GlobalValues = Readonly<Record<string, string | boolean | string[] | undefined>>

/**
A subcommand: parses its own arguments (those after the subcommand name) and returns the exit code.
`globals` are the global options given before the name (`--json engine status`).
*/
export type CommandMain = (argv: readonly string[], io: CliIO, globals?: GlobalValues) => Promise<number>

/** Where a prompt's line editor writes: stderr (results stay alone on stdout), the raw one when there is one. */
export function promptOutput(io: CliIO): NodeJS.WritableStream {
  return io.terminal?.stderr ?? io.stderr
}
