/**
Turns log lines back into whole error messages. An error is often spread over several lines: a
terminal or a person wrapped it, docker split it at its quotes, dagger indented the cause under the
step. Go error chains make the joins easy to spot: a line that ends with `:` or with an HTTP method
(`Head`), a dotted call chain that ends with `.`, a quote still open, or a deeper indent all mean
"the message goes on". A statement never grows past MAX_STATEMENT_LINES lines, which is what lets the
scanner skip everything farther than that from a line worth reading.
*/
import {stripControl} from '../notebook/sanitize.js'

export const MAX_STATEMENT_LINES = 8
const MAX_STATEMENT_CHARS = 4000

export interface Statement {
  /** The joined text, escape sequences and JSON escaping removed. */
  readonly text: string
  /** The same without the first line's vertex number and timestamp: what the classifier reads. */
  readonly body: string
  /** 1-based number of its first line. */
  readonly line: number
}

interface Line {
  readonly no: number
  readonly indent: number
  readonly vertex: string | null
  /** The line without indent and vertex prefix (timestamps kept out too). */
  readonly body: string
  /** What to show for a statement's first line: vertex prefix and body. */
  readonly display: string
  /** Never part of a message: separators, Dockerfile excerpts, dagger's `> in` breadcrumbs, prompts. */
  readonly boundary: boolean
}

// `\"`, `\\`, `\/`, `\n`, `\t`, `\u003c`: what a message looks like inside a JSON string.
const JSON_ESCAPE = /\\(["\\/bfnrt]|u[0-9a-fA-F]{4})/g

function unescapeJsonString(text: string): string {
  let out = text
  // Logs of logs escape twice (`\\\"`): undo up to three levels.
  for (let round = 0; round < 3 && /\\["u]/.test(out); round++) {
    out = out.replace(JSON_ESCAPE, (_m, e: string) => {
      if (e.length === 5) return String.fromCharCode(Number.parseInt(e.slice(1), 16))
      if (e === 'n' || e === 'r' || e === 't' || e === 'b' || e === 'f') return ' '
      return e
    })
  }
  return out
}

const NEEDS_STRIP = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/
const VERTEX = /^(?:(\d+): |#(\d+) )/
const TIMESTAMP = /^(?:\[\d+(?:\.\d+)?m?s\] |\d+\.\d+ )/
const BOUNDARY = /^(?:-{4,}|={4,}|Dockerfile:\d+|\d+ \| |\$ |> in |[=-]> |exit status \d+$)/

function parseLine(raw: string, no: number): Line {
  let text = NEEDS_STRIP.test(raw) ? stripControl(raw).replace(/\n/g, ' ') : raw
  if (text.includes('\\')) text = unescapeJsonString(text)
  // A leading `>` marks a quoted or highlighted line (as in pasted notes), a box-drawing bar marks the
  // body of a step in dagger's TUI: either counts as one column of indent.
  const lead = /^([ \t]*)(?:[>┃│║](?=[ \t]))?([ \t]*)/.exec(text)
  const leadText = lead?.[0] ?? ''
  const indent = leadText.replace(/\t/g, '    ').length
  let rest = text.slice(leadText.length).trimEnd()
  const vertexMatch = VERTEX.exec(rest)
  const vertex = vertexMatch ? (vertexMatch[1] ?? vertexMatch[2] ?? null) : null
  const prefix = vertexMatch?.[0] ?? ''
  rest = rest.slice(prefix.length)
  const stamp = TIMESTAMP.exec(rest)?.[0] ?? ''
  const body = rest.slice(stamp.length)
  return {no, indent, vertex, body, display: `${prefix}${stamp}${body}`, boundary: body.length === 0 || BOUNDARY.test(body)}
}

function quotesOpen(text: string): boolean {
  let count = 0
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) count++
  return count % 2 === 1
}

/** The message plainly goes on after this line. */
function endsOpen(body: string): boolean {
  return /:$/.test(body) || /\b(?:Get|Head|Post|Put|Patch|Delete)$/.test(body) || /\.[A-Za-z_]\w*\.$/.test(body)
}

// Causes that end a Go error chain: after one of these, a deeper-indented line is something else.
const CAUSE_AT_END = /(?:\bEOF|refused|timeout|reset by peer|no such host|unknown|denied|unauthorized|required|exceeded|not found|Forbidden|Unavailable|\))$/

export class StatementBuilder {
  private readonly recent: Line[] = []
  private current: Line[] = []
  private text = ''
  private bodyOffset = 0
  private lastConsumed = 0

  constructor(private readonly emit: (statement: Statement) => void) {}

  /** The next line of the log (`no` counts from 1); `trigger` marks a line the prefilter picked. */
  line(raw: string, no: number, trigger: boolean): void {
    const line = parseLine(raw, no)
    if (this.current.length > 0) {
      if (this.continues(line)) {
        this.append(line)
        this.remember(line)
        if (this.current.length >= MAX_STATEMENT_LINES || this.text.length >= MAX_STATEMENT_CHARS) this.flush()
        return
      }
      this.flush()
    }
    if (trigger && !line.boundary) this.start(line)
    this.remember(line)
  }

  /** Lines were skipped: nothing can join across the gap. */
  gap(): void {
    this.flush()
    this.recent.length = 0
  }

  end(): void {
    this.flush()
  }

  private remember(line: Line): void {
    this.recent.push(line)
    if (this.recent.length > MAX_STATEMENT_LINES) this.recent.shift()
  }

  private start(line: Line): void {
    const lines = [line]
    // Walk back over lines that plainly run on into this one.
    for (let i = this.recent.length - 1; i >= 0 && lines.length < MAX_STATEMENT_LINES; i--) {
      const before = this.recent[i]
      const first = lines[0]
      if (before === undefined || first === undefined) break
      if (before.no <= this.lastConsumed || before.no !== first.no - 1 || before.boundary) break
      if (first.vertex !== null && first.vertex !== before.vertex) break
      if (!endsOpen(before.body) && !quotesOpen(before.body)) break
      lines.unshift(before)
    }
    this.current = []
    this.text = ''
    for (const l of lines) this.append(l)
  }

  private append(line: Line): void {
    if (this.current.length === 0) {
      this.text = line.display
      this.bodyOffset = line.display.length - line.body.length
    } else if (quotesOpen(this.text) && line.indent === 0) {
      // A hard wrap inside a quoted URL: glue the pieces back together.
      this.text += line.body
    } else {
      this.text += ` ${line.body}`
    }
    this.current.push(line)
  }

  private continues(next: Line): boolean {
    const first = this.current[0]
    const last = this.current.at(-1)
    if (first === undefined || last === undefined || next.boundary) return false
    if (next.vertex !== null && next.vertex !== first.vertex) return false
    if (quotesOpen(this.text) || endsOpen(last.body)) return true
    return next.vertex === null && next.indent > first.indent && !CAUSE_AT_END.test(last.body)
  }

  private flush(): void {
    const first = this.current[0]
    const last = this.current.at(-1)
    if (first === undefined || last === undefined) return
    this.lastConsumed = last.no
    this.emit({text: this.text, body: this.text.slice(this.bodyOffset), line: first.no})
    this.current = []
    this.text = ''
  }
}
