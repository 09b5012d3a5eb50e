import path from 'node:path'
import {displayArgv} from './markdown.js'
import {defaultNotesDir} from './session-log.js'

/**
The line printed on exit: where the notes are and the command that makes one file of them to paste
into a GitHub issue. The notes folder is named only when it is not the default one.
*/
export function shareHint(logPath: string, notesDir: string, env: NodeJS.ProcessEnv): string {
  const name = path.basename(logPath)
  const out = `${path.basename(logPath, '.md')}-issue.md`
  const dirArgs = path.resolve(notesDir) === path.resolve(defaultNotesDir(env)) ? [] : ['--notes-dir', notesDir]
  return `Notes: ${logPath}. To share them as one file that fits a GitHub issue: ${displayArgv(['dagger-explore', 'notes', 'export', name, ...dirArgs, '--out', out])}`
}
