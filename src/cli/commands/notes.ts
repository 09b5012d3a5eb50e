import {open, rename, rm, stat} from 'node:fs/promises'
import path from 'node:path'
import {listSessions} from '../../core/notebook/session-log.js'
import {EXIT, UsageError, type CliIO, type CommandMain} from '../io.js'
import {parseCommandArgs, type GlobalSettings} from '../settings.js'

const HELP = `Usage
  dagger-explore notes [--notes-dir DIR] [--json]
  dagger-explore notes export [SESSION] --out FILE [--max-sidecar-lines N] [--force] [--json]

notes lists saved sessions, newest first, with the summary of each.

notes export writes one self-contained markdown file to share, at most 65,536 characters (what a
GitHub issue body holds): the sidecar logs the session links to are folded in as collapsible blocks
(longer ones trimmed to N lines, or fewer when the file would not fit, with a note saying how many
were left out and where the full file is), notes keep their line breaks, HTML in them is shown as
typed, and secrets are redacted again.
  SESSION                  a file name in the notes folder, a path, or nothing for the latest
  -o, --out FILE           where to write (required); an existing file is kept unless --force
  --max-sidecar-lines N    lines of each sidecar log to keep (default 400)
  -f, --force              overwrite FILE
  --json                   print {"session", "out", "sidecars": [{"file", "lines", "included"}]}

Examples
  dagger-explore notes
  dagger-explore notes export --out session.md
  dagger-explore notes export 2026-11-23T163012-session.md --out /tmp/share.md --max-sidecar-lines 100
`

const EXPORT_OPTIONS = {
  out: {type: 'string', short: 'o'},
  force: {type: 'boolean', short: 'f'},
  'max-sidecar-lines': {type: 'string'},
} as const

