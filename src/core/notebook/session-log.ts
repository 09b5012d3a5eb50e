import {open, readdir, rename, stat} from 'node:fs/promises'
import {homedir} from 'node:os'
import path from 'node:path'
import type {CellId, CellResult} from '../types.js'
import {needsSidecar, renderSession, shownRun, type CellSection, type SessionDocument, type SessionHeader} from './markdown.js'
import {sanitize} from './sanitize.js'
import {shownOutput} from '../present/polls.js'
import {fitToBudget} from './log-budget.js'
import {loadState, statePath, stateJson, type SessionState} from './session-state.js'
import {readRegularFile} from '../system/read-regular.js'
import {checkNotesDir, NotesDirError} from './notes-dir.js'
import {NoteSaveError, saveFailure} from './save-error.js'
import {tracked} from '../system/in-flight-writes.js'

/** `$XDG_STATE_HOME/dagger-explore/notes`, falling back to `~/.local/state/dagger-explore/notes`. */
export function defaultNotesDir(env: NodeJS.ProcessEnv): string {
  const state = env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(env.HOME ?? homedir(), '.local', 'state')
  return path.join(state, 'dagger-explore', 'notes')
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** `<YYYY-MM-DD>T<HHMMSS>` in local time, as people read their clock. */
export function sessionStamp(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`
}

/**
Writes the whole document to a temporary file, fsyncs it and renames it over the log, so the file
on disk is always a complete, valid document: a `kill -9` loses at most the cell that was running.
*/
function writeDurably(file: string, text: string, sync = true): Promise<void> {
  return tracked(() => writeNow(file, text, sync))
}

async function writeNow(file: string, text: string, sync: boolean): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`
  try {
    const handle = await open(tmp, 'w', 0o600)
    try {
      await handle.writeFile(text, 'utf8')
      if (sync) await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, file)
  } catch (error) {
    // The old file is untouched; the temporary one goes so that a full disk does not stay full.
    throw await saveFailure(file, tmp, error)
  }
  if (!sync) return
  // The rename itself must reach the disk too.
  const dir = await open(path.dirname(file), 'r')
  try {
    await dir.sync()
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await dir.close()
  }
}

/** A section as the log keeps it: every run, and the one shown in full derived from them. */
interface LogSection {
  readonly id: CellId
  readonly title: string
  readonly runs: readonly CellResult[]
  readonly notes: readonly string[]
}

function shownSection(s: LogSection): CellSection {
  const result = shownRun(s.runs)
  return {id: s.id, title: s.title, runs: s.runs, notes: s.notes, ...(result ? {result} : {})}
}

export class SessionLog {
  private sections: LogSection[]
  private readonly sidecars = new Map<string, string>()
  private closing: string | undefined
  private writing: Promise<void> = Promise.resolve()

  private constructor(
    readonly file: string,
    private header: SessionHeader,
    cells: readonly {id: CellId; title: string}[],
  ) {
    this.sections = cells.map((c) => ({id: c.id, title: c.title, runs: [], notes: []}))
  }

  /** Creates the log file at once (a valid document from the first moment). */
  static async create(notesDir: string, header: SessionHeader, cells: readonly {id: CellId; title: string}[]): Promise<SessionLog> {
    await checkNotesDir(notesDir)
    const stamp = sessionStamp(header.startedAt)
    let file = path.join(notesDir, `${stamp}-session.md`)
    for (let n = 2; await stat(file).then(() => true, () => false); n++) file = path.join(notesDir, `${stamp}-${n}-session.md`)
    const log = new SessionLog(file, header, cells)
    // The empty document needs no fsync (nothing would be lost); the first frame should not wait on the disk.
    // A full disk here is not fatal: the first cell's save tries again and reports it.
    await log.flush(false).catch((error: unknown) => {
      if (error instanceof NoteSaveError && (error.code === 'ENOSPC' || error.code === 'EDQUOT')) return
      throw new NotesDirError(`The notes folder ${notesDir} cannot hold the session log: ${error instanceof Error ? error.message : String(error)}`, 'Point --notes-dir at a folder you can write.')
    })
    return log
  }

  /**
  Opens a log written earlier to carry it on: its cells, notes and sidecars come back from the state
  the log keeps, and new results are written to the same file.
  */
  static async resume(file: string, cells: readonly {id: CellId; title: string}[]): Promise<SessionLog> {
    const state = await loadState(file)
    if (!state) throw new Error(`${file} was not written by this version of dagger-explore, so it cannot be resumed`)
    const log = new SessionLog(file, {...state.header, startedAt: new Date(state.header.startedAt)}, cells)
    const saved = new Map(state.sections.map((s) => [s.id, s]))
    log.sections = log.sections.map((s) => {
      const old = saved.get(s.id)
      return old ? {...s, notes: old.notes, runs: old.runs} : s
    })
    for (const [key, name] of state.sidecars) log.sidecars.set(key, name)
    if (state.closing !== undefined) log.closing = state.closing
    return log
  }

  /** The latest result of each cell that was not a decline (what `resume` restores as the session's results). */
  results(): CellResult[] {
    return this.sections.flatMap((s) => {
      const latest = s.runs.findLast((r) => r.declined === undefined)
      return latest ? [latest] : []
    })
  }

  /** Every run of a cell, oldest first, declines included. */
  history(cell: CellId): readonly CellResult[] {
    return this.sections.find((s) => s.id === cell)?.runs ?? []
  }

  /** The checkout the session works on, as its header names it. */
  get checkout(): string | undefined {
    return this.header.checkout
  }

  get checkoutRoot(): string | undefined {
    return this.header.checkoutRoot
  }

  /** Names the checkout in the header (a session that had none, or a resume told to carry on with another). */
  setCheckout(checkout: string, root: string): void {
    this.header = {...this.header, checkout, checkoutRoot: root}
  }

  notesOf(cell: CellId): readonly string[] {
    return this.sections.find((s) => s.id === cell)?.notes ?? []
  }

  get path(): string {
    return this.file
  }

  get base(): string {
    return path.basename(this.file, '.md')
  }

  document(): SessionDocument {
    return {header: this.header, sections: this.sections.map(shownSection), sidecars: new Map(this.sidecars), ...(this.closing ? {closing: this.closing} : {})}
  }

  private state(): SessionState {
    const h = this.header
    return {
      version: 2,
      log: path.basename(this.file),
      header: {...h, startedAt: h.startedAt.toISOString()},
      sections: this.sections,
      sidecars: [...this.sidecars.entries()],
      ...(this.closing ? {closing: this.closing} : {}),
    }
  }

  /**
  Records a run of a cell and flushes. Every run is kept (the log lists them); a result with the
  same start as the cell's latest run is that run updated (a recipe's commands added) and replaces it.
  A declined run never replaces the result shown in full.
  */
  async addResult(result: CellResult): Promise<void> {
    let sidecarError: NoteSaveError | undefined
    const section = this.sections.find((s) => s.id === result.cell)
    const runs = section?.runs ?? []
    const same = runs.at(-1)?.startedAt === result.startedAt
    const nextRuns = same ? [...runs.slice(0, -1), result] : [...runs, result]
    this.sections = this.sections.map((s) => (s.id === result.cell ? {...s, runs: nextRuns} : s))
    if (shownRun(nextRuns) !== result) {
      await this.flush()
      return
    }
    for (const [i, command] of result.commands.entries()) {
      const key = `${result.cell}:${i}`
      this.sidecars.delete(key)
      if (needsSidecar(command.output)) {
        const name = `${this.base}-${result.cell}-${i + 1}.log`
        try {
          await writeDurably(path.join(path.dirname(this.file), name), sanitize(command.output))
          this.sidecars.set(key, name)
        } catch (error) {
          // The section is still recorded (its output clipped inline); the log's own save below is what matters.
          sidecarError ??= error as NoteSaveError
        }
      }
    }
    await this.flush()
    if (sidecarError) throw sidecarError
  }

  /** Adds the user's own note to a cell and flushes. */
  async addNote(cell: CellId, text: string): Promise<void> {
    // Stored cleaned: the log keeps its state (for --resume) too, and no secret may reach it.
    const note = sanitize(text).replace(/\s+$/, '')
    if (note === '') return
    this.sections = this.sections.map((s) => (s.id === cell ? {...s, notes: [...s.notes, note]} : s))
    await this.flush()
  }

  async finish(closing: string): Promise<void> {
    this.closing = sanitize(closing)
    await this.flush()
  }

  /**
  Writes are serialised so two quick flushes never interleave. A failed write (disk full) does not
  stop later ones: each renders the whole document, so the next save that succeeds holds everything.
  */
  flush(sync = true): Promise<void> {
    const doc = this.document()
    const next = this.writing.catch(() => undefined).then(() => this.write(doc, sync))
    this.writing = next
    return next
  }

  /**
  Renders the log within its budget (cut outputs get a sidecar holding all of them first), writes it,
  then the state beside it. The log goes first: it is what the user reads, and what a failed save names.
  */
  private async write(doc: SessionDocument, sync: boolean): Promise<void> {
    const name = (key: string) => {
      const [cell, index] = key.split(':')
      return `${this.base}-${cell}-${Number(index) + 1}.log`
    }
    const fit = fitToBudget(doc, renderSession, name)
    let sidecarError: NoteSaveError | undefined
    for (const [key, file] of fit.sidecars) {
      if (this.sidecars.has(key) || !fit.cuts.has(key)) continue
      const [cell, index] = key.split(':')
      const command = doc.sections.find((s) => s.id === cell)?.result?.commands[Number(index)]
      if (command === undefined) continue
      try {
        await writeDurably(path.join(path.dirname(this.file), file), sanitize(shownOutput(command)), sync)
        this.sidecars.set(key, file)
      } catch (error) {
        sidecarError ??= error as NoteSaveError
      }
    }
    await writeDurably(this.file, fit.text, sync)
    await writeDurably(statePath(this.file), stateJson(this.state()), sync)
    // The log is saved; the next save writes the sidecar again.
    if (sidecarError) throw sidecarError
  }
}

/** How many sessions the folder holds, without reading them. */
export async function countSessions(notesDir: string): Promise<number> {
  try {
    return (await readdir(notesDir)).filter((n) => n.endsWith('-session.md')).length
  } catch {
    return 0
  }
}

export interface SavedSession {
  readonly file: string
  readonly name: string
  readonly title: string
  readonly summary: readonly string[]
  readonly modified: Date
}

/** Lists saved sessions, newest first, with their summary lines. */
export async function listSessions(notesDir: string): Promise<SavedSession[]> {
  let names: string[]
  try {
    names = (await readdir(notesDir)).filter((n) => n.endsWith('-session.md'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const sessions = await Promise.all(
    names.map(async (name): Promise<SavedSession | undefined> => {
      const file = path.join(notesDir, name)
      // Only regular files are sessions: a directory or FIFO named *-session.md, or a symlink loop, is skipped (a FIFO would block the read forever).
      const info = await stat(file).catch(() => undefined)
      if (!info?.isFile()) return undefined
      const text = await readRegularFile(file).then((b) => b.toString('utf8'), () => undefined)
      if (text === undefined) return undefined
      const lines = text.split('\n')
      // Titles and summaries reach the terminal: escapes in a crafted file (OSC 52, title, clear screen) go.
      const title = sanitize((lines[0] ?? '').replace(/^#\s*/, ''))
      const start = lines.indexOf('## Summary')
      const summary: string[] = []
      for (let i = start + 1; start !== -1 && i < lines.length && !lines[i]?.startsWith('## '); i++) {
        const line = lines[i]?.trim()
        if (line?.startsWith('- ')) summary.push(sanitize(line.slice(2).replace(/\*\*/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')))
      }
      return {file, name: sanitize(name), title, summary, modified: info.mtime}
    }),
  )
  return sessions.filter((s): s is SavedSession => s !== undefined).sort((a, b) => b.name.localeCompare(a.name))
}
