import path from 'node:path'
import {devNames} from './names.js'

/** One `export NAME=value` line a build printed for `eval`. */
export interface ExportLine {
  readonly name: string
  readonly value: string
}

const EXPORT = /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/

function unquote(value: string): string {
  const v = value.trim()
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return v.slice(1, -1)
  return v
}

/** The export in a line of build output, if it is one. */
export function parseExportLine(line: string): ExportLine | undefined {
  const m = EXPORT.exec(line.trim())
  if (!m) return undefined
  return {name: m[1] ?? '', value: unquote(m[2] ?? '')}
}

/**
The variables `hack/with-dev` sets: used when a build printed none (the hack/build era) and to fill in
what an older build left out. `bin/dagger` paths the build printed relative to the root are resolved.
*/
export function devEnvironment(root: string, captured: readonly ExportLine[], env: NodeJS.ProcessEnv = {}): ExportLine[] {
  const bin = path.join(root, 'bin')
  const defaults: ExportLine[] = [
    {name: '_EXPERIMENTAL_DAGGER_CLI_BIN', value: path.join(bin, 'dagger')},
    {name: '_EXPERIMENTAL_DAGGER_RUNNER_HOST', value: `docker-container://${devNames(env).container}`},
    {name: '_DAGGER_TESTS_ENGINE_TAR', value: path.join(bin, 'engine.tar')},
  ]
  const byName = new Map<string, string>()
  for (const d of defaults) byName.set(d.name, d.value)
  for (const c of captured) {
    const value = c.name === '_EXPERIMENTAL_DAGGER_CLI_BIN' && !path.isAbsolute(c.value) ? path.resolve(root, c.value) : c.value
    byName.set(c.name, value)
  }
  return [...byName].map(([name, value]) => ({name, value}))
}

/** POSIX shell single-quoting, so `eval "$(dagger-explore engine env)"` is safe with any path. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value
  return `'${value.replace(/'/g, `'\\''`)}'`
}

export function exportText(lines: readonly ExportLine[]): string {
  return lines.map((l) => `export ${l.name}=${shellQuote(l.value)}`).join('\n')
}

/** The environment a command sees after `eval` of the lines: PATH gets the checkout's bin first, as hack/with-dev does. */
export function applyExports(env: NodeJS.ProcessEnv, lines: readonly ExportLine[], root: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {...env}
  for (const l of lines) out[l.name] = l.value
  const bin = path.join(root, 'bin')
  out.PATH = out.PATH ? `${bin}${path.delimiter}${out.PATH}` : bin
  return out
}
