import type {BuildOutput} from './build-output.js'

/** A line of the output view: its absolute number, text, and where the search query matched it. */
export interface ViewLine {
  readonly number: number
  readonly text: string
  readonly match?: {readonly start: number; readonly end: number}
  readonly current: boolean
}

export interface BuildViewFrame {
  readonly summary: string
  readonly lines: readonly ViewLine[]
  readonly following: boolean
  /** e.g. "lines 1,201–1,220 of 200,000 (last 5,000 kept)". */
  readonly position: string
  readonly query: string
  readonly searching: boolean
  readonly matchCount: number
  /** 1-based index of the current match, 0 when none. */
  readonly matchIndex: number
}

/**
The state of the live build view without any Ink: what part of the bounded output is on screen,
whether it follows new lines, and the search. Keys map to methods; `frame(height)` is what to draw.
*/
export class BuildViewModel {
  /** Absolute number of the top line when not following: anchored to the text, so a paused view stays put while old lines are dropped. */
  private topNumber = 1
  following = true
  query = ''
  /** True while the user types a query after `/`. */
  searching = false
  private matches: number[] = []
  private matchCursor = -1
  private matchedAtTotal = -1
  private matchedQuery = ''

  constructor(readonly output: BuildOutput) {}

  private maxTop(height: number): number {
    return Math.max(0, this.output.ring.length - height)
  }

  /** Ring index of the top line, clamped to what the ring still holds. */
  private topIndex(height: number): number {
    if (this.following) return this.maxTop(height)
    return Math.min(Math.max(0, this.topNumber - this.output.ring.firstNumber), this.maxTop(height))
  }

  private setTopIndex(index: number, height: number): void {
    const clamped = Math.min(Math.max(0, index), this.maxTop(height))
    this.topNumber = this.output.ring.firstNumber + clamped
  }

  scroll(delta: number, height: number): void {
    const next = this.topIndex(height) + delta
    this.setTopIndex(next, height)
    this.following = next >= this.maxTop(height)
  }

  pageUp(height: number): void {
    this.scroll(-height, height)
  }

  pageDown(height: number): void {
    this.scroll(height, height)
  }

  home(): void {
    this.topNumber = this.output.ring.firstNumber
    this.following = false
  }

  follow(): void {
    this.following = true
  }

  startSearch(): void {
    this.clearSearch(true)
  }

  typeSearch(text: string): void {
    this.query += text
  }

  backspaceSearch(): void {
    this.query = this.query.slice(0, -1)
  }

  cancelSearch(): void {
    this.clearSearch(false)
  }

  private clearSearch(typing: boolean): void {
    this.searching = typing
    this.query = ''
    this.matches = []
    this.matchCursor = -1
  }

  /** Ends typing and jumps to the last match (the most recent output is usually what you want). */
  submitSearch(height: number): void {
    this.searching = false
    this.refreshMatches()
    this.matchCursor = this.matches.length - 1
    this.jumpToMatch(height)
  }

  nextMatch(height: number): void {
    this.step(1, height)
  }

  previousMatch(height: number): void {
    this.step(-1, height)
  }

  private step(delta: number, height: number): void {
    if (this.query === '') return
    const currentAbs = this.matches[this.matchCursor]
    this.refreshMatches()
    if (this.matches.length === 0) return
    // Matches are absolute line numbers, so the cursor survives new lines and dropped old ones.
    let at = currentAbs === undefined ? -1 : this.matches.indexOf(currentAbs)
    if (at < 0) at = delta > 0 ? -1 : this.matches.length
    this.matchCursor = (at + delta + this.matches.length) % this.matches.length
    this.jumpToMatch(height)
  }

  private refreshMatches(): void {
    const ring = this.output.ring
    if (this.query === '') {
      this.matches = []
      return
    }
    if (this.matchedAtTotal === ring.total && this.matchedQuery === this.query) return
    const needle = this.query.toLowerCase()
    const out: number[] = []
    for (let i = 0; i < ring.length; i++) if ((ring.at(i) ?? '').toLowerCase().includes(needle)) out.push(ring.firstNumber + i)
    this.matches = out
    this.matchedAtTotal = ring.total
    this.matchedQuery = this.query
  }

  private jumpToMatch(height: number): void {
    const abs = this.matches[this.matchCursor]
    if (abs === undefined) return
    const index = abs - this.output.ring.firstNumber
    if (index < 0) return
    this.setTopIndex(index - Math.floor(height / 2), height)
    this.following = false
  }

  frame(height: number, now = Date.now()): BuildViewFrame {
    const ring = this.output.ring
    const h = Math.max(1, height)
    const top = this.topIndex(h)
    const needle = this.query.toLowerCase()
    const current = this.matches[this.matchCursor]
    const lines: ViewLine[] = ring.slice(top, top + h).map((text, k) => {
      const index = top + k
      const at = needle === '' ? -1 : text.toLowerCase().indexOf(needle)
      return {
        number: ring.firstNumber + index,
        text,
        ...(at < 0 ? {} : {match: {start: at, end: at + needle.length}}),
        current: ring.firstNumber + index === current,
      }
    })
    const fmt = (n: number): string => n.toLocaleString('en-US')
    const first = lines[0]?.number ?? 0
    const last = lines.at(-1)?.number ?? 0
    const kept = ring.total > ring.length ? ` (last ${fmt(ring.length)} kept; all in the sidecar file)` : ''
    return {
      summary: this.output.summaryLine(now),
      lines,
      following: this.following,
      position: ring.total === 0 ? 'no output yet' : `lines ${fmt(first)}–${fmt(last)} of ${fmt(ring.total)}${kept}`,
      query: this.query,
      searching: this.searching,
      matchCount: this.matches.length,
      matchIndex: this.matchCursor < 0 ? 0 : this.matchCursor + 1,
    }
  }
}
