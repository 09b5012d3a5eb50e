/**
docker.service as systemd assembles it: the unit file plus its drop-ins, read in systemd's order.
The environment (proxies) and ExecStart flags set there act on dockerd just like daemon.json, and
a key set both as a flag and in the file stops dockerd from starting.
*/
import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {splitCommandLine} from './flags.js'

export interface UnitText {
  readonly path: string
  readonly text: string
}

export interface ServiceSettings {
  /** Unit and drop-in files that were read, in the order applied. */
  readonly files: readonly string[]
  /** The ExecStart= in force (after resets by an empty ExecStart=), as words. */
  readonly execStart?: readonly string[]
  /** File that set the ExecStart= in force. */
  readonly execStartFile?: string
  readonly environment: Readonly<Record<string, string>>
  /** File that set each environment variable. */
  readonly environmentFrom: Readonly<Record<string, string>>
  readonly environmentFiles: readonly string[]
}

/** Where systemd looks for docker.service and its drop-ins, most specific first for units. */
export function unitSearchPaths(rootless: boolean, home: string, env: NodeJS.ProcessEnv = {}): {units: string[]; dropinDirs: string[]} {
  if (rootless) {
    const config = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : path.join(home, '.config')
    const dirs = [path.join(config, 'systemd', 'user'), '/etc/systemd/user', '/usr/lib/systemd/user']
    return {units: dirs.map((d) => path.join(d, 'docker.service')), dropinDirs: dirs.slice().reverse().map((d) => path.join(d, 'docker.service.d'))}
  }
  const dirs = ['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system']
  return {units: dirs.map((d) => path.join(d, 'docker.service')), dropinDirs: dirs.slice().reverse().map((d) => path.join(d, 'docker.service.d'))}
}

/** Reads the first unit found and every drop-in (*.conf, later directories override by name). */
export async function readDockerService(rootless: boolean, home: string, env: NodeJS.ProcessEnv = {}, root = '/'): Promise<UnitText[]> {
  const {units, dropinDirs} = unitSearchPaths(rootless, home, env)
  const out: UnitText[] = []
  for (const unit of units) {
    const text = await readFile(path.join(root, unit), 'utf8').catch(() => undefined)
    if (text !== undefined) {
      out.push({path: unit, text})
      break
    }
  }
  const byName = new Map<string, string>()
  for (const dir of dropinDirs) {
    const names = await readdir(path.join(root, dir)).catch(() => [] as string[])
    for (const name of names) if (name.endsWith('.conf')) byName.set(name, path.join(dir, name))
  }
  for (const name of [...byName.keys()].sort()) {
    const file = byName.get(name) ?? ''
    const text = await readFile(path.join(root, file), 'utf8').catch(() => undefined)
    if (text !== undefined) out.push({path: file, text})
  }
  return out
}

/** Applies unit and drop-in texts in order, the way systemd merges [Service] settings. */
export function mergeServiceFiles(files: readonly UnitText[]): ServiceSettings {
  let execStart: string[] | undefined
  let execStartFile: string | undefined
  let environment: Record<string, string> = {}
  let environmentFrom: Record<string, string> = {}
  let environmentFiles: string[] = []
  for (const file of files) {
    let section = ''
    for (const line of joinContinuations(file.text)) {
      const trimmed = line.trim()
      if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue
      const header = /^\[(.+)\]$/.exec(trimmed)
      if (header !== null) {
        section = header[1] ?? ''
        continue
      }
      if (section !== 'Service') continue
      const eq = trimmed.indexOf('=')
      if (eq < 0) continue
      const name = trimmed.slice(0, eq).trim()
      const value = trimmed.slice(eq + 1).trim()
      if (name === 'ExecStart') {
        if (value === '') {
          execStart = undefined
          execStartFile = undefined
        } else {
          execStart = splitCommandLine(value)
          execStartFile = file.path
        }
      } else if (name === 'Environment') {
        if (value === '') {
          environment = {}
          environmentFrom = {}
          continue
        }
        for (const word of splitCommandLine(`x ${value}`).slice(1)) {
          const at = word.indexOf('=')
          if (at <= 0) continue
          const key = word.slice(0, at)
          environment[key] = word.slice(at + 1).replace(/%%/g, '%')
          environmentFrom[key] = file.path
        }
      } else if (name === 'EnvironmentFile') {
        if (value === '') environmentFiles = []
        else environmentFiles.push(value.replace(/^-/, ''))
      }
    }
  }
  return {
    files: files.map((f) => f.path),
    environment,
    environmentFrom,
    environmentFiles,
    ...(execStart === undefined ? {} : {execStart}),
    ...(execStartFile === undefined ? {} : {execStartFile}),
  }
}

function joinContinuations(text: string): string[] {
  const out: string[] = []
  let pending = ''
  for (const raw of text.split(/\r?\n/)) {
    if (raw.endsWith('\\')) {
      pending += `${raw.slice(0, -1)} `
      continue
    }
    out.push(pending + raw)
    pending = ''
  }
  if (pending !== '') out.push(pending)
  return out
}

/** Proxy variables as Go reads them (upper case first). */
export function proxyEnvironment(env: Readonly<Record<string, string>>): {http?: string; https?: string; no?: string} {
  const pick = (upper: string) => env[upper] ?? env[upper.toLowerCase()]
  const http = pick('HTTP_PROXY')
  const https = pick('HTTPS_PROXY')
  const no = pick('NO_PROXY')
  return {...(http === undefined ? {} : {http}), ...(https === undefined ? {} : {https}), ...(no === undefined ? {} : {no})}
}

/** KEY=VALUE lines of an EnvironmentFile= (comments, `export`, quotes as systemd reads them). */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of joinContinuations(text)) {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed)
    if (m === null) continue
    const raw = m[2] ?? ''
    const quoted = /^"(.*)"$/.exec(raw) ?? /^'(.*)'$/.exec(raw)
    out[m[1] ?? ''] = quoted === null ? raw : (quoted[1] ?? '').replace(/\\(["\\$`])/g, '$1')
  }
  return out
}

/**
Expands $VAR (split into words, as systemd does for an unbraced variable standing alone) and ${VAR}
(one word) in ExecStart= words. Debian's unit passes `$DOCKER_OPTS` from /etc/default/docker.
*/
export function expandExecStart(words: readonly string[], env: Readonly<Record<string, string>>): string[] {
  const out: string[] = []
  for (const word of words) {
    const alone = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word)
    if (alone !== null) {
      out.push(...(env[alone[1] ?? ''] ?? '').split(/\s+/).filter((w) => w !== ''))
      continue
    }
    out.push(word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string | undefined, b: string | undefined) => env[a ?? b ?? ''] ?? ''))
  }
  return out
}

/** Reads the EnvironmentFile= files (a missing optional one is skipped) and applies them to ExecStart=. */
export async function withEnvironmentFiles(settings: ServiceSettings, root = '/'): Promise<{settings: ServiceSettings; read: UnitText[]}> {
  const read: UnitText[] = []
  let fileEnv: Record<string, string> = {}
  for (const file of settings.environmentFiles) {
    const text = await readFile(path.join(root, file), 'utf8').catch(() => undefined)
    if (text === undefined) continue
    read.push({path: file, text})
    fileEnv = {...fileEnv, ...parseEnvironmentFile(text)}
  }
  // systemd applies EnvironmentFile= after Environment=, so the files win for the same name.
  const env = {...settings.environment, ...fileEnv}
  return {settings: {...settings, ...(settings.execStart === undefined ? {} : {execStart: expandExecStart(settings.execStart, env)})}, read}
}
