import path from 'node:path'
import {parseArgs, type ParseArgsOptionsConfig} from 'node:util'
import {DEFAULT_DOCKER_TIMEOUT_MS} from '../core/docker/client.js'
import {defaultNotesDir} from '../core/notebook/session-log.js'
import {sanitize} from '../core/notebook/sanitize.js'
import type {GlobalSettings} from '../core/settings.js'
import {UsageError, type CliIO, type GlobalValues} from './io.js'
import {checkCellOptions} from './option-checks.js'

export type {GlobalSettings, Settings} from '../core/settings.js'

/** The options every mode and every subcommand accepts, before or after the subcommand's name. */
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
} as const satisfies ParseArgsOptionsConfig

/**
How each global option reads in `--help`, in the order shown; `null` keeps an option out of the help
(`--color` only undoes a `--no-color` given earlier). The help's Options list is made from this table,
and the type makes every option in GLOBAL_OPTIONS appear here.
*/
export const GLOBAL_OPTION_HELP: Readonly<Record<keyof typeof GLOBAL_OPTIONS, {readonly value?: string; readonly help: string} | null>> = {
  plain: {help: 'plain lines, no prompts (implied without a TTY or under CI=true)'},
  json: {help: 'one JSON object per finished cell (JSON Lines); implies --plain'},
  'notes-dir': {value: 'DIR', help: 'where session logs go (default $XDG_STATE_HOME/dagger-explore/notes)'},
  timeout: {value: 'MS', help: 'how long to wait for the Docker daemon (default 3000)'},
  'dagger-src': {value: 'DIR', help: 'the dagger checkout to build (default: the current directory or one above it)'},
  yes: {help: 'approve destructive steps without asking (needed without a terminal)'},
  refs: {value: 'REF,REF', help: 'more image references for the Registry cell to probe'},
  'registry-host': {value: 'HOST', help: "probe the dev build's images on this registry (a mirror) instead of their own"},
  control: {value: 'REF|none', help: 'the control registry image (default gcr.io/distroless/static-debian12)'},
  image: {value: 'IMAGE', help: 'the engine image or container the Components cell reads'},
  'daemon-config': {value: 'FILE', help: 'the daemon.json the Docker daemon cell lints (default: the one in force)'},
  guided: {help: 'walk the cells in order with an intro and a summary (the default on first start)'},
  resume: {help: 'carry on the latest session: its results, notes and log file'},
  'resume-any-checkout': {help: 'with --resume: carry on even if the session worked on another checkout'},
  verbose: {help: 'show command output in plain mode'},
  'no-color': {help: 'no colour (also NO_COLOR=1 or TERM=dumb)'},
  color: null,
  help: {help: 'this help'},
  version: {help: 'print the version'},
}

/** The Options lines of `--help`, from GLOBAL_OPTION_HELP. */
export function globalOptionLines(): string {
  const config: ParseArgsOptionsConfig = GLOBAL_OPTIONS
  return Object.entries(GLOBAL_OPTION_HELP)
    .flatMap(([name, entry]) => {
      if (entry === null) return []
      const short = config[name]?.short
      const flag = `${short === undefined ? '' : `-${short}, `}--${name}${entry.value === undefined ? '' : ` ${entry.value}`}`
      return [`  ${flag.padEnd(21)} ${entry.help}`]
    })
    .join('\n')
}

export interface TimeoutRange {
  /** Used when the flag is absent. */
  readonly fallback: number
  readonly min?: number
  readonly max?: number
}

