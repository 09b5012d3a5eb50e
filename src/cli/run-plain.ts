import {shareHint} from '../core/notebook/share-hint.js'
import {exitCodeFor, type CellResult} from '../core/types.js'
import {Session} from '../cells/session.js'
import {CELLS, type CellEntry} from '../cells/registry.js'
import {cellJson, renderCellPlain} from './render-plain.js'
import {EXIT, type CliIO} from './io.js'
import {plainLive} from './plain-progress.js'
import {watchStopSignals} from './stop-signals.js'
import type {GlobalSettings} from './settings.js'

/**
Runs cells in order without prompting, printing each as it finishes: plain lines, or one JSON
object per cell. Ctrl-C stops the running cell, writes the closing line and exits 130.
*/
export async function runPlain(settings: GlobalSettings, io: CliIO, cells: readonly CellEntry[]): Promise<number> {
  const chosen = cells.length > 0 ? cells : CELLS
  const session = await Session.open({settings, env: io.env})
  // A cell whose Docker calls do not heed the abort (a daemon answering one byte a second) must not hold Ctrl-C up.
  const signals = watchStopSignals(() => void session.close('interrupted'))
  const results: CellResult[] = []
  try {
    if (!settings.json) {
      const resumed = settings.resume ? `, resuming the session of ${session.log.checkout ?? 'no known checkout'}` : ''
      io.stdout.write(`dagger-explore: notes go to ${session.log.path}${resumed}\n\n`)
    }
    for (const entry of chosen) {
      if (signals.stopped()) break
      const result = await Promise.race([session.run(entry, {live: plainLive(io)}), signals.interruption])
      if (signals.stopped() || result === undefined) break
      results.push(result)
      io.stdout.write(settings.json ? `${JSON.stringify(cellJson(result))}\n` : `${renderCellPlain(result, {color: io.color, verbose: settings.verbose})}\n`)
    }
    if (signals.stopped()) {
      await session.close('interrupted') // the one the signal handler started
      io.stderr.write(session.saveError ? `Interrupted. ${session.saveError.message}\n` : `Interrupted. Notes saved to ${session.log.path}\n${shareHint(session.log.path, settings.notesDir, io.env)}\n`)
      return EXIT.interrupted
    }
    await session.close('finished')
  } finally {
    // Kept until the log is closed, so a late Ctrl-C still ends with a closing line, not a bare kill.
    signals.release()
  }
  const summary = results.map((r) => `${r.title}: ${r.status}`).join(', ')
  const saved = session.saveError ? `dagger-explore: ${session.saveError.message}` : `Notes saved to ${session.log.path}`
  ;(settings.json ? io.stderr : io.stdout).write(`${settings.json ? '' : `Summary: ${summary}\n`}${saved}\n`)
  if (!session.saveError) io.stderr.write(`${shareHint(session.log.path, settings.notesDir, io.env)}\n`)
  return session.saveError ? EXIT.problem : exitCodeFor(results.map((r) => r.status))
}
