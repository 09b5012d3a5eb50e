/**
The byte-level half of the explainer. It takes a log in chunks of any size and hands the statement
builder only the lines that matter: every line the prefilter picks, plus CONTEXT lines on each side
of it (enough for any wrapped message to be joined back), each with its line number. Everything else
is only counted. State between chunks is bounded: a partial last line (capped), the last CONTEXT
lines as text, and the number of the last line a recent pick still wants fed.
*/
import {DATA_SIZE, inScanArea, kernels} from './kernels.js'
import {countNewlines} from './line-count.js'
import {NEEDLE_SEARCH} from './needles.js'
import {MAX_STATEMENT_LINES} from './statement.js'

/** Lines fed on each side of a picked line; a statement never spans more. */
const CONTEXT = MAX_STATEMENT_LINES
/** Longer lines are read up to this many bytes (a JSON log line holds a whole message well within it). */
export const MAX_LINE_BYTES = 16 * 1024
const NEWLINE = 0x0a
const KERNELS = kernels()

export interface LineSink {
  line(text: string, lineNo: number, trigger: boolean): void
  gap(): void
}

interface TailLine {
  readonly no: number
  readonly text: string
}

function decode(bytes: Uint8Array, start: number, end: number): string {
  let stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end
  if (stop - start > MAX_LINE_BYTES) stop = start + MAX_LINE_BYTES
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', start, stop)
}

/** Start of the line before the one starting at `lineStart`, never before `floor`. */
function previousLineStart(bytes: Buffer, lineStart: number, floor: number): number {
  // lastIndexOf takes a negative offset as counted from the end: stay at or above zero.
  if (lineStart - 2 < floor) return floor
  return Math.max(floor, bytes.lastIndexOf(NEWLINE, lineStart - 2) + 1)
}

/** Start offsets of the lines in `bytes[start, end)` that hold a needle, in order. */
function pickLines(bytes: Buffer, start: number, end: number): number[] {
  const picks: number[] = []
  NEEDLE_SEARCH.search(bytes, start, end, (at) => {
    picks.push(at === 0 ? 0 : Math.max(start, bytes.lastIndexOf(NEWLINE, at - 1) + 1))
    // One pick per line is enough: go on from the next line.
    const lineEnd = bytes.indexOf(NEWLINE, at)
    return lineEnd === -1 || lineEnd >= end ? end : lineEnd + 1
  })
  if (picks.length < 2) return picks
  picks.sort((a, b) => a - b)
  let kept = 1
  for (let i = 1; i < picks.length; i++) if (picks[i] !== picks[kept - 1]) picks[kept++] = picks[i] as number
  picks.length = kept
  return picks
}

export class LineScanner {
  /** Complete lines seen so far. */
  private lineNo = 0
  /** The last line number handed to the sink. */
  private fedUpTo = 0
  /** Every line up to this number is fed: the context after the latest pick (it may run past a chunk). */
  private wantedThrough = 0
  private carry: Buffer[] = []
  private carryBytes = 0
  private tail: TailLine[] = []
  private totalBytes = 0

  constructor(private readonly sink: LineSink) {}

  get lines(): number {
    return this.lineNo
  }

  get bytes(): number {
    return this.totalBytes
  }

  push(chunk: Uint8Array): void {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    if (KERNELS === null || inScanArea(KERNELS, bytes)) {
      this.pushBytes(bytes)
      return
    }
    // Copied into the WebAssembly scan area, where counting and searching run several times faster.
    for (let at = 0; at < bytes.length; at += DATA_SIZE) {
      const n = Math.min(DATA_SIZE, bytes.length - at)
      bytes.copy(KERNELS.data, 0, at, at + n)
      this.pushBytes(KERNELS.data.subarray(0, n))
    }
  }

  private pushBytes(bytes: Buffer): void {
    this.totalBytes += bytes.length
    const firstNewline = bytes.indexOf(NEWLINE)
    if (firstNewline === -1) {
      this.keep(bytes, 0, bytes.length)
      return
    }
    let regionStart = 0
    if (this.carryBytes > 0) {
      this.keep(bytes, 0, firstNewline)
      const line = Buffer.concat(this.carry, this.carryBytes)
      this.carry = []
      this.carryBytes = 0
      this.single(line)
      regionStart = firstNewline + 1
    }
    const regionEnd = bytes.lastIndexOf(NEWLINE) + 1
    if (regionEnd > regionStart) this.region(bytes, regionStart, regionEnd)
    if (regionEnd < bytes.length) this.keep(bytes, regionEnd, bytes.length)
  }

