/**
Reads buildkit and dagger progress output, line by line, into step counts. Three shapes occur across
the eras: dagger/buildkit plain (`21: resolve image config ... DONE`), docker buildx plain
(`#5 [2/3] RUN ...`, `#5 CACHED`) and the newer dagger symbols (`✔ container.from 1.2s`).
*/

export type StepEvent = 'start' | 'log' | 'done' | 'cached' | 'error' | 'canceled'

export interface ProgressEvent {
  /** The step's identity within this build (vertex number or name). */
  readonly key: string
  readonly event: StepEvent
  /** The step's text without the id and status word. */
  readonly text: string
}

const NUMBERED = /^(\d+)\s*: (.*)$/
const BUILDX = /^#(\d+) (.*)$/
const SYMBOL = /^(✔|✘|✗|✓|×)\s+(.+)$/
const DURATION = String.raw`(?:\s+\[?\d+(?:\.\d+)?m?s\]?)?`
const DONE = new RegExp(String.raw`\s+DONE${DURATION}\s*$`)
const CACHED = new RegExp(String.raw`\s+CACHED${DURATION}\s*$`)
const ERROR = new RegExp(String.raw`\s+ERROR${DURATION}(?::.*)?$`)
const CANCELED = new RegExp(String.raw`\s+CANCEL(?:L)?ED${DURATION}\s*$`)

// Status words a step line can end with; lines without any are starts or logs, decided cheaply.
const STATUS_WORD = /DONE|CACHED|ERROR|CANCEL/

function classify(rest: string): {event: StepEvent; text: string} {
  if (rest.startsWith('> ') || /^\[\d+(?:\.\d+)?m?s\] /.test(rest) || /^\d+\.\d+ /.test(rest)) return {event: 'log', text: rest}
  if (!STATUS_WORD.test(rest)) return {event: 'start', text: rest}
  const padded = ` ${rest}`
  const error = ERROR.exec(padded)
  if (error) return {event: 'error', text: padded.slice(0, error.index).trim()}
  const done = DONE.exec(padded)
  if (done) return {event: 'done', text: padded.slice(0, done.index).trim()}
  const cached = CACHED.exec(padded)
  if (cached) return {event: 'cached', text: padded.slice(0, cached.index).trim()}
  const canceled = CANCELED.exec(padded)
  if (canceled) return {event: 'canceled', text: padded.slice(0, canceled.index).trim()}
  return {event: 'start', text: rest}
}

/** One line of build output as a progress event, or undefined when it is not progress. */
export function parseProgressLine(line: string): ProgressEvent | undefined {
  const numbered = NUMBERED.exec(line) ?? BUILDX.exec(line)
  if (numbered) {
    const {event, text} = classify(numbered[2] ?? '')
    return {key: numbered[1] ?? '', event, text}
  }
  const symbol = SYMBOL.exec(line)
  if (symbol) {
    const body = (symbol[2] ?? '').replace(new RegExp(`${DURATION}\\s*$`), '')
    const cached = CACHED.exec(` ${body}`)
    const text = cached ? ` ${body}`.slice(0, cached.index).trim() : body.trim()
    const ok = symbol[1] === '✔' || symbol[1] === '✓'
    return {key: `~${text}`, event: cached ? 'cached' : ok ? 'done' : 'error', text}
  }
  return undefined
}

export interface ProgressSummary {
  /** Distinct steps seen. */
  readonly steps: number
  /** Steps that ran and finished (cache hits not included). */
  readonly done: number
  readonly cached: number
  readonly running: number
  readonly failed: number
  readonly canceled: number
}

const RUNNING = 0
const DONE_S = 1
const CACHED_S = 2
const FAILED_S = 3
const CANCELED_S = 4

/** Steps whose state is kept individually; beyond it the oldest finished ones are forgotten (their counts stay). */
export const MAX_TRACKED_STEPS = 20_000

/** Step states by key; a failure sticks, a cache hit is not downgraded by a later DONE. Memory is bounded. */
export class ProgressTracker {
  private readonly states = new Map<string, number>()
  /** Finished steps no longer tracked one by one, by state, so the counts stay right. */
  private readonly forgotten = [0, 0, 0, 0, 0]
  private counts = [0, 0, 0, 0, 0]
  /** Text of the steps that failed, first ones first (bounded). */
  readonly failedSteps: string[] = []

  feed(line: string): ProgressEvent | undefined {
    const ev = parseProgressLine(line)
    if (ev !== undefined) this.apply(ev)
    return ev
  }

  apply(ev: ProgressEvent): void {
    const prev = this.states.get(ev.key)
    let next: number
    switch (ev.event) {
      case 'start':
      case 'log':
        next = prev ?? RUNNING
        break
      case 'done':
        next = prev === CACHED_S || prev === FAILED_S ? prev : DONE_S
        break
      case 'cached':
        next = prev === FAILED_S ? prev : CACHED_S
        break
      case 'error':
        next = FAILED_S
        if (prev !== FAILED_S && this.failedSteps.length < 50) this.failedSteps.push(ev.text)
        break
      case 'canceled':
        next = prev === FAILED_S ? prev : CANCELED_S
        break
    }
    if (prev === next) return
    if (prev !== undefined) this.counts[prev] = (this.counts[prev] ?? 0) - 1
    this.counts[next] = (this.counts[next] ?? 0) + 1
    this.states.set(ev.key, next)
    if (prev === undefined && this.states.size > MAX_TRACKED_STEPS) this.forget()
  }

  /** Drops the oldest finished steps (insertion order) down to three quarters of the limit; running ones stay. */
  private forget(): void {
    const target = Math.floor(MAX_TRACKED_STEPS * 0.75)
    for (const [key, state] of this.states) {
      if (this.states.size <= target) break
      if (state === RUNNING) continue
      this.states.delete(key)
      this.forgotten[state] = (this.forgotten[state] ?? 0) + 1
    }
  }

  summary(): ProgressSummary {
    const c = this.counts
    return {
      steps: this.states.size + this.forgotten.reduce((a, b) => a + b, 0),
      running: c[RUNNING] ?? 0,
      done: c[DONE_S] ?? 0,
      cached: c[CACHED_S] ?? 0,
      failed: c[FAILED_S] ?? 0,
      canceled: c[CANCELED_S] ?? 0,
    }
  }
}

/** `1m04s`, `12.3s`. */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const total = Math.floor(ms / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s` : `${m}m${String(s).padStart(2, '0')}s`
}

/** The one-line summary shown over the build output. */
export function summaryText(p: ProgressSummary, elapsedMs: number, lines: number, state: 'running' | 'passed' | 'failed' = 'running'): string {
  const head = state === 'running' ? 'building' : state === 'passed' ? 'built' : 'build failed'
  const parts = [`${p.done} done`, `${p.cached} cached`, `${p.running} running`, `${p.failed} failed`]
  return `${head}: ${parts.join(' · ')} · ${formatElapsed(elapsedMs)} · ${lines.toLocaleString('en-US')} lines`
}
