/**
Reads a dockerd command line (from /proc/PID/cmdline or a systemd ExecStart=) into the options it
sets, named the way daemon.json names them, so flag/file conflicts can be found before dockerd
refuses to start over them.
*/
import {DAEMON_KEYS, PROXY_KEYS} from './schema.js'
import {atLeast, type EngineVersion} from './version.js'

export interface FlagSetting {
  /** The flag as written, e.g. `-H` or `--bridge`. */
  readonly flag: string
  /** The flag's long name, e.g. `host`. */
  readonly name: string
  /** The daemon.json key it corresponds to (`proxies.http-proxy` for proxy flags); undefined when none. */
  readonly key?: string
  readonly value: string
}

export interface ParsedCommandLine {
  /** The program, usually `dockerd` or `/usr/bin/dockerd`. */
  readonly program: string
  readonly settings: readonly FlagSetting[]
  /** `--config-file` when given. */
  readonly configFile?: string
  /** Words that are not flags (dockerd takes none; kept to report them). */
  readonly extra: readonly string[]
}

/** Flags that are not daemon.json keys. */
const COMMAND_ONLY_FLAGS: Readonly<Record<string, 'string' | 'boolean'>> = {
  'config-file': 'string',
  validate: 'boolean',
  version: 'boolean',
  help: 'boolean',
  'http-proxy': 'string',
  'https-proxy': 'string',
  'no-proxy': 'string',
  'add-runtime': 'string',
  restart: 'boolean',
}

interface FlagInfo {
  readonly name: string
  readonly key?: string
  readonly boolean: boolean
}

const LONG = new Map<string, FlagInfo>()
const SHORT = new Map<string, FlagInfo>()
for (const spec of DAEMON_KEYS) {
  const info: FlagInfo = {name: spec.flag ?? spec.key, key: spec.key, boolean: spec.type === 'boolean'}
  LONG.set(info.name, info)
  if (spec.shorthand !== undefined) SHORT.set(spec.shorthand, info)
}
for (const [name, type] of Object.entries(COMMAND_ONLY_FLAGS)) {
  const key = (PROXY_KEYS as readonly string[]).includes(name) ? `proxies.${name}` : name === 'add-runtime' ? 'runtimes' : undefined
  LONG.set(name, {name, ...(key === undefined ? {} : {key}), boolean: type === 'boolean'})
}
SHORT.set('v', {name: 'version', boolean: true})
SHORT.set('h', {name: 'help', boolean: true})

/**
Long flag names dockerd has in `target`'s release. dockerd's unknown-key check looks file keys up by
flag name, so a flag's own name (`registry-mirror`, `label`) passes the check even where the file
key is spelled differently — and is then silently ignored.
*/
export function flagNames(target: EngineVersion): Set<string> {
  const names = new Set<string>(['config-file', 'version', 'help', 'add-runtime'])
  if (atLeast(target, [23, 0])) for (const n of ['validate', 'http-proxy', 'https-proxy', 'no-proxy']) names.add(n)
  for (const spec of DAEMON_KEYS) {
    if (spec.since !== undefined && !atLeast(target, spec.since)) continue
    if (spec.removedIn !== undefined && atLeast(target, spec.removedIn)) continue
    if (spec.flag !== undefined) names.add(spec.flag)
  }
  return names
}

/** Splits a dockerd argv into settings; unknown flags are kept with no key. */
export function parseDockerdArgs(argv: readonly string[]): ParsedCommandLine {
  const [program = 'dockerd', ...args] = argv
  const settings: FlagSetting[] = []
  const extra: string[] = []
  let configFile: string | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    if (arg === '--') {
      extra.push(...args.slice(i + 1))
      break
    }
    let info: FlagInfo | undefined
    let inline: string | undefined
    if (arg.startsWith('--')) {
      const [name = '', value] = splitOnce(arg.slice(2), '=')
      info = LONG.get(name) ?? {name, boolean: false}
      inline = value
    } else if (arg.startsWith('-') && arg.length > 1) {
      const letter = arg.slice(1, 2)
      info = SHORT.get(letter) ?? {name: letter, boolean: false}
      const rest = arg.slice(2)
      inline = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest
    } else {
      extra.push(arg)
      continue
    }
    let value: string
    if (inline !== undefined) value = inline
    else if (info.boolean) value = 'true'
    else {
      value = args[i + 1] ?? ''
      i++
    }
    if (info.name === 'config-file') configFile = value
    settings.push({flag: arg.startsWith('--') ? `--${info.name}` : arg.slice(0, 2), name: info.name, ...(info.key === undefined ? {} : {key: info.key}), value})
  }
  return {program, settings, extra, ...(configFile === undefined ? {} : {configFile})}
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const at = text.indexOf(sep)
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)]
}

/**
Splits a systemd ExecStart= value into words the way systemd does for simple cases: double and
single quotes group, backslash escapes; a leading `-`, `@`, `+`, `!` or `:` prefix is dropped.
*/
export function splitCommandLine(line: string): string[] {
  const words: string[] = []
  let current = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? ''
    if (quote !== undefined) {
      if (c === quote) quote = undefined
      else if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i] ?? ''
      else current += c
      continue
    }
    if (c === '"' || c === "'") {
      quote = c
      inWord = true
    } else if (c === '\\' && i + 1 < line.length) {
      const next = line[i + 1]
      if (next === '\n') i++
      else {
        current += next ?? ''
        i++
        inWord = true
      }
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(current)
      current = ''
      inWord = false
    } else {
      current += c
      inWord = true
    }
  }
  if (inWord) words.push(current)
  if (words[0] !== undefined) words[0] = words[0].replace(/^[-@+!:]+/, '')
  return words
}
