import {readdirSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** `~` and `~/x` as the shell reads them; the rest relative to `cwd`. */
export function expandPath(input: string, cwd: string, home = os.homedir()): string {
  const expanded = input === '~' ? home : input.startsWith('~/') ? path.join(home, input.slice(2)) : input
  return path.resolve(cwd, expanded)
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

export interface Completion {
  /** The input completed as far as it is unambiguous. */
  readonly input: string
  /** Directories that match what was typed (names only), when more than one does. */
  readonly candidates: readonly string[]
}

function commonPrefix(names: readonly string[]): string {
  let prefix = names[0] ?? ''
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1)
  return prefix
}

/**
Tab completion of directories that exist, as a shell does it: one match completes with a `/`, several
complete to what they share and are listed. Files and hidden folders (unless a `.` was typed) are left out.
*/
export function completeDirectory(input: string, cwd: string, home = os.homedir()): Completion {
  const typedDir = input.endsWith('/') ? input : input.includes('/') ? input.slice(0, input.lastIndexOf('/') + 1) : ''
  const base = input.slice(typedDir.length)
  const dir = expandPath(typedDir === '' ? '.' : typedDir, cwd, home)
  let names: string[]
  try {
    names = readdirSync(dir, {withFileTypes: true})
      .filter((e) => (e.isDirectory() || (e.isSymbolicLink() && isDirectory(path.join(dir, e.name)))) && e.name.startsWith(base) && (base.startsWith('.') || !e.name.startsWith('.')))
      .map((e) => e.name)
      .sort()
  } catch {
    return {input, candidates: []}
  }
  if (names.length === 0) return {input, candidates: []}
  if (names.length === 1) return {input: `${typedDir}${names[0]}/`, candidates: []}
  return {input: `${typedDir}${commonPrefix(names)}`, candidates: names}
}

/** True when the notebook should ask for the checkout: no --dagger-src and none at or above `cwd`. */
export function needsCheckout(daggerSrc: unknown, cwd: string, findRoot: (dir: string) => string | undefined): boolean {
  return typeof daggerSrc !== 'string' && findRoot(cwd) === undefined
}
