import type {CellEntry} from '../../cells/registry.js'
import {cellLines, type Line} from '../cell-lines.js'
import {INTRO} from '../guide.js'
import {wrapLine} from '../wrap.js'
import {latestResult} from './history.js'
import {shownRun, type NotebookState} from './state.js'

const time = (iso: string) => iso.slice(11, 19)

/** The line above a cell's result that says which run is shown and what else there is. */
function historyLines(s: NotebookState, entry: CellEntry): Line[] {
  const runs = s.history.get(entry.id) ?? []
  const shown = shownRun(s, entry.id)
  if (runs.length === 0 || !shown.run) return []
  const lines: Line[] = []
  const latest = latestResult(runs)
  const last = runs.at(-1)
  if (!s.viewing.has(entry.id) && last?.declined) {
    lines.push({text: `Declined at ${time(last.startedAt)}: ${last.declined}.`, status: 'skipped', bold: true})
    lines.push({text: latest ? `The result below is from the run at ${time(latest.startedAt)}; declining never replaces it.` : 'No earlier run of this cell has a result; below is what the declined run found.', dim: true})
  } else if (shown.run.declined) lines.push({text: `Declined: ${shown.run.declined}.`, status: 'skipped', bold: true})
  if (runs.length > 1) {
    const what = shown.index === runs.length - 1 ? 'the latest' : shown.index === shown.latest ? 'the latest result' : 'an earlier run'
    const keys = [...(shown.index > 0 ? ['[ earlier'] : []), ...(shown.index < runs.length - 1 ? ['] later'] : [])].join(', ')
    lines.push({text: `Run ${shown.index + 1} of ${runs.length} (${what}; ${keys})`, dim: true})
  }
  return lines.length > 0 ? [...lines, {text: ''}] : []
}

/** The rows of the notebook's pane for the current state, wrapped to its width. */
export function paneLines(s: NotebookState, width: number): Line[] {
  const entry = s.cells[s.selected] as CellEntry
  let raw: Line[]
  if (s.guide === 'intro') raw = INTRO.map((text, i) => ({text, ...(i === 0 ? {bold: true} : {})}))
  else {
    const banner: Line[] = s.offer ? [{text: s.offer.headline, bold: true}, {text: s.offer.keys, dim: true}, {text: ''}] : []
    const result = shownRun(s, entry.id).run
    raw = [...banner, ...historyLines(s, entry), ...cellLines(entry, result, s.notes.get(entry.id) ?? [], s.running === entry.id)]
  }
  return raw.flatMap((l) => wrapLine(l, width))
}
