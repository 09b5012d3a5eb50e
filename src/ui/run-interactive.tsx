import {Box, render, useWindowSize} from 'ink'
import type {ReactNode} from 'react'
import {prepareSession, type PreparedSession} from '../cells/prepare-session.js'
import {findDaggerRoot} from '../core/engine/checkout.js'
import {CELLS} from '../cells/registry.js'
import {shareHint} from '../core/notebook/share-hint.js'
import {exitCodeFor} from '../core/types.js'
import {EXIT, type CliIO} from '../core/io.js'
import type {GlobalSettings} from '../core/settings.js'
import {App} from './App.js'
import {needsCheckout} from './first-start/complete.js'
import {restoreScreenOnCrash} from './layout/screen.js'
import {TooSmall, tooSmall} from './layout/TooSmall.js'

/**
Under 60x20 the "too small" screen replaces the frame; the app stays mounted (hidden, not unmounted)
so that growing the window again brings back the same state.
*/
export function SizeGuard({children}: {readonly children: ReactNode}) {
  const {columns, rows} = useWindowSize()
  const small = tooSmall(columns || 80, rows || 24)
  return (
    <>
      {small ? <TooSmall columns={columns || 80} rows={rows || 24} /> : null}
      <Box display={small ? 'none' : 'flex'} flexDirection="column">
        {children}
      </Box>
    </>
  )
}

/** Opens the notebook in the terminal; resolves with the exit code once the user quits. */
export async function runInteractive(settings: GlobalSettings, io: CliIO, prepared: Promise<PreparedSession> = prepareSession(settings, io.env)): Promise<number> {
  const {session, earlier} = await prepared
  const state: {how: 'finished' | 'interrupted'} = {how: 'finished'}
  // First start (no saved session but this new one) or --guided: walk the cells with an intro.
  const guided = settings.guided || (!settings.resume && earlier === 0)
  const notes = new Map(CELLS.map((c) => [c.id, session.log.notesOf(c.id)] as const).filter(([, n]) => n.length > 0))
  // No --dagger-src, none at or above the working directory, none carried by a resumed session: ask for it first.
  // A failed save stays in session.saveError: the next save writes the header too, and says so.
  const onChosen = (root: string): void => void session.useCheckout(root).catch(() => undefined)
  const askCheckout = needsCheckout(session.settings.daggerSrc, session.cwd, findDaggerRoot) ? {cwd: session.cwd, onChosen} : undefined
  const instance = render(
    <SizeGuard>
      <App session={session} cells={CELLS} onQuit={(h) => (state.how = h)} guided={guided} initialResults={new Map(session.results)} initialNotes={notes} {...(askCheckout ? {askCheckout} : {})} />
    </SizeGuard>,
    {
      // Ink writes its own escapes: it gets the terminal itself (what it shows is cleaned at the source).
      stdout: io.terminal?.stdout ?? (io.stdout as NodeJS.WriteStream),
      stdin: io.stdin as NodeJS.ReadStream,
      stderr: io.terminal?.stderr ?? (io.stderr as NodeJS.WriteStream),
      exitOnCtrlC: false,
      patchConsole: false,
      // We decided interactivity ourselves (TTYs, CI unset or empty); Ink's own check treats an empty CI as CI.
      interactive: true,
      // Like less and vim: the frames never reach the scrollback, and quitting gives the shell back as it was.
      alternateScreen: true,
    },
  )
  // A signal (kill, a closed terminal) still finishes the log and gives the main screen back.
  const onSignal = () => {
    state.how = 'interrupted'
    instance.unmount()
  }
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
  for (const s of signals) process.once(s, onSignal)
  const undoCrash = restoreScreenOnCrash(io.terminal?.stdout ?? io.stdout)
  try {
    await instance.waitUntilExit()
  } finally {
    for (const s of signals) process.removeListener(s, onSignal)
    undoCrash()
  }
  await session.close(state.how)
  io.stdout.write(`Notes saved to ${session.log.path}\n`)
  if (settings.resume) io.stderr.write(`Carried on the session of ${session.log.checkout ?? 'no known checkout'}.\n`)
  io.stderr.write(`${shareHint(session.log.path, settings.notesDir, io.env)}\n`)
  if (state.how === 'interrupted') return EXIT.interrupted
  return exitCodeFor([...session.results.values()].map((r) => r.status))
}