export const main: CommandMain = async (argv, io, before) => {
  const {values, positionals, settings} = parseCommandArgs(argv, EXPORT_OPTIONS, before, io)
  if (values.help) {
    io.stdout.write(HELP)
    return EXIT.ok
  }
  const [verb, ...rest] = positionals
  if (verb === 'export') return await exportCommand(values, rest, io, settings)
  if (positionals.length > 0 && !(verb === 'list' && rest.length === 0)) {
    throw new UsageError(`"notes ${positionals.join(' ')}" is not known.`, {fix: 'Use `dagger-explore notes` to list sessions or `dagger-explore notes export [SESSION] --out FILE` to write one to share.'})
  }
  for (const flag of ['out', 'force', 'max-sidecar-lines'] as const) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} belongs to \`dagger-explore notes export\`; listing sessions takes only --notes-dir and --json`, {fix: `Add export before the options (\`dagger-explore notes export --${flag} …\`), or leave --${flag} out to list sessions.`})
  }
  // Summary lines are markdown: drop backslash escapes (`\-` for the skipped glyph) before showing them.
  const sessions = (await listSessions(settings.notesDir)).map((s) => ({...s, summary: s.summary.map((line) => line.replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, '$1'))}))
  if (settings.json) {
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

type ExportValues = ReturnType<typeof parseCommandArgs<typeof EXPORT_OPTIONS>>['values']

async function exportCommand(values: ExportValues, positionals: readonly string[], io: CliIO, settings: GlobalSettings): Promise<number> {
  if (positionals.length > 1) throw new UsageError(`notes export takes one session, not ${positionals.length} (${positionals.join(', ')}).`, {fix: `Export one at a time, e.g. \`dagger-explore notes export ${positionals[0] ?? ''} --out session.md\`.`})
  if (values.out === undefined || values.out === '') {
    throw new UsageError('notes export needs --out FILE: the markdown file to write.', {fix: 'Name the file, e.g. `dagger-explore notes export --out session.md`.'})
  }
  const maxLines = values['max-sidecar-lines'] === undefined ? undefined : Number(values['max-sidecar-lines'])
  if (maxLines !== undefined && (!Number.isInteger(maxLines) || maxLines < 0 || maxLines > 10_000_000)) {
    throw new UsageError(`--max-sidecar-lines takes a whole number of lines from 0 up; "${values['max-sidecar-lines']}" is not one.`, {fix: 'Pass a number, e.g. --max-sidecar-lines 200.'})
  }
  // Loaded here so that listing sessions never pays for the exporter.
  const {DEFAULT_MAX_SIDECAR_LINES, ExportError, exportSession, resolveSession} = await import('../../core/notebook/export.js')
  const out = path.resolve(io.cwd, values.out)
  if (values.force !== true && (await stat(out).then((s) => s.isFile(), () => false))) {
    throw new UsageError(`${values.out} already exists and was left as it is.`, {fix: EXISTS_FIX})
  }
  try {
    const session = await resolveSession(settings.notesDir, io.cwd, positionals[0])
    if (out === session) throw new UsageError(`--out ${values.out} is the session log itself.`, {fix: 'Choose another file, so the original stays as it is.'})
    const exported = await exportSession(session, {maxSidecarLines: maxLines ?? DEFAULT_MAX_SIDECAR_LINES})
    if (exported.sidecars.some((s) => s.file === out)) throw new UsageError(`--out ${values.out} is one of the session's sidecar logs.`, {fix: 'Choose another file.'})
    await writeOut(out, values.out, exported.text, values.force === true)
    if (settings.json) {
      io.stdout.write(`${JSON.stringify({session, out, sidecars: exported.sidecars.map((s) => ({file: s.file, lines: s.lines, included: s.included}))})}\n`)
      return EXIT.ok
    }
    const trimmed = exported.sidecars.filter((s) => !s.included)
    const folded = exported.sidecars.length - trimmed.length
    io.stdout.write(`Exported ${session}\n      to ${out}\n`)
    io.stdout.write(`Sidecar logs: ${folded} folded in whole${trimmed.length > 0 ? `, ${trimmed.length} trimmed or missing (${trimmed.map((s) => path.basename(s.file)).join(', ')})` : ''}. Secrets redacted again.\n`)
    return EXIT.ok
  } catch (error) {
    if (error instanceof ExportError) throw new UsageError(error.message, {fix: error.fix, cause: error})
    throw error
  }
}

const EXISTS_FIX = 'Pass --force to replace it, or choose another --out file.'

/** Writes the export without ever clobbering a file the user did not ask to replace. */
async function writeOut(file: string, shown: string, text: string, force: boolean): Promise<void> {
  const folder = path.dirname(file)
  const isDir = await stat(folder).then((s) => s.isDirectory(), () => false)
  if (!isDir) throw new UsageError(`Cannot write --out ${shown}: the folder ${folder} does not exist.`, {fix: 'Create it first or choose another path.'})
  if (await stat(file).then((s) => s.isDirectory(), () => false)) throw new UsageError(`--out ${shown} is a folder.`, {fix: `Give a file name, for example ${path.join(shown, 'session.md')}.`})
  // Without --force the file is created exclusively, so an existing one (even one that appears meanwhile) is never replaced.
  const target = force ? `${file}.${process.pid}.tmp` : file
  let handle
  try {
    handle = await open(target, force ? 'w' : 'wx', 0o644)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') {
      throw new UsageError(`${shown} already exists and was left as it is.`, {fix: EXISTS_FIX})
    }
    throw new UsageError(`Cannot write --out ${shown}: ${code ?? (error as Error).message}.`, {fix: 'Check the folder is writable or choose another path.'})
  }
  try {
    await handle.writeFile(text, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  if (force) {
    try {
      await rename(target, file)
    } catch (error) {
      await rm(target, {force: true})
      throw new UsageError(`Cannot replace ${shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; it was left as it is.`, {fix: 'Check the folder is writable, or choose another --out file.'})
    }
  }
}
