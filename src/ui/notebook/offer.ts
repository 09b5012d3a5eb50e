import {STATUS_LABEL} from '../../core/notebook/markdown.js'
import type {CellResult} from '../../core/types.js'
import type {CellEntry} from '../../cells/registry.js'

/**
The guided run's banner under a finished cell: a one-line headline and the keys. The fix itself is
in the cell pane right below it, so the banner never repeats it.
*/
export interface Offer {
  readonly headline: string
  readonly keys: string
  /** Index of the cell Enter continues to; undefined after the last one (Enter opens the summary). */
  readonly next?: number
}

export function offerFor(result: CellResult, next: CellEntry | undefined, nextIndex: number): Offer {
  const label = `${result.title}: ${STATUS_LABEL[result.status]}.`
  if (!next) return {headline: `${label} That was the last step: Enter shows the summary.`, keys: 'Esc stops guiding.'}
  const blocker = result.findings.find((f) => f.status === 'fail' || f.status === 'crashed')
  if (!blocker) return {headline: label, keys: `Enter continues to ${next.title}, Esc stops guiding.`, next: nextIndex}
  const recipe = blocker.recipe ? `, R opens the recipe ${blocker.recipe}` : ''
  return {
    headline: `${result.title} found a problem that blocks ${next.title}: ${blocker.title}.`,
    keys: `Enter continues to ${next.title} anyway, r re-runs${recipe}, Esc stops guiding.`,
    next: nextIndex,
  }
}
