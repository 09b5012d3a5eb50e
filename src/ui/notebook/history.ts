import type {CellId, CellResult} from '../../core/types.js'

/**
One run of a cell as the notebook keeps it. `declined` is the contract's field on CellResult (the
cells lane adds it to core/types.ts); it is read through this type so the notebook works on a branch
where the field is not declared yet.
*/
export type Run = CellResult & {readonly declined?: string}

export type History = ReadonlyMap<CellId, readonly Run[]>

/** What a session offers about earlier runs: the real Session has `history(id)` (oldest first). */
export interface HistorySource {
  readonly results: ReadonlyMap<CellId, CellResult>
  history?(id: CellId): readonly CellResult[]
}

/** Every run the session already holds (a resumed one), else its latest result per cell. */
export function historyFrom(source: HistorySource, ids: readonly CellId[]): Map<CellId, readonly Run[]> {
  const map = new Map<CellId, readonly Run[]>()
  for (const id of ids) {
    const runs = source.history?.(id) ?? (source.results.has(id) ? [source.results.get(id) as CellResult] : [])
    if (runs.length > 0) map.set(id, runs)
  }
  return map
}

/** The latest result that was not a decline: a declined action never replaces what was found. */
export function latestResult(runs: readonly Run[] | undefined): Run | undefined {
  if (!runs) return undefined
  for (let i = runs.length - 1; i >= 0; i--) if (!(runs[i] as Run).declined) return runs[i]
  return undefined
}

/** Adds a run: always a new entry, never in place of an earlier one. */
export function withRun(history: History, run: Run): Map<CellId, readonly Run[]> {
  return new Map(history).set(run.cell, [...(history.get(run.cell) ?? []), run])
}
