import type {Recorder} from '../core/notebook/recorder.js'
import type {BuildViewModel} from '../core/engine/build-view-model.js'
import type {CellId, CellResult, Confirm} from '../core/types.js'

/** What a cell gets to work with. Everything it does goes through the recorder so every mode shows it. */
export interface CellContext {
  readonly env: NodeJS.ProcessEnv
  readonly recorder: Recorder
  readonly signal: AbortSignal
  /** Results of the cells that already ran in this session, by id. */
  readonly previous: ReadonlyMap<CellId, CellResult>
  /** Folder of the session log; a cell writes sidecar files (long raw output) here. */
  readonly notesDir: string
  /** Options given on the command line that cells may read (e.g. `daggerSrc`, `timeoutMs`). */
  readonly options: Readonly<Record<string, string | number | boolean | undefined>>
  /** Asks the user to approve a destructive step (the TUI shows a prompt); absent in plain and JSON runs. */
  readonly confirm?: Confirm
  /** Hands the UI a live view of long work (the build's output) while the cell runs; absent outside the TUI. */
  readonly live?: (view: LiveView) => void
}

export type LiveView =
  | {readonly kind: 'build'; readonly view: BuildViewModel}
  /** A long wait: what for, elapsed of the limit, and the last log line (the UI shows one line). */
  | {readonly kind: 'progress'; readonly waitingFor: string; readonly elapsedMs: number; readonly limitMs: number; readonly lastLine?: string}

export interface CellDefinition {
  readonly id: CellId
  readonly title: string
  /** One sentence: what this cell checks. */
  readonly summary: string
  /** Runs the checks, recording commands, facts and findings. Throwing makes the cell `crashed`. */
  run(ctx: CellContext): Promise<void>
}