/** The one reading of a `--timeout MS` value, whichever command it belongs to; throws UsageError. */
export function parseTimeoutMs(value: string | undefined, {fallback, min = 1, max = 600_000}: TimeoutRange, flag = '--timeout'): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} takes a whole number of milliseconds between ${min} and ${max}; "${sanitize(value)}" is not one.`, {fix: `Pass one in that range, e.g. ${flag} ${Math.min(Math.max(5000, min), max)}.`})
  }
  return n
}

/** Reads the options every notebook mode shares; throws UsageError on a bad value. */
export function globalSettings(values: GlobalValues, io: CliIO): GlobalSettings {
  const timeout = typeof values.timeout === 'string' ? values.timeout : undefined
  const timeoutMs = timeout === undefined ? undefined : parseTimeoutMs(timeout, {fallback: DEFAULT_DOCKER_TIMEOUT_MS})
  const strings: Record<string, string | boolean | undefined> = {}
  for (const [key, value] of Object.entries(values)) if (!Array.isArray(value)) strings[key] = value
  checkCellOptions(strings)
  if (values['resume-any-checkout'] === true && values.resume !== true) throw new UsageError('--resume-any-checkout goes with --resume: it lets a resumed session carry on with another checkout, and no --resume was given', {fix: 'Add --resume, or leave --resume-any-checkout out to start a new session.'})
  if (values['notes-dir'] === '') throw new UsageError('--notes-dir takes a folder; an empty value was given.', {fix: 'Name a folder, or leave the option out to use the default.'})
  const text = (key: keyof typeof GLOBAL_OPTIONS): string | undefined => (typeof values[key] === 'string' ? (values[key] as string) : undefined)
  const notesDir = text('notes-dir') === undefined ? defaultNotesDir(io.env) : path.resolve(io.cwd, text('notes-dir') ?? '')
  const daggerSrc = text('dagger-src') === undefined ? undefined : path.resolve(io.cwd, text('dagger-src') ?? '')
  const daemonConfig = text('daemon-config') === undefined ? undefined : path.resolve(io.cwd, text('daemon-config') ?? '')
  const json = values.json === true
  const optional = {
    ...(daggerSrc === undefined ? {} : {daggerSrc}),
    ...(text('refs') === undefined ? {} : {refs: text('refs')}),
    ...(text('registry-host') === undefined ? {} : {registryHost: text('registry-host')}),
    ...(text('control') === undefined ? {} : {control: text('control')}),
    ...(text('image') === undefined ? {} : {image: text('image')}),
    ...(daemonConfig === undefined ? {} : {daemonConfig}),
  } as {daggerSrc?: string; refs?: string; registryHost?: string; control?: string; image?: string; daemonConfig?: string}
  return {
    plain: json || values.plain === true || !io.interactive,
    json,
    color: io.color && values['no-color'] !== true && !json,
    verbose: values.verbose === true,
    guided: values.guided === true,
    resume: values.resume === true,
    resumeAnyCheckout: values['resume-any-checkout'] === true,
    yes: values.yes === true,
    notesDir,
    cwd: io.cwd,
    dockerTimeoutMs: timeoutMs ?? DEFAULT_DOCKER_TIMEOUT_MS,
    ...(timeoutMs === undefined ? {} : {timeoutMs}),
    ...optional,
  }
}

/**
The --timeout of a command whose wait is not the Docker daemon's (diagnose: per layer; recipe: per
detection), in that command's range: read from the settings, so the flag is parsed once for all.
A command with a wait flag of its own (diagnose's --layer-timeout) passes it: given, it wins, read
with the same validator.
*/
export function commandTimeoutMs(settings: Pick<GlobalSettings, 'timeoutMs'>, range: TimeoutRange, own?: {readonly flag: string; readonly value: string | undefined}): number {
  if (own?.value !== undefined) return parseTimeoutMs(own.value, range, own.flag)
  return settings.timeoutMs === undefined ? range.fallback : parseTimeoutMs(String(settings.timeoutMs), range)
}

/** Flags that take a value: the word after one of them is that value, not a subcommand. */
const VALUE_FLAGS: ReadonlySet<string> = new Set(
  Object.entries(GLOBAL_OPTIONS)
    .filter(([, option]) => option.type === 'string')
    .map(([name]) => `--${name}`),
)

/** Where the subcommand is: the first word that is neither a flag nor a flag's value (`--notes-dir X check`); -1 when none. */
export function subcommandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (!arg.startsWith('-')) return i
    if (VALUE_FLAGS.has(arg)) i++
  }
  return -1
}

/** The global options given before any subcommand; throws on an unknown flag or a stray word. */
export function parseGlobals(argv: readonly string[]): GlobalValues {
  return parseArgs({args: [...argv], options: GLOBAL_OPTIONS, strict: true, allowPositionals: false}).values
}

type CommandOptions<T extends ParseArgsOptionsConfig> = Omit<typeof GLOBAL_OPTIONS, keyof T> & T
type CommandValues<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{args: string[]; options: CommandOptions<T>; strict: true; allowPositionals: true}>>['values']
interface ParsedCommand<T extends ParseArgsOptionsConfig> {
  /** The command's own flags (and the globals merged in, for the parser's sake: read globals from `settings`). */
  values: CommandValues<T>
  positionals: string[]
  globals: GlobalValues
}

/**
Parses a subcommand's arguments: its own flags plus every global one, so a global means the same
before or after the name (`--yes tree --help` = `tree --help --yes`). A command's own flag of the same
name wins after the name (`tree --image` is a switch); a global given before the name with another
type stays a global and does not reach the command's values. With `io`, the globals are checked as
the notebook checks them (a bad --timeout is refused by every command alike), unless --help was asked,
and `settings` is the one parsed object every command reads the globals from (with --help, the
defaults when a global is bad: help always answers).
*/
export function parseCommandArgs<const T extends ParseArgsOptionsConfig>(argv: readonly string[], own: T, before: GlobalValues | undefined, io: CliIO): ParsedCommand<T> & {settings: GlobalSettings}
export function parseCommandArgs<const T extends ParseArgsOptionsConfig>(argv: readonly string[], own: T, before?: GlobalValues): ParsedCommand<T>
export function parseCommandArgs<const T extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  own: T,
  before: GlobalValues = {},
  io?: CliIO,
): ParsedCommand<T> & {settings?: GlobalSettings} {
  const options = {...GLOBAL_OPTIONS, ...own} as ParseArgsOptionsConfig
  const parsed = parseArgs({args: [...argv], options, strict: true, allowPositionals: true})
  const after = parsed.values as Record<string, string | boolean | string[] | undefined>
  const global = GLOBAL_OPTIONS as ParseArgsOptionsConfig
  const sameType = (key: string) => own[key] === undefined || own[key]?.type === global[key]?.type
  const values: Record<string, string | boolean | string[] | undefined> = {}
  const globals: Record<string, string | boolean | string[] | undefined> = {}
  for (const [key, value] of Object.entries(before)) {
    globals[key] = value
    if (sameType(key)) values[key] = value
  }
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue
    values[key] = value
    if (key in global && sameType(key)) globals[key] = value
  }
  const parsedCommand = {values: values as CommandValues<T>, positionals: parsed.positionals, globals}
  if (io === undefined) return parsedCommand
  if (values.help !== true) return {...parsedCommand, settings: globalSettings(globals, io)}
  let settings: GlobalSettings
  try {
    settings = globalSettings(globals, io)
  } catch {
    settings = globalSettings({}, io)
  }
  return {...parsedCommand, settings}
}
