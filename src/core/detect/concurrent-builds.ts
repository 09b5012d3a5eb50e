/**
Two dev builds at once fight over one `dagger-engine.dev`: one removes the container the other is
starting, and dies with `removal of container … is already in progress`. Seen from the process table.
*/
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import type {Finding} from '../types.js'

export interface ProcessFact {
  readonly pid: number
  /** argv as /proc/PID/cmdline holds it. */
  readonly argv: readonly string[]
}

/** The running processes' argv, from a /proc-like folder; unreadable entries are skipped (they exit as we read). */
export function readProcesses(procRoot = '/proc'): ProcessFact[] {
  const out: ProcessFact[] = []
  let names: string[]
  try {
    names = readdirSync(procRoot)
  } catch {
    return out
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue
    try {
      const argv = readFileSync(path.join(procRoot, name, 'cmdline'), 'latin1').split('\0').filter((a) => a !== '')
      if (argv.length > 0) out.push({pid: Number(name), argv})
    } catch {
      // gone already, or not ours to read
    }
  }
  return out
}

/** True for the argv of a dev build: hack/dev, hack/build, mage engine:dev, or the `api call dev … deploy` hack/build execs. */
export function isDevBuild(argv: readonly string[]): boolean {
  const joined = argv.join(' ')
  if (argv.some((a) => /(?:^|\/)hack\/(?:dev|build)$/.test(a))) return true
  if (/\bengine:dev\b/.test(joined) && /\bmage\b|\bgo run\b/.test(joined)) return true
  return /\bdagger\b.*\bapi call dev\b.*\bdeploy\b/.test(joined) || /\bdagger\b.*\bcall (?:dev|engine-dev)\b.*\b(?:deploy|dev-export)\b/.test(joined)
}

/** A finding when a dev build other than ours (`self`, and its ancestors in `ignore`) is running. */
export function concurrentBuildFinding(processes: readonly ProcessFact[], ignore: ReadonlySet<number>): Finding | null {
  const others = processes.filter((p) => !ignore.has(p.pid) && isDevBuild(p.argv))
  if (others.length === 0) return null
  const shown = others.slice(0, 3).map((p) => `${p.pid}: ${p.argv.join(' ').slice(0, 160)}`)
  return {
    id: 'dev-build-running',
    status: 'warn',
    title: `Another dev build is running (${others.length === 1 ? `PID ${others[0]?.pid}` : `${others.length} processes`})`,
    detail: `Two dev builds at once both remove and recreate dagger-engine.dev; one of them then fails with "removal of container dagger-engine.dev is already in progress". Running now:\n${shown.join('\n')}`,
    fix: 'Wait for it to finish (or stop it), then build once; to use the engine from several shells, run ./hack/with-dev (or `eval "$(dagger-explore engine env)"`) instead of building again.',
  }
}
