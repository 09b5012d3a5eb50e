import type {CellId, CellResult, CommandRecord, Status} from '../types.js'
import {sanitize} from './sanitize.js'
import {cellBlocks, sameFixText} from '../present/cell-blocks.js'
import {STATUS_GLYPH, STATUS_LABEL} from '../present/status.js'
import {formatDuration} from '../present/duration.js'
import {pollText, shownOutput} from '../present/polls.js'

// The status vocabulary and the duration format live in core/present; re-exported for the modules that import it from here.
export {formatDuration, STATUS_GLYPH, STATUS_LABEL}

export interface SessionHeader {
  readonly startedAt: Date
  readonly host: string
  readonly os: string
  readonly versions: string
  readonly dockerEndpoint: string
  /** The dagger checkout the session works on: path, and commit or version when known. */
  readonly checkout?: string
  /** The checkout's root folder, which `--resume` compares with the one asked for. */
  readonly checkoutRoot?: string
}

export interface CellSection {
  readonly id: CellId
  readonly title: string
  /** The run shown in full: the latest that was not a decline (or the latest, when every run was one). */
  readonly result?: CellResult
  /** Every run of the cell, oldest first (declines included); absent in documents that only know `result`. */
  readonly runs?: readonly CellResult[]
  readonly notes: readonly string[]
}

export interface SessionDocument {
  readonly header: SessionHeader
  readonly sections: readonly CellSection[]
  /** Sidecar file (relative name) for a command, keyed by `cell:index`. */
  readonly sidecars: ReadonlyMap<string, string>
  readonly closing?: string
  /** What was shortened to keep the log within its size budget, said near the top. */
  readonly trimmed?: string
}

/** The glyph at the start of a list item: a bare `-` there would open a nested list, so it is escaped. */
function markdownGlyph(status: Status): string {
  const glyph = STATUS_GLYPH[status]
  return /^[-+*]$/.test(glyph) ? `\\${glyph}` : glyph
}

/** Lines of output shown inline; longer output goes to a sidecar file linked from the log. */
export const INLINE_LINES = 60
export const INLINE_CHARS = 6000

export function needsSidecar(output: string): boolean {
  if (output.length > INLINE_CHARS) return true
  let lines = 1
  for (let i = output.indexOf('\n'); i !== -1; i = output.indexOf('\n', i + 1)) if (++lines > INLINE_LINES) return true
  return false
}

