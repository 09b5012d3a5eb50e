/** Where a long wait stands: what it waits for, how long so far of how long at most, and the last log line seen. */
export interface WaitProgress {
  readonly waitingFor: string
  readonly elapsedMs: number
  readonly limitMs: number
  readonly lastLine?: string
}

/** How often a wait reports; the first report comes once a step has taken this long. */
export const PROGRESS_EVERY_MS = 2000

/** `waiting for X, 12 s of 60 s, last log line "…"`: the one-line form plain mode prints. */
export function progressLine(p: WaitProgress): string {
  const s = (ms: number): string => `${Math.round(ms / 1000)} s`
  return `${p.waitingFor}: ${s(p.elapsedMs)} of ${s(p.limitMs)}${p.lastLine === undefined || p.lastLine === '' ? '' : `, last log line "${p.lastLine}"`}`
}

/**
Calls `report` at most every `everyMs` (the first time after `everyMs`), so a poller that loops
twice a second tells the UI something every couple of seconds, not every turn.
*/
export function throttledProgress(report: ((p: WaitProgress) => void) | undefined, everyMs = PROGRESS_EVERY_MS): (p: WaitProgress) => void {
  let last = 0
  return (p) => {
    if (report === undefined || p.elapsedMs < everyMs || p.elapsedMs - last < everyMs) return
    last = p.elapsedMs
    report(p)
  }
}

/**
Runs `work` and, while it lasts, reports every `everyMs` what it waits for and how long so far: for
one long call (loading a tarball, `bin/dagger version`) that has no steps of its own to report.
*/
export async function withProgress<T>(work: Promise<T>, waitingFor: string, limitMs: number, report: ((p: WaitProgress) => void) | undefined, everyMs = PROGRESS_EVERY_MS): Promise<T> {
  if (report === undefined) return work
  const started = Date.now()
  const timer = setInterval(() => report({waitingFor, elapsedMs: Date.now() - started, limitMs}), everyMs)
  try {
    return await work
  } finally {
    clearInterval(timer)
  }
}
