import path from 'node:path'
import {DEFAULT_DOCKER_TIMEOUT_MS} from '../core/docker/client.js'
import type {Settings} from '../core/settings.js'
import {parseArgs} from 'node:util'
import {defaultNotesDir} from '../core/notebook/session-log.js'
import {VERSION} from '../version.js'
import {EXIT, UsageError, type CliIO, type CommandMain} from './io.js'
import {checkCellOptions} from './option-checks.js'

/** Subcommands, loaded only when chosen so start-up never pays for the others. */
const COMMANDS: Record<string, {summary: string; load: () => Promise<CommandMain>}> = {
  check: {summary: 'Run cells without the TUI and print plain lines or JSON', load: async () => (await import('./commands/check.js')).main},
  notes: {summary: 'List saved sessions, or export one to share', load: async () => (await import('./commands/notes.js')).main},
  'daemon-config': {summary: 'Lint the Docker daemon config in force, or reset risky keys', load: async () => (await import('./commands/daemon-config.js')).main},
  diagnose: {summary: 'Probe image references layer by layer and name the layer that fails', load: async () => (await import('./commands/diagnose.js')).main},
  explain: {summary: 'Extract and explain the failures in a build log', load: async () => (await import('./commands/explain.js')).main},
  engine: {summary: 'Build, load, start, inspect and tidy the dev engine', load: async () => (await import('./commands/engine.js')).main},
  tree: {summary: "Show an engine image's filetree and check its components", load: async () => (await import('./commands/tree.js')).main},
  recipe: {summary: 'List, print or run a recipe', load: async () => (await import('./commands/recipe.js')).main},
}

export const HELP = `dagger-explore ${VERSION}: get a Dagger development engine working, one checked step at a time.

Usage
  dagger-explore [options]              open the notebook (plain lines when not in a terminal)
  dagger-explore check [CELL...]        run cells in order without prompting
  dagger-explore notes [export]         list saved sessions, or export one as a single file to share
  dagger-explore daemon-config [FILE]   lint the Docker daemon config (reset: daemon-config reset)
  dagger-explore diagnose REF...        probe registries layer by layer: DNS, TCP, TLS, auth, manifest, blob
  dagger-explore explain [FILE|-]       explain the failures in a build log
  dagger-explore engine SUBCOMMAND      build|load|start|status|env|stop|clean the dev engine
  dagger-explore tree IMAGE|CONTAINER   an engine image's filetree and component checklist
  dagger-explore recipe [NAME]          list, print or run a recipe (--list, --print, --run)

Every command takes --help, --json and works without a terminal.

Cells: environment, daemon, registry, build, launch, components, debugger

Options
  --plain               plain lines, no prompts (implied without a TTY or under CI=true)
  --json                one JSON object per finished cell (JSON Lines); implies --plain
  --notes-dir DIR       where session logs go (default $XDG_STATE_HOME/dagger-explore/notes)
  --timeout MS          how long to wait for the Docker daemon (default 3000)
  --dagger-src DIR      the dagger checkout to build (default: the current directory)
  --yes                 approve destructive steps without asking (needed without a terminal)
  --refs REF,REF        more image references for the Registry cell to probe
  --registry-host HOST  probe the dev build's images on this registry (a mirror) instead of their own
  --control REF|none    the control registry image (default gcr.io/distroless/static-debian12)
  --image IMAGE         the engine image or container the Components cell reads
  --daemon-config FILE  the daemon.json the Docker daemon cell lints (default: the one in force)
  --guided              walk the cells in order with an intro and a summary (the default on first start)
  --resume              carry on the latest session: its results, notes and log file
  --resume-any-checkout with --resume: carry on even if the session worked on another checkout
  -v, --verbose         show command output in plain mode
  --no-color            no colour (also NO_COLOR=1 or TERM=dumb)
  -h, --help            this help
  --version             print the version

Examples
  npx dagger-explore
  dagger-explore check environment --json | jq .status
  DOCKER_HOST=tcp://127.0.0.1:2375 dagger-explore --plain

Exit codes: 0 passed (warnings allowed), 1 a check found a problem, 2 bad usage, 130 interrupted.
`

export const GLOBAL_OPTIONS = {
  plain: {type: 'boolean'},
  json: {type: 'boolean'},
  'notes-dir': {type: 'string'},
  'dagger-src': {type: 'string'},
  yes: {type: 'boolean', short: 'y'},
  guided: {type: 'boolean'},
  refs: {type: 'string'},
  'registry-host': {type: 'string'},
  control: {type: 'string'},
  image: {type: 'string'},
  'daemon-config': {type: 'string'},
  resume: {type: 'boolean'},
  'resume-any-checkout': {type: 'boolean'},
  timeout: {type: 'string'},
  verbose: {type: 'boolean', short: 'v'},
  'no-color': {type: 'boolean'},
  color: {type: 'boolean'},
  help: {type: 'boolean', short: 'h'},
  version: {type: 'boolean'},
} as const

