import path from 'node:path'
import type {CellId, CellResult} from '../types.js'
import {readRegularFile} from '../system/read-regular.js'
import {readState, type SessionHeader} from './markdown.js'
import {sanitizeDeep} from './sanitize.js'

/**
What `--resume` needs to carry a session on. It lives in a file beside the log (`<log>.state.json`),
so the log itself stays readable markdown that fits an issue body.
*/
export interface SessionState {
  readonly version: 2
  /** The log this state belongs to (file name), so a state copied elsewhere is not taken for another log's. */
  readonly log: string
  readonly header: Omit<SessionHeader, 'startedAt'> & {readonly startedAt: string}
  readonly sections: readonly {readonly id: CellId; readonly title: string; readonly runs: readonly CellResult[]; readonly notes: readonly string[]}[]
  readonly sidecars: readonly (readonly [string, string])[]
  readonly closing?: string
}

/** `/notes/2026-…-session.md` → `/notes/2026-…-session.state.json`. */
export function statePath(logFile: string): string {
  return path.join(path.dirname(logFile), `${path.basename(logFile, '.md')}.state.json`)
}

/** The state as JSON, sanitised again: it is read back by --resume and must hold no secret either. */
export function stateJson(state: SessionState): string {
  return `${JSON.stringify(sanitizeDeep(state))}\n`
}

function isState(value: unknown): value is SessionState {
  const v = value as Partial<SessionState> | null
  return typeof v === 'object' && v !== null && v.version === 2 && Array.isArray(v.sections) && Array.isArray(v.sidecars) && typeof v.header === 'object'
}

/**
Reads the state of a log: the `.state.json` beside it, or (logs written before it moved there) the
comment at the end of the log. Undefined when neither is there or readable.
*/
export async function loadState(logFile: string): Promise<SessionState | undefined> {
  const side = await readRegularFile(statePath(logFile)).then(
    (b) => b.toString('utf8'),
    () => undefined,
  )
  if (side !== undefined) {
    try {
      const parsed: unknown = JSON.parse(side)
      if (isState(parsed) && parsed.log === path.basename(logFile)) return parsed
    } catch {
      // A torn or foreign file: fall back to what the log itself carries.
    }
  }
  const legacy = readState((await readRegularFile(logFile)).toString('utf8'))
  if (legacy === undefined) return undefined
  return {
    version: 2,
    log: path.basename(logFile),
    header: legacy.header,
    sections: legacy.sections.map((s) => ({id: s.id, title: s.title, notes: s.notes, runs: s.runs ?? (s.result ? [s.result] : [])})),
    sidecars: legacy.sidecars,
    ...(legacy.closing === undefined ? {} : {closing: legacy.closing}),
  }
}
