import os from 'node:os'
import {resolveEndpoint} from '../core/docker/endpoint.js'
import {SessionLog} from '../core/notebook/session-log.js'
import {readOsRelease} from '../core/system/host.js'
import type {CellId, CellResult, Confirm} from '../core/types.js'
import {VERSION} from '../version.js'
import type {CellContext} from './cell.js'
import {CELLS, type CellEntry} from './registry.js'
import {runCell} from './run-cell.js'

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

  get signal(): AbortSignal {
    return this.controller.signal
  }

  async run(entry: CellEntry, extra: {confirm?: Confirm} = {}): Promise<CellResult> {
    const result = await runCell(entry, {
      ...extra,
      env: this.options.env,
      signal: this.controller.signal,
      previous: this.results,
      notesDir: this.options.notesDir,
      options: this.options.cellOptions,
    })
    this.results.set(entry.id, result)
    await this.log.addResult(result)
    return result
  }

  async note(cell: CellId, text: string): Promise<void> {
    await this.log.addNote(cell, text)
  }

  /** Stops running children (every exec listens to this signal) and writes the closing line. */
  async close(how: 'finished' | 'interrupted'): Promise<void> {
    this.controller.abort()
    const when = new Date().toISOString()
    await this.log.finish(how === 'interrupted' ? `Session interrupted (Ctrl-C) at ${when}.` : `Session ended at ${when}.`)
  }
}
