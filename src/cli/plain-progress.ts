import type {LiveView} from '../cells/cell.js'
import {progressLine} from '../core/engine/wait-progress.js'
import type {CliIO} from './io.js'

/** Plain mode prints a long step's progress to stderr at most this often (stdout keeps only results). */
export const PLAIN_PROGRESS_EVERY_MS = 5000

/** The live hook of plain and JSON runs: a progress line on stderr now and then, nothing for the build view. */
export function plainLive(io: Pick<CliIO, 'stderr'>, now: () => number = Date.now): (view: LiveView) => void {
  let last = -Infinity
  return (view) => {
    if (view.kind !== 'progress' || now() - last < PLAIN_PROGRESS_EVERY_MS) return
    last = now()
    io.stderr.write(`  … ${progressLine(view)}\n`)
  }
}