/** A code fence longer than any backtick run inside, so output can never close it early. */
export function fence(body: string, info: string): string {
  let longest = 2
  for (const run of body.match(/`+/g) ?? []) longest = Math.max(longest, run.length)
  const ticks = '`'.repeat(longest + 1)
  return `${ticks}${info}\n${body}${body.endsWith('\n') || body === '' ? '' : '\n'}${ticks}`
}

/**
The anchor GitHub gives a heading: lowercase, punctuation and symbols dropped, each space a hyphen;
a repeated heading gets `-1`, `-2`… in document order. One instance per document.
*/
export class HeadingSlugger {
  private readonly seen = new Map<string, number>()

  slug(heading: string): string {
    const base = heading.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-')
    let slug = base
    while (this.seen.has(slug)) {
      const count = (this.seen.get(base) ?? 0) + 1
      this.seen.set(base, count)
      slug = `${base}-${count}`
    }
    this.seen.set(slug, 0)
    return slug
  }
}

/** Escapes text for HTML contexts such as a `<summary>` line. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/**
Text from outside in running markdown: `<` outside code spans is escaped, so a value such as
`<none>` is not taken for an HTML tag and hidden on GitHub. Code spans stay as they are.
*/
export function inlineText(text: string): string {
  return sanitize(text).replace(/(`+)[\s\S]*?(?<!`)\1(?!`)|</g, (m) => (m === '<' ? '\\<' : m))
}

function cellText(text: string): string {
  return inlineText(text).replace(/\|/g, '\\|').replace(/\n/g, '<br>')
}

/** Shell-like display of an argv: arguments with spaces or specials are single-quoted. */
export function displayArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')
}

export function cellExitCode(status: Status): number {
  return status === 'fail' || status === 'crashed' ? 1 : 0
}

/** The one-line outcome of a run: its headline finding, or that it was declined. */
export function runHeadline(r: CellResult): string {
  if (r.declined !== undefined) return `declined: ${r.declined}`
  const worst = r.findings.find((f) => f.status === r.status) ?? r.findings[0]
  return worst === undefined ? 'no findings' : worst.title
}

/** The run a section shows in full: the latest that was not a decline, else the latest. */
export function shownRun(runs: readonly CellResult[]): CellResult | undefined {
  return runs.findLast((r) => r.declined === undefined) ?? runs.at(-1)
}

/** Every run of a cell, one line each, oldest first, when there was more than the one shown in full. */
function runsList(s: CellSection): string[] {
  const runs = s.runs ?? []
  // A single run is the section itself, unless it was a decline, which the list names.
  if (runs.length < 2 && runs.every((r) => r === s.result && r.declined === undefined)) return []
  const lines = runs.map((r, i) => {
    const what = r.declined === undefined ? `**${STATUS_LABEL[r.status]}** ${inlineText(runHeadline(r)).replace(/\n/g, ' ')}` : inlineText(runHeadline(r)).replace(/\n/g, ' ')
    return `${i + 1}. ${r.startedAt}, ${formatDuration(r.durationMs)}: ${what}${r === s.result ? ' (shown below)' : ''}`
  })
  return [`Runs (${runs.length}, oldest first):`, '', ...lines, '']
}

function commandBlock(command: CommandRecord, sidecar: string | undefined): string {
  const prompt = command.kind === 'exec' ? '$' : command.kind === 'api' ? '# Docker API:' : '# read:'
  const status = command.exitCode === null ? 'did not finish' : `exit ${command.exitCode}`
  const poll = pollText(command)
  const line = `${prompt} ${displayArgv(command.argv)}${poll === '' ? '' : `  ${poll}`}`
  const output = shownOutput(command)
  // A poll's span is on its first line; one call's duration here would read as the whole wait's.
  const outcome = poll === '' ? `${status} after ${formatDuration(command.durationMs)}` : status
  if (sidecar !== undefined) {
    const head = output.split('\n').slice(0, 20).join('\n')
    return `${fence(`${line}\n${head}\n…`, 'console')}\n\n(${outcome}; full output in [${sidecar}](${encodeURI(sidecar)}))`
  }
  return `${fence(`${line}\n${output}`, 'console')}\n\n(${outcome})`
}

/**
One cell result as markdown lines (present lane): the ran-at line, then the blocks of
core/present/cell-blocks in their order, every output line kept (or a sidecar via `sidecarFor`).
The session log calls it per run; it knows nothing of headings or notes.
*/
export function cellMarkdown(r: CellResult, sidecarFor: (commandIndex: number) => string | undefined): string[] {
  const out: string[] = [`Ran at ${r.startedAt} for ${formatDuration(r.durationMs)}, exit ${cellExitCode(r.status)}: **${STATUS_LABEL[r.status]}**`, '']
  const blocks = cellBlocks(r, [], {passFixes: true})
  const findings = blocks.filter((b) => b.kind === 'finding')
  if (findings.length > 0) {
    out.push('Findings:', '')
    for (const {finding: f, sameFixAs} of findings) {
      out.push(`- ${markdownGlyph(f.status)} **${STATUS_LABEL[f.status]}** ${inlineText(f.title).replace(/\n/g, ' ')}`)
      if (f.detail) out.push(`  - Why: ${inlineText(f.detail).replace(/\n/g, ' ')}`)
      if (sameFixAs !== undefined) out.push(`  - Fix: ${inlineText(sameFixText(sameFixAs))}`)
      else if (f.fix) out.push(`  - Fix: ${inlineText(f.fix).replace(/\n/g, ' ')}`)
      if (f.recipe) out.push(`  - Recipe: \`dagger-explore recipe ${f.recipe}\``)
      if (f.docs) out.push(`  - Docs: ${f.docs}`)
    }
    out.push('')
  }
  for (const block of blocks) {
    if (block.kind !== 'facts') continue
    out.push('| What | Value |', '| --- | --- |')
    for (const f of block.facts) out.push(`| ${cellText(f.label)} | ${cellText(f.value)} |`)
    out.push('')
  }
  const commands = blocks.filter((b) => b.kind === 'command')
  if (commands.length > 0) {
    // GitHub renders markdown inside <details> only with a blank line after <summary> and before </details>.
    out.push(`<details><summary>Commands and output (${commands.length})</summary>`, '')
    for (const {command, index} of commands) out.push(commandBlock(command, sidecarFor(index)), '')
    out.push('</details>', '')
  }
  for (const file of r.sidecars ?? []) out.push(`Raw output: [${file}](${encodeURI(file)})`, '')
  return out
}

function section(doc: SessionDocument, s: CellSection, heading: string): string {
  const out: string[] = [`## ${heading}`, '', ...runsList(s)]
  if (s.result) out.push(...cellMarkdown(s.result, (i) => doc.sidecars.get(`${s.id}:${i}`)))
  for (const note of s.notes) {
    // inlineText: a note's `<b>` is shown as typed, not taken for HTML.
    out.push(...inlineText(note).split('\n').map((line) => (line === '' ? '>' : `> ${line}`)), '')
  }
  return out.join('\n')
}

/** Renders the whole session as markdown; valid at every point, whatever has run so far. */
export function renderSession(doc: SessionDocument): string {
  const h = doc.header
  const date = h.startedAt.toISOString()
  const title = `dagger-explore session ${date.slice(0, 10)} ${date.slice(11, 19)} UTC`
  const shown = doc.sections.filter((s) => s.result || s.notes.length > 0)
  // Anchors are handed out in document order, as GitHub does, so repeated titles still link right.
  const slugger = new HeadingSlugger()
  slugger.slug(title)
  slugger.slug('Summary')
  if (shown.length > 0) slugger.slug('Contents')
  const headings = shown.map((s) => {
    const heading = sanitize(s.title).replace(/\s+/g, ' ').trim()
    return {section: s, heading, anchor: slugger.slug(heading)}
  })
  const out: string[] = [
    `# ${title}`,
    '',
    '| | |',
    '| --- | --- |',
    `| Date | ${date} |`,
    `| Host | ${cellText(h.host)} (${cellText(h.os)}) |`,
    `| Versions | ${cellText(h.versions)} |`,
    `| Docker endpoint | ${cellText(h.dockerEndpoint)} |`,
    ...(h.checkout === undefined ? [] : [`| Checkout | ${cellText(h.checkout)} |`]),
    '',
    ...(doc.trimmed === undefined ? [] : [`> ${inlineText(doc.trimmed)}`, '']),
    '## Summary',
    '',
  ]
  const ran = headings.filter((x) => x.section.result)
  if (ran.length === 0) out.push('No cell has run yet.')
  for (const {section: s, heading, anchor} of ran) {
    const r = s.result as CellResult
    const problems = r.findings.filter((f) => f.status !== 'pass' && f.status !== 'skipped')
    out.push(`- ${markdownGlyph(r.status)} **${STATUS_LABEL[r.status]}** [${heading}](#${anchor})${problems.length > 0 ? `: ${problems.length} to look at` : ''}`)
    // Nested items use `*` so that `notes` (which reads the `- ` lines) lists one line per cell.
    for (const f of problems) {
      out.push(`  * ${markdownGlyph(f.status)} **${STATUS_LABEL[f.status]}** ${inlineText(f.title).replace(/\n/g, ' ')}${f.recipe ? ` (recipe: \`${f.recipe}\`)` : ''}`)
    }
  }
  out.push('')
  if (headings.length > 0) {
    out.push('## Contents', '')
    for (const {heading, anchor} of headings) out.push(`- [${heading}](#${anchor})`)
    out.push('')
  }
  for (const {section: s, heading} of headings) out.push(section(doc, s, heading))
  if (doc.closing) out.push('---', '', sanitize(doc.closing), '')
  return `${collapseBlankLines(out.join('\n')).trimEnd()}\n`
}

const STATE_MARK = 'dagger-explore-state'

/** What older versions kept in an HTML comment at the end of the log (now in a `.state.json` file beside it). */
export interface LegacyState {
  readonly version: 1
  readonly header: Omit<SessionHeader, 'startedAt'> & {readonly startedAt: string}
  readonly sections: readonly CellSection[]
  readonly sidecars: readonly (readonly [string, string])[]
  readonly closing?: string
}

/** Reads the state comment of a log written by an older version (for --resume); undefined for anything else. */
export function readState(text: string): LegacyState | undefined {
  const match = new RegExp(`<!-- ${STATE_MARK} ([A-Za-z0-9+/=]+) -->\\s*$`).exec(text)
  if (!match?.[1]) return undefined
  try {
    const state = JSON.parse(Buffer.from(match[1], 'base64').toString('utf8')) as LegacyState
    return state.version === 1 && Array.isArray(state.sections) ? state : undefined
  } catch {
    return undefined
  }
}

/** The log without its state comment, for sharing. */
export function stripState(text: string): string {
  return text.replace(new RegExp(`\\n*<!-- ${STATE_MARK} [A-Za-z0-9+/=]+ -->\\s*$`), '\n')
}

/** Lines that open or close a fenced code block (CommonMark: up to 3 spaces, then 3+ backticks or tildes). */
const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})(.*)$/

/**
Tracks fenced code blocks line by line: `inside` after feeding a line says whether the next line is
code. A closing fence uses the opening character, is at least as long and carries no info string.
*/
export class FenceTracker {
  private open: string | undefined

  get inside(): boolean {
    return this.open !== undefined
  }

  /** Feeds one line; returns true when the line itself is code or a fence line. */
  feed(line: string): boolean {
    const m = FENCE_LINE.exec(line)
    if (this.open === undefined) {
      if (m && !(m[1]?.startsWith('`') && m[2]?.includes('`'))) this.open = m[1]
      return m !== null && this.open !== undefined
    }
    if (m && m[1]?.[0] === this.open[0] && (m[1]?.length ?? 0) >= this.open.length && (m[2] ?? '').trim() === '') this.open = undefined
    return true
  }
}

/** Collapses runs of blank lines between blocks to one, leaving command output in fences as it was. */
function collapseBlankLines(text: string): string {
  const fences = new FenceTracker()
  const out: string[] = []
  for (const line of text.split('\n')) {
    const code = fences.feed(line)
    if (!code && line === '' && out.length > 0 && out[out.length - 1] === '') continue
    out.push(line)
  }
  return out.join('\n')
}
