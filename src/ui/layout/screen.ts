/** Leaves the alternate screen and shows the cursor: written when Ink cannot unmount (a crash). */
export const RESTORE_SCREEN = '\u001B[?1049l\u001B[?25h'

/**
Before Node prints an uncaught error (or an unhandled rejection) and exits, leave the alternate screen,
so the trace lands on the main screen where it can be read. Returns the undo.
*/
export function restoreScreenOnCrash(stdout: NodeJS.WritableStream): () => void {
  const onCrash = () => stdout.write(RESTORE_SCREEN)
  process.on('uncaughtExceptionMonitor', onCrash)
  return () => process.removeListener('uncaughtExceptionMonitor', onCrash)
}
