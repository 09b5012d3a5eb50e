import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync} from 'node:fs'
import {rename, writeFile} from 'node:fs/promises'
import path from 'node:path'
import type {ExportLine} from './exports.js'
import type {ProgressSummary} from './progress.js'
import {tracked} from '../system/in-flight-writes.js'

/** One build attempt, remembered so a retry can say how much came from cache. */
export interface BuildAttempt {
  readonly at: string
  readonly exitCode: number | null
  readonly passed: boolean
  readonly progress: ProgressSummary
  readonly durationMs: number
  readonly sidecarPath: string
  readonly failedSteps: readonly string[]
}

/** What this tool remembers about one checkout between runs. */
export interface CheckoutState {
  readonly root: string
  readonly attempts: readonly BuildAttempt[]
  /** The `export` lines of the last build that printed any. */
  readonly exports: readonly ExportLine[]
  /** Image ID of the last engine this tool loaded for the checkout. */
  readonly imageId?: string
}

/** Where state lives: `DAGGER_EXPLORE_STATE_DIR`, else the user's data directory. */
export async function stateDir(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.DAGGER_EXPLORE_STATE_DIR) return env.DAGGER_EXPLORE_STATE_DIR
  const {default: envPaths} = await import('env-paths')
  return path.join(envPaths('dagger-explore', {suffix: ''}).data, 'engine')
}

function stateFile(dir: string, root: string): string {
  return path.join(dir, `${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`)
}

export async function loadState(env: NodeJS.ProcessEnv, root: string): Promise<CheckoutState> {
  const dir = await stateDir(env)
  try {
    const data = JSON.parse(readFileSync(stateFile(dir, root), 'utf8')) as CheckoutState
    if (data.root === root && Array.isArray(data.attempts) && Array.isArray(data.exports)) return data
  } catch {
    // first run for this checkout, or an unreadable file: start afresh
  }
  return {root, attempts: [], exports: []}
}

export async function saveState(env: NodeJS.ProcessEnv, state: CheckoutState): Promise<void> {
  const dir = await stateDir(env)
  mkdirSync(dir, {recursive: true})
  // Keep the last few attempts only: enough to describe a retry, bounded forever.
  const trimmed: CheckoutState = {...state, attempts: state.attempts.slice(-10)}
  const file = stateFile(dir, state.root)
  // Written beside and renamed over, so a crash never leaves half a file. (Not write-file-atomic: it
  // reads __filename, which the ESM bundle does not define.)
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`
  // Tracked: a stop signal lets the rename land before the process exits, so no temp file stays.
  await tracked(async () => {
    await writeFile(temp, `${JSON.stringify(trimmed, null, 2)}\n`, {mode: 0o600})
    await rename(temp, file)
  })
}

/** Steps from cache on a retry: the plain sentence the Build cell shows after a failed attempt. */
export function retryNote(previous: BuildAttempt | undefined, current: ProgressSummary): string | undefined {
  if (previous === undefined || previous.passed) return undefined
  const total = current.done + current.cached + current.failed
  return `Retry after a failed attempt: ${current.cached} of ${total} steps came from cache (the previous attempt had finished ${previous.progress.done + previous.progress.cached} before it failed).`
}