  /** The log ended: a last line without a newline still counts. */
  end(): void {
    if (this.carryBytes > 0) {
      const line = Buffer.concat(this.carry, this.carryBytes)
      this.carry = []
      this.carryBytes = 0
      this.single(line)
    }
  }

  private keep(bytes: Buffer, start: number, end: number): void {
    const room = MAX_LINE_BYTES + 1 - this.carryBytes
    const take = Math.min(room, end - start)
    if (take <= 0) return
    // Copy: the caller may reuse its buffer for the next chunk.
    this.carry.push(Buffer.from(bytes.subarray(start, start + take)))
    this.carryBytes += take
  }

  private feed(text: string, no: number, trigger: boolean): void {
    if (no !== this.fedUpTo + 1) this.sink.gap()
    this.sink.line(text, no, trigger)
    this.fedUpTo = no
  }

  private rememberTail(line: TailLine): void {
    this.tail.push(line)
    if (this.tail.length > CONTEXT) this.tail.shift()
  }

  /** Feeds the remembered lines among the CONTEXT lines before line `no` that have not been fed yet. */
  private feedTailBefore(no: number): void {
    for (const line of this.tail) {
      if (line.no > this.fedUpTo && line.no >= no - CONTEXT && line.no < no) this.feed(line.text, line.no, false)
    }
  }

  /** A whole line that was split across chunks. */
  private single(line: Buffer): void {
    const no = ++this.lineNo
    const text = decode(line, 0, line.length)
    if (pickLines(line, 0, line.length).length > 0) {
      this.feedTailBefore(no)
      this.feed(text, no, true)
      this.wantedThrough = Math.max(this.wantedThrough, no + CONTEXT)
    } else if (no <= this.wantedThrough) {
      this.feed(text, no, false)
    }
    this.rememberTail({no, text})
  }

  private region(bytes: Buffer, start: number, end: number): void {
    const picks = pickLines(bytes, start, end)
    let cursor = start
    let cursorLine = this.lineNo
    let pickIndex = 0
    // Feeds lines from the cursor while they are wanted; each pick fed wants CONTEXT more after it.
    const feedWanted = (): void => {
      while (cursor < end && cursorLine < this.wantedThrough) {
        const lineEnd = bytes.indexOf(NEWLINE, cursor)
        const trigger = picks[pickIndex] === cursor
        cursorLine++
        if (trigger) {
          pickIndex++
          this.wantedThrough = Math.max(this.wantedThrough, cursorLine + CONTEXT)
        }
        this.feed(decode(bytes, cursor, lineEnd), cursorLine, trigger)
        cursor = lineEnd + 1
      }
    }
    // First the lines a pick near the end of the previous chunk still wants.
    feedWanted()
    while (pickIndex < picks.length) {
      const pick = picks[pickIndex] as number
      // Up to CONTEXT lines before the pick, not before what was fed already.
      let from = pick
      let back = 0
      while (back < CONTEXT && from > cursor) {
        from = previousLineStart(bytes, from, cursor)
        back++
      }
      cursorLine += countNewlines(bytes, cursor, from)
      cursor = from
      const pickLine = cursorLine + back + 1
      // The context reaches back into the previous chunk: those lines are in the tail.
      if (from === start && back < CONTEXT) this.feedTailBefore(pickLine)
      this.wantedThrough = Math.max(this.wantedThrough, pickLine)
      feedWanted()
      // feedWanted always reaches the pick; should it not, move on rather than loop for ever.
      if (picks[pickIndex] === pick) pickIndex++
    }
    cursorLine += countNewlines(bytes, cursor, end)
    this.lineNo = cursorLine
    // Remember the last CONTEXT lines as text, for a pick at the start of the next chunk.
    let from = end
    const lines: TailLine[] = []
    for (let no = cursorLine; lines.length < CONTEXT && from > start; no--) {
      const lineStart = previousLineStart(bytes, from, start)
      lines.unshift({no, text: decode(bytes, lineStart, from - 1)})
      from = lineStart
    }
    for (const line of lines) this.rememberTail(line)
  }
}
