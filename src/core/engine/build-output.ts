import {type ExportLine, parseExportLine} from './exports.js'
import {ProgressTracker, type ProgressSummary, summaryText} from './progress.js'
import {LineRing} from './ring-buffer.js'

export type BuildState = 'running' | 'passed' | 'failed'

/**
What a running build has said so far, kept bounded: the last lines (for display), step counts and the
`export` lines. The runner feeds it; the live view and the cell read it.
*/
export class BuildOutput {
  readonly ring: LineRing
  readonly progress = new ProgressTracker()
  readonly exports: ExportLine[] = []
  state: BuildState = 'running'
  startedAt = Date.now()
  endedAt: number | undefined
  private readonly listeners = new Set<() => void>()

  constructor(capacity = 5000) {
    this.ring = new LineRing(capacity)
  }

  /** Lines already sanitised. */
  pushLines(lines: readonly string[]): void {
    for (const line of lines) {
      this.ring.push(line)
      this.progress.feed(line)
      if (line.startsWith('export ') && this.exports.length < 100) {
        const e = parseExportLine(line)
        if (e !== undefined) this.exports.push(e)
      }
    }
    for (const l of this.listeners) l()
  }

  finish(state: Exclude<BuildState, 'running'>): void {
    this.state = state
    this.endedAt = Date.now()
    for (const l of this.listeners) l()
  }

  /** Called after each batch of lines; returns an unsubscribe function. Listeners must be cheap (a flag, not a render). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  elapsedMs(now = Date.now()): number {
    return (this.endedAt ?? now) - this.startedAt
  }

  summary(): ProgressSummary {
    return this.progress.summary()
  }

  summaryLine(now = Date.now()): string {
    return summaryText(this.summary(), this.elapsedMs(now), this.ring.total, this.state)
  }
}
