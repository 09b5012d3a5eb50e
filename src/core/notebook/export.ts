import {DaggerExploreError} from '../errors.js'
import {realpath, stat} from 'node:fs/promises'
import path from 'node:path'
import {escapeHtml, FenceTracker, fence, stripState} from './markdown.js'
import {sanitize} from './sanitize.js'
import {listSessions} from './session-log.js'
import {NotRegularFileError, readRegularFile} from '../system/read-regular.js'

/** Sidecar lines folded into an export by default; longer ones keep their head and tail. */
export const DEFAULT_MAX_SIDECAR_LINES = 400

/** A GitHub issue body holds this many characters: the export always fits one. */
export const EXPORT_LIMIT = 65_536
/** Characters a folded sidecar line keeps once the size limit trims the logs. */
const TRIMMED_LINE_CHARS = 300

export interface ExportOptions {
  /** Lines of a sidecar log kept in the export; longer logs are trimmed with a note. */
  readonly maxSidecarLines: number
  readonly now?: Date
}

export interface ExportedSidecar {
  /** Absolute path of the sidecar log. */
  readonly file: string
  /** Its line count, or null when it could not be read. */
  readonly lines: number | null
  /** True when the whole log is in the export, false when it was trimmed or missing. */
  readonly included: boolean
}

export interface SessionExport {
  readonly text: string
  readonly sidecars: readonly ExportedSidecar[]
}

/** Raised for a session or sidecar that cannot be found or read: the message is one paragraph for the user. */
export class ExportError extends DaggerExploreError {
  override readonly name = 'ExportError'
}

const LINK = /\[([^\]\n]*)\]\(([^()\s]+)\)/g

