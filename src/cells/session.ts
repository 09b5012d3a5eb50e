import os from 'node:os'
import {resolveEndpoint} from '../core/docker/endpoint.js'
import {listSessions, SessionLog} from '../core/notebook/session-log.js'
import {UsageError} from '../core/errors.js'
import {NoteSaveError} from '../core/notebook/save-error.js'
import type {Finding} from '../core/types.js'
import {readOsRelease} from '../core/system/host.js'
import type {CellId, CellResult, CommandRecord, Confirm} from '../core/types.js'
import {VERSION} from '../version.js'
import type {CellContext, LiveView} from './cell.js'
import {CELLS, type CellEntry} from './registry.js'
import {runCell} from './run-cell.js'

/** `--resume` with no saved session: a usage problem the CLI reports in one paragraph. */
export class NothingToResume extends UsageError {
  constructor(readonly notesDir: string) {
    super(`There is no saved session in ${notesDir} to resume.`, {fix: 'Start one with `dagger-explore` (or point --notes-dir at the folder that has your sessions).'})
  }
}

export interface SessionOptions {
  readonly env: NodeJS.ProcessEnv
  readonly notesDir: string
  readonly cellOptions: CellContext['options']
  readonly now?: Date
}

/**
One notebook session: runs cells, keeps their results for later cells, and writes the markdown log
as it goes. The TUI, --plain and --json all drive this same object.
*/
export class Session {
  readonly results = new Map<CellId, CellResult>()
  private readonly controller = new AbortController()
  private closing: Promise<void> | undefined
  private constructor(
    readonly log: SessionLog,
    private readonly options: SessionOptions,
  ) {}

  static async start(options: SessionOptions): Promise<Session> {
    const startedAt = options.now ?? new Date()
    const [release, endpoint] = await Promise.all([
      process.platform === 'linux' ? readOsRelease() : Promise.resolve(undefined),
      resolveEndpoint(options.env).then(
        (e) => `${e.host} (chosen by ${e.rule}${e.context ? `: context ${e.context}` : ''})`,
        (error: Error) => `unresolved: ${error.message}`,
      ),
    ])
    const log = await SessionLog.create(
      options.notesDir,
      {
        startedAt,
        host: os.hostname(),
        os: release?.prettyName ?? `${os.type()} ${os.release()}`,
        versions: `dagger-explore ${VERSION}, Node ${process.version}, ${os.type()} ${os.release()} ${process.arch}`,
        dockerEndpoint: endpoint,
      },
      CELLS,
    )
    return new Session(log, options)
  }

  /** Carries on the newest session in the notes folder; undefined when there is none to resume. */
  static async resume(options: SessionOptions): Promise<Session | undefined> {
    const [latest] = await listSessions(options.notesDir)
    if (!latest) return undefined
    const log = await SessionLog.resume(latest.file, CELLS)
    const session = new Session(log, options)
    for (const result of log.results()) session.results.set(result.cell, result)
    return session
  }

  /** `--resume` carries on the latest session; otherwise a new one starts. */
  static async open(options: SessionOptions & {resume: boolean}): Promise<Session> {
    if (!options.resume) return Session.start(options)
    const resumed = await Session.resume(options)
    if (!resumed) throw new NothingToResume(options.notesDir)
    return resumed
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  async run(entry: CellEntry, extra: {confirm?: Confirm; live?: (view: LiveView) => void} = {}): Promise<CellResult> {
    const result = await runCell(entry, {
      ...extra,
      env: this.options.env,
      signal: this.controller.signal,
      previous: this.results,
      notesDir: this.options.notesDir,
      options: this.options.cellOptions,
    })
    this.results.set(entry.id, result)
    const saveError = await this.save(() => this.log.addResult(result))
    // The cell's result stands; the finding says the note is not on disk yet (the next save retries).
    return saveError ? {...result, findings: [...result.findings, notSavedFinding(saveError)]} : result
  }

  /** The last save that failed, cleared by the next one that succeeds; undefined when all is on disk. */
  saveError: NoteSaveError | undefined

  private async save(write: () => Promise<void>): Promise<NoteSaveError | undefined> {
    try {
      await write()
      this.saveError = undefined
    } catch (error) {
      if (!(error instanceof NoteSaveError)) throw error
      this.saveError = error
    }
    return this.saveError
  }

  /** Adds what a recipe ran (its commands and output) to the cell it was opened from, so the log shows it. */
  async recordRecipe(cell: CellId, recipe: string, commands: readonly CommandRecord[]): Promise<void> {
    if (commands.length === 0) return
    const entry = CELLS.find((c) => c.id === cell)
    const previous = this.results.get(cell)
    const base: CellResult = previous ?? {
      cell,
      title: entry?.title ?? cell,
      status: 'skipped',
      startedAt: new Date().toISOString(),
      durationMs: 0,
      facts: [],
      findings: [],
      commands: [],
    }
    const result: CellResult = {...base, facts: [...base.facts, {label: 'Recipe run', value: recipe}], commands: [...base.commands, ...commands]}
    this.results.set(cell, result)
    const saveError = await this.save(() => this.log.addResult(result))
    if (saveError) throw saveError
  }

  async note(cell: CellId, text: string): Promise<void> {
    await this.log.addNote(cell, text)
  }

  /** Stops running children (every exec listens to this signal) and writes the closing line. */
  /** Closing happens once: a signal handler and the normal end may both ask, and the first one wins. */
  close(how: 'finished' | 'interrupted'): Promise<void> {
    this.closing ??= (async () => {
      this.controller.abort()
      const when = new Date().toISOString()
      await this.save(() => this.log.finish(how === 'interrupted' ? `Session interrupted (Ctrl-C) at ${when}.` : `Session ended at ${when}.`))
    })()
    return this.closing
  }
}

function notSavedFinding(error: NoteSaveError): Finding {
  return {
    id: 'notes-not-saved',
    status: 'warn',
    title: 'The session log could not be saved',
    detail: error.message,
    fix: 'Free some space (or fix the folder), then carry on: the next cell or note saves everything, this result included.',
  }
}