/** The global options, in the shape cells and the session read (core/settings.ts). */
export type GlobalSettings = Settings

/** Reads the options every notebook mode shares; throws UsageError on a bad value. */
export function globalSettings(values: Record<string, string | boolean | undefined>, io: CliIO): GlobalSettings {
  let timeoutMs: number | undefined
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout)
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > 600_000) {
      throw new UsageError(`--timeout takes a whole number of milliseconds between 1 and 600000; "${String(values.timeout)}" is not one. Example: --timeout 5000.`)
    }
  }
  checkCellOptions(values)
  if (values['resume-any-checkout'] === true && values.resume !== true) throw new UsageError('--resume-any-checkout goes with --resume: it lets a resumed session carry on with another checkout. Add --resume, or leave it out to start a new session')
  if (values['notes-dir'] === '') throw new UsageError('--notes-dir takes a folder; an empty value was given. Leave the option out to use the default.')
  const notesDir = typeof values['notes-dir'] === 'string' ? path.resolve(io.cwd, values['notes-dir']) : defaultNotesDir(io.env)
  const json = values.json === true
  const cellOptions = {
    dockerTimeoutMs: timeoutMs ?? DEFAULT_DOCKER_TIMEOUT_MS,
    ...(typeof values['dagger-src'] === 'string' ? {daggerSrc: path.resolve(io.cwd, values['dagger-src'])} : {}),
    ...(typeof values.refs === 'string' ? {refs: values.refs} : {}),
    ...(typeof values['registry-host'] === 'string' ? {registryHost: values['registry-host']} : {}),
    ...(typeof values.control === 'string' ? {control: values.control} : {}),
    ...(typeof values.image === 'string' ? {image: values.image} : {}),
    ...(typeof values['daemon-config'] === 'string' ? {daemonConfig: path.resolve(io.cwd, values['daemon-config'])} : {}),
  }
  return {
    plain: json || values.plain === true || !io.interactive,
    json,
    notesDir,
    verbose: values.verbose === true,
    guided: values.guided === true,
    resume: values.resume === true,
    resumeAnyCheckout: values['resume-any-checkout'] === true,
    yes: values.yes === true,
    color: io.env.NO_COLOR === undefined || io.env.NO_COLOR === '',
    cwd: io.cwd,
    ...cellOptions,
  }
}

/** Flags that take a value: the word after one of them is that value, not a subcommand. */
const VALUE_FLAGS: ReadonlySet<string> = new Set(
  Object.entries(GLOBAL_OPTIONS)
    .filter(([, option]) => option.type === 'string')
    .map(([name]) => `--${name}`),
)

/** Where the subcommand is: the first word that is neither a flag nor a flag's value (`--notes-dir X check`); -1 when none. */
function subcommandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (!arg.startsWith('-')) return i
    if (VALUE_FLAGS.has(arg)) i++
  }
  return -1
}

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
        throw new UsageError(`"${first}" is not a dagger-explore command. Commands: ${Object.keys(COMMANDS).join(', ')}. Run \`dagger-explore --help\` for the list with examples.`)
      }
      const rest = [...argv.slice(0, index), ...argv.slice(index + 1)]
      return await (await command.load())(rest, io)
    }
    const {values} = parseArgs({args: [...argv], options: GLOBAL_OPTIONS, strict: true, allowPositionals: false})
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
    return reportError(error, io)
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

/** One paragraph on stderr; a stack trace only for our own bugs, and only with DAGGER_EXPLORE_DEBUG. */
export function reportError(error: unknown, io: CliIO): number {
  const err = error as Error & {code?: string}
  if (err.name === 'NothingToResume' || err.name === 'NotesDirError' || err.name === 'CheckoutMismatch') {
    io.stderr.write(`dagger-explore: ${err.message}\n`)
    return EXIT.usage
  }
  if (error instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS')) {
    io.stderr.write(`dagger-explore: ${err.message.replace(/\.?$/, '.')}${error instanceof UsageError ? '' : ' Run `dagger-explore --help` for the options.'}\n`)
    return EXIT.usage
  }
  if (err.name === 'NoteSaveError') {
    io.stderr.write(`dagger-explore: ${err.message}\n`)
    return EXIT.problem
  }
  io.stderr.write(`dagger-explore: something went wrong inside dagger-explore: ${err.message ?? String(error)}. Your notes written so far are kept. Run again with DAGGER_EXPLORE_DEBUG=1 for details and report it.\n`)
  if (io.env.DAGGER_EXPLORE_DEBUG) io.stderr.write(`${err.stack ?? ''}\n`)
  return EXIT.problem
}
