/**
Shared vocabulary of the notebook. Everything a cell produces is plain data of these shapes, so the
TUI, `--plain`, `--json` and the markdown session log all render the same results.
*/

/** The fixed set of finding states, worst last. */
export const STATUSES = ['pass', 'skipped', 'warn', 'fail', 'crashed'] as const
export type Status = (typeof STATUSES)[number]

export interface Finding {
  /** Stable, kebab-case identifier, e.g. `docker-socket-missing`. */
  readonly id: string
  readonly status: Status
  /** One line, present tense for problems ("Can't reach the Docker daemon"), past participle for passes. */
  readonly title: string
  /** Plain-language "why": what was seen and what it means. Required for every non-pass finding. */
  readonly detail?: string
  /** What to do about it. Required for every non-pass finding. */
  readonly fix?: string
  /** A documentation link. */
  readonly docs?: string
  /** Name of a recipe in `recipes/` that carries out the fix. */
  readonly recipe?: string
}

/** One command run, or one API call made, by a cell: the notebook shows each of them. */
export interface CommandRecord {
  /** `exec` for a child process, `api` for a Docker Engine API call, `file` for a file read. */
  readonly kind: 'exec' | 'api' | 'file'
  /** For exec: the argument vector. For api: method and path, e.g. `['GET', '/_ping']`. For file: `['cat', path]`. */
  readonly argv: readonly string[]
  /** Exit code of a process; for api and file 0 on success, 1 on failure. null when it never finished. */
  readonly exitCode: number | null
  /** Combined output, already sanitised (escape sequences stripped, secrets redacted). */
  readonly output: string
  readonly startedAt: string
  readonly durationMs: number
  /**
  Set when this record stands for a run of identical calls in a row (a poll): how many, when the last
  one started and how long the run took from the first start to the last end. `output` is the last
  call's output (what a caller reading the latest record expects); `firstOutput` the first one's
  when it differs.
  */
  readonly repeat?: CommandRepeat
}

export interface CommandRepeat {
  readonly count: number
  readonly lastStartedAt: string
  readonly spanMs: number
  readonly firstOutput?: string
}

/** A labelled fact the cell learned (OS, kernel, endpoint...), shown as a small table. */
export interface Fact {
  readonly label: string
  readonly value: string
}

/**
The notebook's cells by id, each with the data it hands later cells (`undefined`: none). A new cell's
id is one line here; later cells read that data by type (cells/cell.ts `earlierData`), never by a
fact's label or a finding's id.
*/
export interface CellDataMap {
  readonly environment: undefined
  readonly daemon: {
    /** The title of the finding on a raised max-concurrent-downloads, when the daemon config raises it. */
    readonly concurrencyRaised?: string
  }
  readonly registry: {
    /** Titles of the failing and warning findings, for the Build cell's verdict. */
    readonly problems: readonly string[]
  }
  readonly build: {
    /** Image references the explainer found in a failed build, for the Registry cell to probe. */
    readonly registryRefs: readonly string[]
  }
  readonly launch: undefined
  readonly components: undefined
  readonly debugger: undefined
}

export type CellId = keyof CellDataMap

export interface CellResult {
  readonly cell: CellId
  readonly title: string
  readonly status: Status
  readonly startedAt: string
  readonly durationMs: number
  readonly facts: readonly Fact[]
  readonly findings: readonly Finding[]
  readonly commands: readonly CommandRecord[]
  /** Path of a sidecar file with long raw output, relative to the session log. */
  readonly sidecars?: readonly string[]
  /** Set when the user declined this run's action (the action's words): such a run never replaces the cell's result. */
  readonly declined?: string
  /** What the cell hands later cells (typed per cell in cells/cell.ts's CellDataMap); kept in memory, not in the log. */
  readonly data?: unknown
  /** An interactive view the UI can open on this result (e.g. the Components explorer), named by its kind. */
  readonly view?: CellView
}

/** A view a cell's result offers; the cell layer adds the payload for each kind. */
export interface CellView {
  readonly kind: string
}

/** Worst status among findings; a cell with no findings passed, one with only skipped findings was skipped. */
export function worstStatus(findings: readonly Pick<Finding, 'status'>[]): Status {
  if (findings.length === 0) return 'pass'
  let worst: Status = 'pass'
  let allSkipped = true
  for (const f of findings) {
    if (f.status !== 'skipped') allSkipped = false
    if (STATUSES.indexOf(f.status) > STATUSES.indexOf(worst)) worst = f.status
  }
  if (allSkipped) return 'skipped'
  return worst === 'skipped' ? 'pass' : worst
}

/** Exit code convention of every command: 0 passed (warnings allowed), 1 a check found a problem. */
export function exitCodeFor(statuses: readonly Status[]): 0 | 1 {
  return statuses.some((s) => s === 'fail' || s === 'crashed') ? 1 : 0
}

/** A destructive step, described exactly as it will run, for the user to approve. */
export interface ConfirmRequest {
  /** One line, e.g. "Replace the running dagger-engine.dev". */
  readonly action: string
  /** The equivalent commands, shown verbatim. */
  readonly commands: readonly string[]
  /** Why it is needed and what is lost. */
  readonly why: string
}

/** Asks the user; resolves false when declined. Absent where nobody can be asked (then only --yes approves). */
export type Confirm = (request: ConfirmRequest) => Promise<boolean>
