import type {DockerService} from '../core/docker/service.js'
import type {Recorder} from '../core/notebook/recorder.js'
import type {BuildViewModel} from '../core/engine/build-view-model.js'
import type {Settings} from '../core/settings.js'
import type {CellDataMap, CellId, CellResult, CellView, Confirm} from '../core/types.js'

export type {CellDataMap} from '../core/types.js'
import type {Checklist} from '../core/tree/components.js'
import type {TreeInspection} from '../core/tree/inspect.js'

/**
Knobs tests and the lab use to point cells at lab fixtures instead of the public defaults; the
command line never sets them.
*/
export interface CellTuning {
  /** Registry: references that replace the dev-build list (so Docker Hub is never probed). */
  readonly registryRefs?: string
  /** Registry: per-layer timeout (default 5 s; the Docker timeout is for Docker calls, not registries). */
  readonly registryTimeoutMs?: number
  /** Registry: parallel attempts, capped at 16. */
  readonly attempts?: number
  /** Registry: `os/arch` to probe for. */
  readonly platform?: string
  /** Components: the era layout to check against instead of the detected one. */
  readonly era?: string
  /** Debugger: the engine container and image instead of dagger-engine.dev's. */
  readonly engineContainer?: string
  readonly engineImage?: string
}

/** What a cell gets to work with. Everything it does goes through the recorder so every mode shows it. */
export interface CellContext {
  readonly settings: Settings
  /** The working directory the session started in (never `process.cwd()` inside cells). */
  readonly cwd: string
  /** Where the engine cells look for the dagger checkout: `--dagger-src`, else the working directory. */
  readonly checkout: string
  /** The Docker daemon of this session, resolved once. */
  readonly docker: DockerService
  readonly env: NodeJS.ProcessEnv
  readonly recorder: Recorder
  readonly signal: AbortSignal
  /** Latest results of the cells that already ran in this session, by id; read their data with `earlierData`. */
  readonly previous: ReadonlyMap<CellId, CellResult>
  /** Folder of the session log; a cell writes sidecar files (long raw output) here. */
  readonly notesDir: string
  readonly tuning: CellTuning
  /** Asks the user to approve a destructive step (the TUI shows a prompt); absent in plain and JSON runs. */
  readonly confirm?: Confirm
  /** Hands the UI a live view of long work (the build's output) while the cell runs; absent outside the TUI. */
  readonly live?: (view: LiveView) => void
}

export type LiveView =
  | {readonly kind: 'build'; readonly view: BuildViewModel}
  /** A long wait: what for, elapsed of the limit, and the last log line (the UI shows one line). */
  | {readonly kind: 'progress'; readonly waitingFor: string; readonly elapsedMs: number; readonly limitMs: number; readonly lastLine?: string}

/** What the Components explorer needs after the cell ran: the UI mounts `TreeExplorer` with these. */
export interface ComponentsView extends CellView {
  readonly kind: 'components'
  readonly inspection: TreeInspection
  readonly checklist: Checklist
  /** For the explorer's `o`: the first 64 kB of a file of the target, as text. */
  readonly readFile: (path: string) => Promise<string | undefined>
}

/** What `run` may return beside what it recorded. */
export interface CellOutput<K extends CellId> {
  readonly data?: CellDataMap[K]
  readonly view?: CellView
}

export interface CellDefinition<K extends CellId = CellId> {
  readonly id: K
  /** Runs the checks, recording commands, facts and findings. Throwing makes the cell `crashed`. */
  run(ctx: CellContext): Promise<CellOutput<K> | void>
}

/** The data an earlier run of cell `id` handed on, typed by the cell it came from. */
export function earlierData<K extends CellId>(ctx: Pick<CellContext, 'previous'>, id: K): CellDataMap[K] | undefined {
  return ctx.previous.get(id)?.data as CellDataMap[K] | undefined
}

/** The Components explorer a result offers, if it offers one. */
export function componentsView(result: CellResult | undefined): ComponentsView | undefined {
  return result?.view?.kind === 'components' ? (result.view as ComponentsView) : undefined
}

/** Wraps a confirm so an answer of no is recorded as this run's decline (`recorder.declined`). */
export function confirmRecordingDeclines(confirm: Confirm | undefined, recorder: Recorder): Confirm | undefined {
  if (confirm === undefined) return undefined
  return async (request) => {
    const approved = await confirm(request)
    if (!approved) recorder.declined(request.action)
    return approved
  }
}
