import {render} from 'ink'
import {prepareSession, type PreparedSession} from '../cells/prepare-session.js'
import {CELLS} from '../cells/registry.js'
import {exitCodeFor} from '../core/types.js'
import {EXIT, type CliIO} from '../cli/io.js'
import type {GlobalSettings} from '../cli/main.js'
import {App} from './App.js'

/** Opens the notebook in the terminal; resolves with the exit code once the user quits. */
export async function runInteractive(settings: GlobalSettings, io: CliIO, prepared: Promise<PreparedSession> = prepareSession(settings, io)): Promise<number> {
  const {session, earlier} = await prepared
  const state: {how: 'finished' | 'interrupted'} = {how: 'finished'}
  // First start (no saved session but this new one) or --guided: walk the cells with an intro.
  const guided = settings.guided || (!settings.resume && earlier === 0)
  const notes = new Map(CELLS.map((c) => [c.id, session.log.notesOf(c.id)] as const).filter(([, n]) => n.length > 0))
  const instance = render(
    <App session={session} cells={CELLS} onQuit={(h) => (state.how = h)} guided={guided} initialResults={new Map(session.results)} initialNotes={notes} />,
    {
    // Ink writes its own escapes: it gets the terminal itself (what it shows is cleaned at the source).
    stdout: io.terminal?.stdout ?? (io.stdout as NodeJS.WriteStream),
    stdin: io.stdin as NodeJS.ReadStream,
    stderr: io.terminal?.stderr ?? (io.stderr as NodeJS.WriteStream),
    exitOnCtrlC: false,
    patchConsole: false,
    // We decided interactivity ourselves (TTYs, CI unset or empty); Ink's own check treats an empty CI as CI.
    interactive: true,
    },
  )
  // SIGTERM/SIGHUP (a closed terminal) still finish the log.
  const onSignal = () => {
    state.how = 'interrupted'
    instance.unmount()
  }
  process.once('SIGTERM', onSignal)
  process.once('SIGHUP', onSignal)
  try {
    await instance.waitUntilExit()
  } finally {
    process.removeListener('SIGTERM', onSignal)
    process.removeListener('SIGHUP', onSignal)
  }
  await session.close(state.how)
  io.stdout.write(`Notes saved to ${session.log.path}\n`)
  if (state.how === 'interrupted') return EXIT.interrupted
  return exitCodeFor([...session.results.values()].map((r) => r.status))
}
