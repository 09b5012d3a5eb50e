/** The tree's keys, most used first; the change keys (a m r u) and the layer keys ([ ]) sit on the legend line. */
export const TREE_HINTS = ['↑↓ move', 'space fold', '/ filter', 'n N next component', 'o open file', 'c/e fold all', 'x J export text/JSON'] as const
/** An open file's keys. */
export const FILE_HINTS = ['↑↓ j/k PgUp/PgDn scroll', '←→ h/l sideways'] as const

/**
A footer of `width` columns: the position (and a message), the keys that fit in their order, and the
way out, which always stays: at 60 or 80 columns the later keys give way, never `q`. A message too
long for the row is cut with `…` before the way out.
*/
export function footerLine(position: string, hints: readonly string[], out: string, width: number): string {
  const tail = ` · ${out}`
  const head = position.length + tail.length > width ? `${position.slice(0, Math.max(1, width - tail.length - 1))}…` : position
  const shown: string[] = []
  for (const hint of hints) if ([head, ...shown, hint].join(' · ').length + tail.length <= width) shown.push(hint)
  return `${[head, ...shown].join(' · ')}${tail}`
}