/** A link target that names a local file (no scheme, no anchor), decoded; undefined for anything else. */
function localTarget(target: string): string | undefined {
  if (target.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined
  try {
    return decodeURI(target.replace(/#.*$/, ''))
  } catch {
    return undefined
  }
}

function countLines(text: string): number {
  if (text === '') return 0
  let lines = 1
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++
  return text.endsWith('\n') ? lines - 1 : lines
}

interface Sidecar {
  readonly name: string
  readonly file: string
  /** Sanitised content, or undefined when it could not be read. */
  readonly content: string | undefined
}

async function readSidecar(dir: string, name: string): Promise<Sidecar | undefined> {
  const file = path.resolve(dir, name)
  // Only files beside the log (or below it) are folded in: a log never pulls in a file from elsewhere.
  const relative = path.relative(dir, file)
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined
  if (file.endsWith('.md')) return undefined
  try {
    // A symlink beside the log may point anywhere: its real path must be inside the notes folder too.
    const [realDir, realFile] = await Promise.all([realpath(dir), realpath(file)])
    const real = path.relative(realDir, realFile)
    if (real === '' || real.startsWith('..') || path.isAbsolute(real)) return undefined
    const info = await stat(realFile)
    if (!info.isFile()) return undefined
    return {name, file, content: sanitize((await readRegularFile(realFile)).toString('utf8'))}
  } catch {
    return {name, file, content: undefined}
  }
}

/** The collapsible block that carries a sidecar log, trimmed to `max` lines (head and tail) when longer. */
function sidecarBlock(sidecar: Sidecar, max: number, fitting: boolean): {block: string; report: ExportedSidecar} {
  const shownName = sanitize(sidecar.name)
  if (sidecar.content === undefined) {
    return {
      block: `> Sidecar log \`${shownName}\` could not be read when this file was exported; it was expected at \`${sanitize(sidecar.file)}\`.`,
      report: {file: sidecar.file, lines: null, included: false},
    }
  }
  const body = sidecar.content.endsWith('\n') ? sidecar.content.slice(0, -1) : sidecar.content
  const lines = countLines(sidecar.content)
  const raw = body === '' ? [] : body.split('\n')
  // Once the size limit trims, long lines are cut too: one minified JSON line must not undo it.
  const cut = fitting && raw.some((l) => l.length > TRIMMED_LINE_CHARS)
  const all = cut ? raw.map((l) => (l.length > TRIMMED_LINE_CHARS ? `${l.slice(0, TRIMMED_LINE_CHARS)}…` : l)) : raw
  const plural = (n: number) => `${n.toLocaleString('en-US')} line${n === 1 ? '' : 's'}`
  if (lines <= max && !cut) {
    return {
      block: [`<details><summary>Full output: ${escapeHtml(shownName)} (${plural(lines)})</summary>`, '', fence(body, 'text'), '', '</details>'].join('\n'),
      report: {file: sidecar.file, lines, included: true},
    }
  }
  const why = fitting ? ' so that the export fits a GitHub issue (65,536 characters)' : ''
  const where = `The full file is \`${sanitize(sidecar.file)}\` on the machine that ran the session.`
  if (lines <= max) {
    const note = `Lines longer than ${TRIMMED_LINE_CHARS} characters are cut${why}. ${where}`
    return {
      block: [`<details><summary>Output (long lines cut): ${escapeHtml(shownName)} (${plural(lines)})</summary>`, '', note, '', fence(all.join('\n'), 'text'), '', '</details>'].join('\n'),
      report: {file: sidecar.file, lines, included: false},
    }
  }
  // The end of a log usually says why it failed, so the tail gets the larger share.
  const head = Math.floor(max / 4)
  const tail = max - head
  const left = lines - max
  const kept = [...all.slice(0, head), `… ${plural(left)} left out here (lines ${head + 1}–${lines - tail}) …`, ...(tail > 0 ? all.slice(-tail) : [])]
  const note = `Trimmed to ${max.toLocaleString('en-US')} of ${plural(lines)}${why}: ${plural(left)} left out${cut ? ', long lines cut' : ''}. ${where}`
  return {
    block: [`<details><summary>Output (trimmed): ${escapeHtml(shownName)} (${max.toLocaleString('en-US')} of ${plural(lines)})</summary>`, '', note, '', fence(kept.join('\n'), 'text'), '', '</details>'].join('\n'),
    report: {file: sidecar.file, lines, included: false},
  }
}

/** A line that is a paragraph of its own at the top level, so a block can follow it without breaking a list, table or quote. */
function standalone(line: string): boolean {
  return line.trim() !== '' && !/^\s|^[|>*+-]|^\d+[.)]\s|^#/.test(line)
}

/**
Makes one self-contained markdown file from a session log: every sidecar log it links to is folded
in as a collapsible block (or trimmed with a note saying how much was left out and where the full
file is), the links to them go, and everything is sanitised again so a secret that reached a file
by another route is still redacted.
*/
export async function exportSession(logFile: string, options: ExportOptions): Promise<SessionExport> {
  let source: string
  try {
    source = (await readRegularFile(logFile)).toString('utf8')
  } catch (error) {
    if (error instanceof NotRegularFileError) throw new ExportError(sanitize(error.message))
    throw new ExportError(`Cannot read the session log ${logFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`)
  }
  const dir = path.dirname(logFile)
  // The resume state is for this machine, not for readers.
  const lines = quoteBreaks(sanitize(stripState(source)).replace(/\n+$/, '').split('\n'))
  const sidecars = new Map<string, Sidecar | undefined>()
  const scan = new FenceTracker()
  for (const line of lines) {
    if (scan.feed(line)) continue
    for (const m of line.matchAll(LINK)) {
      const name = localTarget(m[2] ?? '')
      if (name !== undefined && !sidecars.has(name)) sidecars.set(name, await readSidecar(dir, name))
    }
  }
  const when = (options.now ?? new Date()).toISOString()
  const build = (fit: Fit) => assemble(lines, sidecars, fit, path.basename(logFile), when)
  // Smaller and smaller excerpts of the sidecar logs until the whole file fits an issue body.
  let result = build({max: options.maxSidecarLines, fitting: false, drop: false, fenceLines: undefined})
  for (const max of [200, 100, 50, 20, 10, 4, 0]) {
    if (result.text.length <= EXPORT_LIMIT) return result
    if (max < options.maxSidecarLines) result = build({max, fitting: true, drop: false, fenceLines: undefined})
  }
  if (result.text.length <= EXPORT_LIMIT) return result
  result = build({max: 0, fitting: true, drop: true, fenceLines: undefined})
  // A log written before the log had a budget may be over the limit by itself: its long code blocks are cut too.
  for (const fenceLines of [40, 10, 2]) {
    if (result.text.length <= EXPORT_LIMIT) return result
    result = build({max: 0, fitting: true, drop: true, fenceLines})
  }
  if (result.text.length <= EXPORT_LIMIT) return result
  const note = `\n\n… The rest of this export was cut so that it fits a GitHub issue (65,536 characters); the whole session is \`${sanitize(logFile)}\` on the machine that ran it.\n`
  return {text: `${result.text.slice(0, EXPORT_LIMIT - note.length - 8)}${note}`, sidecars: result.sidecars}
}

interface Fit {
  /** Lines kept of each sidecar log. */
  readonly max: number
  /** The size limit is trimming (said in each trimmed block; long lines are cut too). */
  readonly fitting: boolean
  /** Sidecar logs are named, not folded in. */
  readonly drop: boolean
  /** Lines kept of each code block of the log itself; undefined keeps them whole. */
  readonly fenceLines: number | undefined
}

/** `<` outside code spans shown as typed (so `<b>` is not HTML); a `\<` already escaped stays. */
function escapeTags(text: string): string {
  return text.replace(/(`+)[\s\S]*?(?<!`)\1(?!`)|\\<|</g, (m) => (m === '<' ? '\\<' : m))
}

/** A quoted line that opens a block of its own (list item, heading, fence, nested quote), which a hard break must not precede. */
const QUOTE_BLOCK = /^\s*(?:[-+*]|\d+[.)])\s|^\s*#|^\s*>|^ {0,3}(?:```|~~~)/

/**
The user's notes are quoted lines (`> …`): tags in them are escaped, and each line but the last of a
paragraph ends with a hard break, so a two-line note stays two lines on GitHub instead of one paragraph.
*/
function quoteBreaks(lines: readonly string[]): string[] {
  const fences = new FenceTracker()
  const code = lines.map((line) => fences.feed(line))
  return lines.map((line, i) => {
    if (code[i] || !/^>( |$)/.test(line)) return line
    const content = escapeTags(line.slice(2))
    const next = lines[i + 1]
    const continues = next !== undefined && !code[i + 1] && /^> \S/.test(next) && !QUOTE_BLOCK.test(next.slice(2)) && !QUOTE_BLOCK.test(content) && content.trim() !== ''
    // A line ending in a backslash would turn the break into an escaped one: two spaces do the same there.
    const brk = continues ? (/\\$/.test(content) ? '  ' : '\\') : ''
    return content === '' ? '>' : `> ${content}${brk}`
  })
}

/** A code block of the log cut to `keep` lines, with a line saying so. */
function cutFences(lines: readonly string[], keep: number): string[] {
  const out: string[] = []
  const fences = new FenceTracker()
  let body: string[] = []
  for (const line of lines) {
    const wasInside = fences.inside
    const code = fences.feed(line)
    if (!code) {
      out.push(line)
      continue
    }
    if (!wasInside) {
      out.push(line)
      body = []
      continue
    }
    if (fences.inside) {
      body.push(line)
      continue
    }
    out.push(...body.slice(0, keep), ...(body.length > keep ? [`… ${body.length - keep} more lines cut so that the export fits a GitHub issue`] : []), line)
  }
  return out
}

function assemble(source: readonly string[], sidecars: ReadonlyMap<string, Sidecar | undefined>, fit: Fit, logName: string, when: string): SessionExport {
  const lines = fit.fenceLines === undefined ? source : cutFences(source, fit.fenceLines)
  const blocks = new Map<string, {block: string; report: ExportedSidecar}>()
  const placed = new Set<string>()
  const appendix: string[] = []
  const out: string[] = []
  const fences = new FenceTracker()

  for (const line of lines) {
    if (fences.feed(line)) {
      out.push(line)
      continue
    }
    const here: string[] = []
    let rewritten = ''
    let last = 0
    for (const m of line.matchAll(LINK)) {
      const [whole, label = '', target = ''] = m
      const name = localTarget(target)
      rewritten += line.slice(last, m.index)
      last = m.index + whole.length
      if (name === undefined) {
        rewritten += whole
        continue
      }
      const sidecar = sidecars.get(name)
      if (sidecar === undefined) {
        // Not a sidecar (a file outside the notes folder, or another log): keep the words, drop the dead link.
        rewritten += `${label} (\`${name}\`, not included)`
        continue
      }
      if (!blocks.has(sidecar.file)) blocks.set(sidecar.file, fit.drop ? droppedBlock(sidecar) : sidecarBlock(sidecar, fit.max, fit.fitting))
      const already = placed.has(sidecar.file)
      rewritten += `\`${label}\`${already ? ' (shown above)' : ' (below)'}`
      if (!already) {
        placed.add(sidecar.file)
        here.push(sidecar.file)
      }
    }
    rewritten += line.slice(last)
    out.push(rewritten)
    if (here.length === 0) continue
    const folded = here.map((file) => blocks.get(file)?.block ?? '')
    if (standalone(line)) {
      out.push('', folded.join('\n\n'), '')
    } else {
      // Inside a list, table or quote a block would break the structure: such logs go to the end.
      appendix.push(...folded)
      out[out.length - 1] = (out[out.length - 1] ?? '').replace(/ \(below\)/g, ' (at the end)')
    }
  }

  const reports = [...blocks.values()].map((b) => b.report)
  const trimmed = reports.filter((r) => !r.included).length
  const tail = [
    '',
    ...(appendix.length > 0 ? ['## Sidecar logs', '', appendix.join('\n\n'), ''] : []),
    '---',
    '',
    `Exported from \`${sanitize(logName)}\` at ${when} by \`dagger-explore notes export\`: ${reports.length} sidecar log${reports.length === 1 ? '' : 's'} folded in${trimmed > 0 ? `, ${trimmed} of them trimmed or missing` : ''}${fit.fitting ? ' to fit a GitHub issue (65,536 characters)' : ''}; secrets redacted again.`,
  ]
  // One last pass over everything, so nothing that reached the text by any route escapes redaction.
  while (out.length > 0 && out[out.length - 1] === '') out.pop()
  const text = `${sanitize([...out, ...tail].join('\n')).trimEnd()}\n`
  return {text, sidecars: reports}
}

/** A sidecar log named but not folded in, when even a few lines of each would not fit. */
function droppedBlock(sidecar: Sidecar): {block: string; report: ExportedSidecar} {
  const lines = sidecar.content === undefined ? null : countLines(sidecar.content)
  return {
    block: `> Sidecar log \`${sanitize(sidecar.name)}\`${lines === null ? '' : ` (${lines.toLocaleString('en-US')} lines)`} is left out so that the export fits a GitHub issue (65,536 characters); it is \`${sanitize(sidecar.file)}\` on the machine that ran the session.`,
    report: {file: sidecar.file, lines, included: false},
  }
}

/**
Finds the session a user named: a path (absolute or relative to `cwd`), a file name in the notes
folder (with or without `.md`), or, when nothing is named, the latest session.
*/
export async function resolveSession(notesDir: string, cwd: string, name: string | undefined): Promise<string> {
  if (name === undefined) {
    const [latest] = await listSessions(notesDir)
    if (!latest) throw new ExportError(`There are no saved sessions in ${notesDir} to export.`, {fix: 'Run `dagger-explore` to make one, or name a session file (or pass --notes-dir).'})
    return latest.file
  }
  const isFile = (file: string) => stat(file).then((s) => s.isFile(), () => false)
  const candidates = name.includes('/') || name.includes(path.sep) || path.isAbsolute(name)
    ? [path.resolve(cwd, name)]
    : [path.join(notesDir, name), path.join(notesDir, `${name}.md`), path.join(notesDir, `${name}-session.md`), path.resolve(cwd, name)]
  for (const file of candidates) if (await isFile(file)) return file
  throw new ExportError(`There is no session "${name}" in ${notesDir} or as a path from ${cwd}.`, {fix: 'Run `dagger-explore notes` to list the saved sessions, then pass a file name or a path.'})
}
