import {CELLS} from '../cells/registry.js'
import {VERSION} from '../version.js'
import {EXIT, UsageError, type CliIO, type CommandMain} from './io.js'
import {failureOf, writeFailure} from './report.js'
import {globalOptionLines, globalSettings, parseGlobals, subcommandIndex} from './settings.js'

interface Command {
  /** What follows the command's name in the usage line. */
  readonly args: string
  readonly summary: string
  readonly load: () => Promise<CommandMain>
}

/** Subcommands, loaded only when chosen so start-up never pays for the others; the help's command list is made from this table. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  check: {args: '[CELL...]', summary: 'run cells in order without prompting', load: async () => (await import('./commands/check.js')).main},
  notes: {args: '[export]', summary: 'list saved sessions, or export one as a single file to share', load: async () => (await import('./commands/notes.js')).main},
  'daemon-config': {args: '[FILE]', summary: 'lint the Docker daemon config (reset: daemon-config reset)', load: async () => (await import('./commands/daemon-config.js')).main},
  diagnose: {args: 'REF...', summary: 'probe registries layer by layer: DNS, TCP, TLS, auth, manifest, blob', load: async () => (await import('./commands/diagnose.js')).main},
  explain: {args: '[FILE|-]', summary: 'explain the failures in a build log', load: async () => (await import('./commands/explain.js')).main},
  engine: {args: 'SUBCOMMAND', summary: 'build|load|start|status|env|stop|clean the dev engine', load: async () => (await import('./commands/engine.js')).main},
  tree: {args: 'IMAGE|CONTAINER', summary: "an engine image's filetree and component checklist", load: async () => (await import('./commands/tree.js')).main},
  recipe: {args: '[NAME]', summary: 'list, print or run a recipe (--list, --print, --run)', load: async () => (await import('./commands/recipe.js')).main},
}

const USAGE_LINES = [['[options]', 'open the notebook (plain lines when not in a terminal)'] as const, ...Object.entries(COMMANDS).map(([name, c]) => [`${name} ${c.args}`, c.summary] as const)]
  .map(([usage, summary]) => `  dagger-explore ${usage.padEnd(22)}${summary}`)
  .join('\n')

export const HELP = `dagger-explore ${VERSION}: get a Dagger development engine working, one checked step at a time.

Usage
${USAGE_LINES}

Every command takes --help, --json and works without a terminal.

Cells: ${CELLS.map((c) => c.id).join(', ')}

Options
${globalOptionLines()}

Examples
  npx dagger-explore
  dagger-explore check environment --json | jq .status
  DOCKER_HOST=tcp://127.0.0.1:2375 dagger-explore --plain

Exit codes: 0 passed (warnings allowed), 1 a check found a problem, 2 bad usage, 130 interrupted.
`

/** The program: returns the exit code, never throws for bad input. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    // `--version` answers the same after any subcommand: `dagger-explore diagnose --version`.
    if (argv.includes('--version')) {
      io.stdout.write(`${VERSION}\n`)
      return EXIT.ok
    }
    const index = subcommandIndex(argv)
    const first = argv[index]
    if (first !== undefined) {
      const command = COMMANDS[first]
      if (!command) {
        throw new UsageError(`"${first}" is not a dagger-explore command. Commands: ${Object.keys(COMMANDS).join(', ')}.`, {fix: 'Run `dagger-explore --help` for the list with examples.'})
      }
      // Globals before the name are parsed here, once; the command parses the rest with its own flags and the globals.
      const before = parseGlobals(argv.slice(0, index))
      return await (await command.load())(argv.slice(index + 1), io, before)
    }
    const values = parseGlobals(argv)
    if (values.help) {
      io.stdout.write(HELP)
      return EXIT.ok
    }
    if (values.version) {
      io.stdout.write(`${VERSION}\n`)
      return EXIT.ok
    }
    const settings = globalSettings(values, io)
    if (settings.plain) {
      const {runPlain} = await import('./run-plain.js')
      return await runPlain(settings, io, [])
    }
    // The session (files, docker config) is opened while Ink and React load, so the first frame waits for neither in turn.
    const prepared = import('../cells/prepare-session.js').then(({prepareSession}) => prepareSession(settings, io.env))
    prepared.catch(() => undefined)
    const {runInteractive} = await withoutFetch(() => import('../ui/run-interactive.js'))
    return await runInteractive(settings, io, prepared)
  } catch (error) {
    return reportError(error, io, argv.includes('--json'))
  }
}

/**
Runs `load` with `fetch` hidden. yoga-layout (Ink's layout engine) fetches its embedded wasm through
a data: URL whenever fetch exists, which loads Node's whole HTTP client during start-up; without
fetch it decodes the same bytes directly. Nothing else runs fetch meanwhile.
*/
async function withoutFetch<T>(load: () => Promise<T>): Promise<T> {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'fetch')
  if (!descriptor?.configurable) return load()
  Object.defineProperty(globalThis, 'fetch', {value: undefined, configurable: true, writable: true})
  try {
    return await load()
  } finally {
    Object.defineProperty(globalThis, 'fetch', descriptor)
  }
}

/** Reports an error that ended the program (see writeFailure) and returns its exit code. A stack trace only for our own bugs, and only with DAGGER_EXPLORE_DEBUG. */
export function reportError(error: unknown, io: CliIO, json = false): number {
  const failure = failureOf(error)
  writeFailure(io, failure, {json})
  if (!failure.expected && io.env.DAGGER_EXPLORE_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`)
  return failure.exitCode
}
