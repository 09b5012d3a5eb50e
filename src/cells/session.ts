import os from 'node:os'
import {checkoutText, identifyCheckout, resumeCheckout} from '../core/notebook/checkout-id.js'
import {dockerService, type DockerService} from '../core/docker/service.js'
import {listSessions, SessionLog} from '../core/notebook/session-log.js'
import {UsageError} from '../core/errors.js'
import {NoteSaveError} from '../core/notebook/save-error.js'
import type {Finding} from '../core/types.js'
import {readOsRelease} from '../core/system/host.js'
import type {CellId, CellResult, CommandRecord, Confirm} from '../core/types.js'
import {VERSION} from '../version.js'
import type {Settings} from '../core/settings.js'
import {componentsView, type CellTuning, type ComponentsView, type LiveView} from './cell.js'
import {cellContext} from './context.js'
import {CELLS, type CellEntry} from './registry.js'
import {runCell} from './run-cell.js'

/** `--resume` with no saved session: a usage problem the CLI reports in one paragraph. */
export class NothingToResume extends UsageError {
  constructor(readonly notesDir: string) {
    super(`There is no saved session in ${notesDir} to resume.`, {fix: 'Start one with `dagger-explore` (or point --notes-dir at the folder that has your sessions).'})
  }
}

export interface SessionOptions {
  /** The global options; `settings.notesDir` is where the log goes, `settings.cwd` the working directory. */
  readonly settings: Settings
  readonly env: NodeJS.ProcessEnv
  /** Lab and test knobs for the cells (never set from the command line). */
  readonly tuning?: CellTuning
  /** The Docker daemon to use; resolved once from `env` when absent. */
  readonly docker?: DockerService
  readonly now?: Date
  /** `--resume-any-checkout`: resume a session even when it works on another checkout. */
  readonly resumeAnyCheckout?: boolean
}

/**
One notebook session: runs cells, keeps their results for later cells, and writes the markdown log
as it goes. The TUI, --plain and --json all drive this same object.
*/
export class Session {
  /** The latest result of each cell that was not a decline: what later cells and the summary read. */
  readonly results = new Map<CellId, CellResult>()
  private readonly runs = new Map<CellId, CellResult[]>()
  private readonly controller = new AbortController()
  private closing: Promise<void> | undefined
  private constructor(
    readonly log: SessionLog,
    // Replaced once at most: when the user names the checkout at first start (useCheckout).
    private options: SessionOptions,
    /** The daemon every cell of this session talks to, resolved once when the session opened. */
    readonly docker: DockerService,
  ) {}

  get settings(): Settings {
    return this.options.settings
  }

  /** The working directory the session started in (the UI's default for exports and recipes). */
  get cwd(): string {
    return this.options.settings.cwd
  }

  /**
  The checkout the user named at first start (none was found): the cells run on it from now on and
  the log header names it. The cells see it at once; the header gets the commit once git's files are read.
  */
  async useCheckout(root: string): Promise<void> {
    this.options = {...this.options, settings: {...this.options.settings, daggerSrc: root}}
    this.log.setCheckout(root, root)
    const id = await identifyCheckout(root).catch(() => undefined)
    if (id !== undefined) this.log.setCheckout(checkoutText(id), id.root)
    const saveError = await this.save(() => this.log.flush())
    if (saveError) throw saveError
  }

  /** Every run of the cell in this session, oldest first, declines included. */
  history(id: CellId): readonly CellResult[] {
    return this.runs.get(id) ?? []
  }

  /** The Components explorer the latest Components result offers, if it offers one. */
  componentsView(): ComponentsView | undefined {
    return componentsView(this.results.get('components'))
  }

  private keep(result: CellResult): void {
    this.runs.set(result.cell, [...this.history(result.cell), result])
    if (result.declined === undefined) this.results.set(result.cell, result)
  }

  static async start(options: SessionOptions): Promise<Session> {
    const startedAt = options.now ?? new Date()
    const daggerSrc = options.settings.daggerSrc ?? options.settings.cwd
    const [release, docker, checkout] = await Promise.all([
      process.platform === 'linux' ? readOsRelease() : Promise.resolve(undefined),
      options.docker ?? dockerService(options.env),
      identifyCheckout(daggerSrc).catch(() => undefined),
    ])
    const log = await SessionLog.create(
      options.settings.notesDir,
      {
        startedAt,
        host: os.hostname(),
        os: release?.prettyName ?? `${os.type()} ${os.release()}`,
        versions: `dagger-explore ${VERSION}, Node ${process.version}, ${os.type()} ${os.release()} ${process.arch}`,
        dockerEndpoint: docker.describe(),
        ...(checkout === undefined ? {} : {checkout: checkoutText(checkout), checkoutRoot: checkout.root}),
      },
      CELLS,
    )
    return new Session(log, options, docker)
  }

  /** Carries on the newest session in the notes folder; undefined when there is none to resume. */
  static async resume(options: SessionOptions): Promise<Session | undefined> {
    const [latest] = await listSessions(options.settings.notesDir)
    if (!latest) return undefined
    const log = await SessionLog.resume(latest.file, CELLS)
    const daggerSrc = options.settings.daggerSrc
    // Refuses a session of another checkout; outside any checkout, carries on with the session's own.
    const own = await resumeCheckout(log, {daggerSrc, cwd: options.settings.cwd, anyCheckout: options.resumeAnyCheckout === true || options.settings.resumeAnyCheckout === true})
    const carried = own === undefined || daggerSrc !== undefined ? options : {...options, settings: {...options.settings, daggerSrc: own}}
    const session = new Session(log, carried, options.docker ?? (await dockerService(options.env)))
    for (const cell of CELLS) for (const result of log.history(cell.id)) session.keep(result)
    return session
  }

  /** `--resume` carries on the latest session; otherwise a new one starts. */
  static async open(options: SessionOptions): Promise<Session> {
    if (!options.settings.resume) return Session.start(options)
    const resumed = await Session.resume(options)
    if (!resumed) throw new NothingToResume(options.settings.notesDir)
    return resumed
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  /**
  Runs a cell and keeps the run in its history. A run where the user declined the action (`declined`)
  is kept there and listed in the log as a decline, but never replaces the cell's result.
  */
  async run(entry: CellEntry, extra: {confirm?: Confirm; live?: (view: LiveView) => void} = {}): Promise<CellResult> {
    const context = await cellContext({
      ...extra,
      settings: this.options.settings,
      env: this.options.env,
      docker: this.docker,
      signal: this.controller.signal,
      previous: this.results,
      ...(this.options.tuning === undefined ? {} : {tuning: this.options.tuning}),
    })
    const result = await runCell(entry, context)
    this.keep(result)
    // A cell that ends after the session closed (a signal stopped it mid-run) is not written after the
    // closing line: the log is final by then, and the process exits without waiting for another write.
    if (this.closing !== undefined) return result
    const saveError = await this.save(() => this.log.addResult(forLog(result)))
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
    // The recipe adds to the run it was opened from rather than being a run of its own.
    const runs = this.history(cell)
    this.runs.set(cell, runs.at(-1) === previous && previous !== undefined ? [...runs.slice(0, -1), result] : [...runs, result])
    this.results.set(cell, result)
    const saveError = await this.save(() => this.log.addResult(forLog(result)))
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

/** The log keeps what a result says, not the live view (an image's whole file tree, functions): that stays in memory. */
function forLog(result: CellResult): CellResult {
  const {view: _view, ...said} = result
  return said
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
