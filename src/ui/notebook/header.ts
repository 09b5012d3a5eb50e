import os from 'node:os'
import path from 'node:path'

/** A path under the home folder as `~/…`, as a shell prompt shows it: the header has little room. */
export function shortPath(file: string, home = os.homedir()): string {
  if (home === '' || home === '/') return file
  const rel = path.relative(home, file)
  const outside = rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)
  return rel === '' ? '~' : outside ? file : `~/${rel}`
}

/**
The notebook's top line after its name: which checkout the cells work on (the one thing a session
must not mix up, see --resume) and where the notes go. Cut at the end by the terminal's width.
*/
export function headerDetail(checkoutRoot: string | undefined, notesPath: string, home?: string): string {
  const checkout = checkoutRoot === undefined ? 'no checkout' : `checkout: ${shortPath(checkoutRoot, home)}`
  return `  ${checkout}  notes: ${shortPath(notesPath, home)}`
}
