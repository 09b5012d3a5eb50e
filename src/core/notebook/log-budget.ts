import type {CommandRecord} from '../types.js'
import type {CellSection, SessionDocument} from './markdown.js'

/** The session log stays under this many characters, so it fits a GitHub issue body (65,536) with room for a few words. */
export const LOG_BUDGET = 60_000

/** Lines an output keeps in the first round of cuts (the longest outputs first), and in the second (the oldest first). */
const CUT_LEVELS = [5, 0] as const
/** Characters a kept line may have: one minified JSON line must not undo the cut. */
const LINE_CHARS = 160

/** The first `lines` lines of `text`, each at most LINE_CHARS long. */
export function excerpt(text: string, lines: number): string {
  if (lines <= 0) return ''
  return text
    .split('\n')
    .slice(0, lines)
    .map((l) => (l.length > LINE_CHARS ? `${l.slice(0, LINE_CHARS)}…` : l))
    .join('\n')
}

function cutCommand(command: CommandRecord, lines: number): CommandRecord {
  const repeat = command.repeat
  return {
    ...command,
    output: excerpt(command.output, lines),
    ...(repeat === undefined ? {} : {repeat: {...repeat, ...(repeat.firstOutput === undefined ? {} : {firstOutput: excerpt(repeat.firstOutput, lines)})}}),
  }
}

/** The document with the outputs named in `cuts` (`cell:index` → lines kept) shortened. */
export function applyCuts(doc: SessionDocument, cuts: ReadonlyMap<string, number>, note: string | undefined): SessionDocument {
  if (cuts.size === 0) return doc
  const sections = doc.sections.map((s): CellSection => {
    const r = s.result
    if (r === undefined || !r.commands.some((_, i) => cuts.has(`${s.id}:${i}`))) return s
    const result = {...r, commands: r.commands.map((c, i) => (cuts.has(`${s.id}:${i}`) ? cutCommand(c, cuts.get(`${s.id}:${i}`) ?? 0) : c))}
    return {...s, result, ...(s.runs === undefined ? {} : {runs: s.runs.map((x) => (x === r ? result : x))})}
  })
  return {...doc, sections, ...(note === undefined ? {} : {trimmed: note})}
}

export function trimNote(count: number, over: number | undefined): string {
  const what = `To stay under ${LOG_BUDGET.toLocaleString('en-US')} characters (a GitHub issue holds 65,536), the output of ${count} command${count === 1 ? '' : 's'} is cut to a few lines here, longest and oldest first; each one names the file beside this log that holds all of it. Findings and notes are never cut.`
  return over === undefined ? what : `${what} The log is still ${over.toLocaleString('en-US')} characters over: its findings, facts and notes alone take that much.`
}

interface Candidate {
  readonly key: string
  readonly startedAt: string
  /** Characters of output the log shows for it now. */
  readonly shown: number
}

/**
Chooses which command outputs to cut so the rendered log fits `budget`: first the longest down to a
few lines, then the oldest down to none. `sidecarFor(key)` names the file that will hold a cut
output in full. Re-renders only when the estimate says the log fits, so a long session stays cheap.
*/
export function fitToBudget(
  doc: SessionDocument,
  render: (doc: SessionDocument) => string,
  sidecarFor: (key: string) => string,
  budget = LOG_BUDGET,
): {text: string; cuts: ReadonlyMap<string, number>; sidecars: ReadonlyMap<string, string>} {
  const first = render(doc)
  if (first.length <= budget) return {text: first, cuts: new Map(), sidecars: doc.sidecars}
  const candidates: Candidate[] = []
  for (const s of doc.sections) {
    s.result?.commands.forEach((c, i) => {
      const key = `${s.id}:${i}`
      const full = c.output.length + (c.repeat?.firstOutput?.length ?? 0)
      // A command with a sidecar already shows only its head (20 lines).
      const shown = doc.sidecars.has(key) ? Math.min(full, excerpt(c.output, 20).length) : full
      candidates.push({key, startedAt: c.startedAt, shown})
    })
  }
  const cuts = new Map<string, number>()
  const sidecars = new Map(doc.sidecars)
  const attempt = () => render(applyCuts({...doc, sidecars}, cuts, trimNote(cuts.size, undefined)))
  let text = first
  let estimate = first.length
  for (const level of CUT_LEVELS) {
    const order = [...candidates].sort(level > 0 ? (a, b) => b.shown - a.shown : (a, b) => a.startedAt.localeCompare(b.startedAt))
    for (const c of order) {
      const before = cuts.get(c.key)
      if (before !== undefined && before <= level) continue
      if (c.shown <= level * 40 && before === undefined) continue
      cuts.set(c.key, level)
      if (!sidecars.has(c.key)) sidecars.set(c.key, sidecarFor(c.key))
      estimate -= Math.max(0, (before === undefined ? c.shown : Math.min(c.shown, before * LINE_CHARS)) - level * LINE_CHARS)
      if (estimate > budget) continue
      text = attempt()
      if (text.length <= budget) return {text, cuts, sidecars}
      estimate = text.length
    }
  }
  text = attempt()
  if (text.length > budget) text = render(applyCuts({...doc, sidecars}, cuts, trimNote(cuts.size, text.length - budget)))
  return {text, cuts, sidecars}
}
