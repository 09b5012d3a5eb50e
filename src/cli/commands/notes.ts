import {parseArgs} from 'node:util'
import {listSessions} from '../../core/notebook/session-log.js'
import {EXIT, type CommandMain} from '../io.js'
import {GLOBAL_OPTIONS, globalSettings} from '../main.js'

const HELP = `Usage: dagger-explore notes [--notes-dir DIR] [--json]

Lists saved sessions, newest first, with the summary of each.
`

export const main: CommandMain = async (argv, io) => {
  const {values, positionals} = parseArgs({args: [...argv], options: GLOBAL_OPTIONS, strict: true, allowPositionals: true})
  if (values.help) {
    io.stdout.write(HELP)
    return EXIT.ok
  }
  if (positionals.length > 0 && positionals[0] !== 'list') {
    io.stderr.write(`dagger-explore: "notes ${positionals.join(' ')}" is not known. Use \`dagger-explore notes\` to list sessions.\n`)
    return EXIT.usage
  }
  const settings = globalSettings(values, io)
  const sessions = await listSessions(settings.notesDir)
  if (values.json) {
    io.stdout.write(`${JSON.stringify({notesDir: settings.notesDir, sessions: sessions.map((s) => ({file: s.file, title: s.title, summary: s.summary, modified: s.modified.toISOString()}))})}\n`)
    return EXIT.ok
  }
  if (sessions.length === 0) {
    io.stdout.write(`No saved sessions in ${settings.notesDir} yet. Run \`dagger-explore\` to start one.\n`)
    return EXIT.ok
  }
  io.stdout.write(`Sessions in ${settings.notesDir}:\n`)
  for (const s of sessions) {
    io.stdout.write(`\n${s.name}\n  ${s.title}\n${s.summary.map((line) => `  ${line}`).join('\n')}\n`)
  }
  return EXIT.ok
}
