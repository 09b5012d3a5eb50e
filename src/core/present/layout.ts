/**
Text layout for fixed-width panes, pure. Prose wraps at word boundaries with a hanging indent;
a command (a `code span`), a path or a URL is one unbreakable token: it moves to its own row and,
when wider than the pane, is cut with MORE_MARK and the row carries the whole token in `full`, so a
view can scroll sideways or open it (the cut itself is core/present/sideways, the app's one). Wrapping
counts UTF-16 units, as elsewhere in the panes; the cut counts terminal columns.
*/
import {cutRow} from './sideways.js'

export interface LayoutRow {
  readonly text: string
  /** Set only on a row that was cut: the whole line (verbatim) or the whole token (prose). */
  readonly full?: string
}

export interface WrapOptions {
  /** Indent of continuation rows. Default: the text's own indent, plus the `Why: `/`Fix: ` label after it. */
  readonly hang?: number
  /** Never wrap: one row, cut with MORE_MARK when too wide (command lines, output, argv). */
  readonly verbatim?: boolean
}

/** A label such as `Why: ` whose value hangs under its first word. */
const LABEL = /^(Why|Fix|Recipe|Docs): /

/**
Splits text into the tokens wrapping may never break: runs of non-blanks, where a backtick code span
(a command) counts as one token with its spaces, together with anything touching it ("(`a b`),").
*/
export function tokens(text: string): string[] {
  const out: string[] = []
  let current = ''
  let i = 0
  while (i < text.length) {
    const ch = text[i] as string
    if (ch === '`') {
      let run = 1
      while (text[i + run] === '`') run++
      const ticks = '`'.repeat(run)
      const close = text.indexOf(ticks, i + run)
      if (close !== -1) {
        current += text.slice(i, close + run)
        i = close + run
        continue
      }
    }
    if (ch === ' ' || ch === '\t') {
      if (current !== '') out.push(current)
      current = ''
    } else current += ch
    i++
  }
  if (current !== '') out.push(current)
  return out
}

function hangOf(text: string, options: WrapOptions): number {
  if (options.hang !== undefined) return options.hang
  const indent = /^ */.exec(text)?.[0].length ?? 0
  const label = LABEL.exec(text.slice(indent))
  return indent + (label ? label[0].length : 0)
}

/** The `label   ` start of a fact row whose value begins exactly at the hang, when there is one. */
function labelHead(text: string, hang: number | undefined, width: number): string | undefined {
  if (hang === undefined || hang < 2 || hang > Math.floor(width / 2)) return undefined
  if (text[hang - 1] !== ' ' || text[hang] === ' ' || text[hang] === undefined || text[0] === ' ') return undefined
  return text.slice(0, hang)
}

/**
Wraps one line of text (no newlines) to `width` columns. Rows after the first start with the
hanging indent (at most half the width, so a deep indent still leaves room).
*/
export function wrapText(text: string, width: number, options: WrapOptions = {}): LayoutRow[] {
  const w = Math.max(1, Math.floor(width))
  if (options.verbatim) return [cutRow(text, w)]
  if (text.length <= w) return [{text}]
  const indent = /^ */.exec(text)?.[0] ?? ''
  const pad = ' '.repeat(Math.min(hangOf(text, options), Math.floor(w / 2)))
  const rows: LayoutRow[] = []
  // A fact row is `label   value` with the value starting at the hang: the label and its padding
  // stay as they are, so the first row's value lines up with the rows hanging under it.
  const head = labelHead(text, options.hang, w)
  let row = head ?? indent
  let empty = true
  const flush = (): void => {
    rows.push({text: row})
    row = pad
    empty = true
  }
  for (const token of tokens(text.slice(head === undefined ? indent.length : head.length))) {
    if (!empty && row.length + 1 + token.length <= w) {
      row += ` ${token}`
      continue
    }
    if (!empty) flush()
    if (row.length + token.length <= w) {
      row += token
      empty = false
      continue
    }
    // Wider than the room after the hang: its own row, moved left as far as needed to show it
    // whole; wider than the pane: cut with the marker, the whole token travelling with the row.
    if (empty && row.trim() !== '') rows.push({text: row.trimEnd()})
    if (token.length <= w) {
      rows.push({text: ' '.repeat(Math.min(row.length, w - token.length)) + token})
      row = pad
      continue
    }
    const cut = cutRow(token, w)
    rows.push({text: cut.text, full: token})
    row = pad
    empty = true
  }
  if (!empty) rows.push({text: row})
  return rows
}

/**
Joins the producer's hard-wrapped lines into paragraphs: consecutive non-blank lines become one
line, a blank line ends a paragraph. Lines that start with `$ `, `- `, `* `, a number and `.`, or
an indent stay lines of their own (commands, lists, code).
*/
export function reflow(lines: readonly string[]): string[] {
  const out: string[] = []
  let open = false
  for (const line of lines) {
    if (line.trim() === '') {
      out.push('')
      open = false
      continue
    }
    const own = /^(\s|\$ |[-*] |\d+[.)] )/.test(line)
    if (open && !own) out[out.length - 1] = `${out[out.length - 1] as string} ${line.trim()}`
    else out.push(line)
    open = !own
  }
  return out
}

/** Widest fact label given a column of its own; a longer label takes a row of its own above its value. */
export const FACT_LABEL_MAX = 24

/** The label column width of a facts table: the widest label, capped, so one long label cannot push every value right. */
export function factLabelWidth(labels: readonly string[], max = FACT_LABEL_MAX): number {
  let width = 0
  for (const label of labels) if (label.length <= max) width = Math.max(width, label.length)
  return width
}

/**
A facts table as text lines (not yet wrapped): `label  value`, a multi-line value's later lines
indented to the value column, a label wider than the column on its own line with its value below.
`hang` is the value column, for wrapping each line.
*/
export function factLines(facts: readonly {readonly label: string; readonly value: string}[], max = FACT_LABEL_MAX): {text: string; hang: number; label: boolean}[] {
  const width = factLabelWidth(facts.map((f) => f.label), max)
  const hang = width + 2
  const column = ' '.repeat(hang)
  const out: {text: string; hang: number; label: boolean}[] = []
  for (const fact of facts) {
    const values = fact.value.split('\n')
    if (fact.label.length > width) {
      out.push({text: fact.label, hang, label: true})
      for (const v of values) out.push({text: column + v, hang, label: false})
      continue
    }
    values.forEach((v, i) => out.push({text: i === 0 ? `${fact.label.padEnd(width)}  ${v}` : column + v, hang, label: false}))
  }
  return out
}

