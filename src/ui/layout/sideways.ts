import sliceAnsi from 'slice-ansi'
import stringWidth from 'string-width'

/** What marks a cut: a line never loses text without showing that it did. */
export const CUT_MARK = '…'

/**
One row of a line that may be wider than its room, seen from column `offset` (sideways scroll):
a cut on either side is marked with `…`, so nothing is dropped silently. Styles (ANSI) survive.
*/
export function sideways(text: string, offset: number, room: number): string {
  const width = stringWidth(text)
  if (room <= 1) return width > 0 ? CUT_MARK : ''
  const start = Math.max(0, offset)
  if (start === 0 && width <= room) return text
  // Scrolled past the end of this line: only the mark says that text lies to the left.
  if (start >= width) return width > 0 ? CUT_MARK : ''
  // The left mark covers column `start`, so the text shown begins one column later.
  const left = start > 0 ? CUT_MARK : ''
  const from = start + left.length
  const rightCut = width - from > room - left.length
  const take = room - left.length - (rightCut ? 1 : 0)
  return `${left}${sliceAnsi(text, from, from + take)}${rightCut ? CUT_MARK : ''}`
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
