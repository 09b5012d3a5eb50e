import {open, readdir, readFile, rename, stat} from 'node:fs/promises'
import {homedir} from 'node:os'
import path from 'node:path'
import type {CellId, CellResult} from '../types.js'
import {needsSidecar, readState, renderSession, type CellSection, type SessionDocument, type SessionHeader} from './markdown.js'
import {sanitize} from './sanitize.js'
import {readRegularFile} from '../system/read-regular.js'
import {checkNotesDir, NotesDirError} from './notes-dir.js'
import {NoteSaveError, saveFailure} from './save-error.js'

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
async function writeDurably(file: string, text: string, sync = true): Promise<void> {
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

export class SessionLog {
  private sections: CellSection[]
  private readonly sidecars = new Map<string, string>()
  private closing: string | undefined
  private writing: Promise<void> = Promise.resolve()

  private constructor(
    readonly file: string,
    private readonly header: SessionHeader,
    cells: readonly {id: CellId; title: string}[],
  ) {
    this.sections = cells.map((c) => ({id: c.id, title: c.title, notes: []}))
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
    const state = readState((await readRegularFile(file)).toString('utf8'))
    if (!state) throw new Error(`${file} was not written by this version of dagger-explore, so it cannot be resumed`)
    const log = new SessionLog(file, {...state.header, startedAt: new Date(state.header.startedAt)}, cells)
    const saved = new Map(state.sections.map((s) => [s.id, s]))
    log.sections = log.sections.map((s) => {
      const old = saved.get(s.id)
      return old ? {...s, notes: old.notes, ...(old.result ? {result: old.result} : {})} : s
    })
    for (const [key, name] of state.sidecars) log.sidecars.set(key, name)
    return log
  }

  /** Results restored by `resume`. */
  results(): CellResult[] {
    return this.sections.flatMap((s) => (s.result ? [s.result] : []))
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
    return {header: this.header, sections: this.sections, sidecars: this.sidecars, ...(this.closing ? {closing: this.closing} : {})}
  }

  /** Records a finished cell (replacing an earlier run of it) and flushes. */
  async addResult(result: CellResult): Promise<void> {
    let sidecarError: NoteSaveError | undefined
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
    this.sections = this.sections.map((s) => (s.id === result.cell ? {...s, result} : s))
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
    const text = renderSession(this.document())
    const next = this.writing.catch(() => undefined).then(() => writeDurably(this.file, text, sync))
    this.writing = next
    return next
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
