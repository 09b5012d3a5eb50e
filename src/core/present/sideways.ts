import sliceAnsi from 'slice-ansi'
import stringWidth from 'string-width'

/**
The one way the app cuts a line that is wider than its room: the cell pane's commands and output,
the build log, the recipe view and the file viewer all end a cut row with MORE_MARK and, scrolled
sideways, start it with LESS_MARK, so a cut never drops text silently and looks the same everywhere.
Widths are terminal columns (a CJK character or an emoji takes two), and colours (ANSI) survive.
*/

/** Ends a row that was cut: there is more to the right. */
export const MORE_MARK = '…→'
/** Starts a row scrolled sideways: there is more to the left. */
export const LESS_MARK = '←…'

const MARK_WIDTH = 2

export interface CutRow {
  readonly text: string
  /** Set only on a row that was cut: the whole line, for a sideways scroll or an open view. */
  readonly full?: string
}

/** Columns [from, from + take) of `text`, never wider than `take` (a wide character at the edge stays out). */
function columns(text: string, from: number, take: number): string {
  let end = from + take
  let slice = sliceAnsi(text, from, end)
  while (end > from && stringWidth(slice) > take) slice = sliceAnsi(text, from, --end)
  return slice
}

/**
One row of a line seen from column `offset` (a sideways scroll), at most `room` columns wide: text hidden
on the left is marked with LESS_MARK (which covers the columns it stands on), text hidden on the right
with MORE_MARK. Offsets past the widest line are the views' to clamp (`shiftBy`), so the rows of one view
stay aligned; at that clamp the widest line's last window ends at its end, unmarked on the right.
*/
export function sideways(text: string, offset: number, room: number): CutRow {
  const width = stringWidth(text)
  const start = Math.max(0, Math.floor(offset))
  const w = Math.max(0, Math.floor(room))
  if (start === 0 && width <= w) return {text}
  if (w <= MARK_WIDTH) return {text: (start > 0 ? LESS_MARK : MORE_MARK).slice(0, w), full: text}
  const left = start > 0 ? LESS_MARK : ''
  const lead = start > 0 ? MARK_WIDTH : 0
  const from = start + lead
  if (from >= width) return {text: left, full: text}
  const rightCut = width - from > w - lead
  const take = w - lead - (rightCut ? MARK_WIDTH : 0)
  // No room for text between both marks: the left one alone says the row was scrolled.
  if (take < 1) return {text: left, full: text}
  return {text: `${left}${columns(text, from, take)}${rightCut ? MORE_MARK : ''}`, full: text}
}

/** `text` cut to `width` columns with MORE_MARK when wider; the cut row keeps the whole text in `full`. */
export function cutRow(text: string, width: number): CutRow {
  return sideways(text, 0, width)
}

/** True when any of the lines is wider than `room`: the view then offers ←/→. */
export function anyWider(lines: readonly string[], room: number): boolean {
  return lines.some((l) => stringWidth(l) > room)
}

/** The next sideways offset for ←/→ (h/l), in steps of a quarter of the room; 0 is the left edge. */
export function shiftBy(offset: number, direction: 1 | -1, room: number, widest: number): number {
  const step = Math.max(4, Math.floor(room / 4))
  return Math.max(0, Math.min(offset + direction * step, Math.max(0, widest - room)))
}

export function widestOf(lines: readonly string[]): number {
  return lines.reduce((m, l) => Math.max(m, stringWidth(l)), 0)
}
