import path from 'node:path'
import {DEFAULT_DOCKER_TIMEOUT_MS} from '../core/docker/client.js'
import {dockerService, type DockerService} from '../core/docker/service.js'
import {Recorder} from '../core/notebook/recorder.js'
import type {Settings} from '../core/settings.js'
import type {CellId, CellResult, Confirm} from '../core/types.js'
import type {CellContext, CellTuning, LiveView} from './cell.js'

/** Settings with every flag at its default: what a session gets with no options, and what tests start from. */
export function defaultSettings(values: Partial<Settings> & {readonly notesDir: string; readonly cwd: string}): Settings {
  return {plain: false, json: false, color: true, verbose: false, guided: false, resume: false, yes: false, dockerTimeoutMs: DEFAULT_DOCKER_TIMEOUT_MS, ...values}
}

export interface ContextInput {
  readonly settings: Settings
  readonly env: NodeJS.ProcessEnv
  /** The session's service; resolved here when absent (one context, one resolution). */
  readonly docker?: DockerService
  readonly signal?: AbortSignal
  readonly recorder?: Recorder
  readonly previous?: ReadonlyMap<CellId, CellResult>
  readonly tuning?: CellTuning
  readonly confirm?: Confirm
  readonly live?: (view: LiveView) => void
}

/** Builds the context a cell runs with; the Session makes one per run, tests make one per cell. */
export async function cellContext(input: ContextInput): Promise<CellContext> {
  const signal = input.signal ?? input.recorder?.signal ?? new AbortController().signal
  const {settings} = input
  return {
    settings,
    cwd: settings.cwd,
    checkout: settings.daggerSrc === undefined ? settings.cwd : path.resolve(settings.cwd, settings.daggerSrc),
    docker: input.docker ?? (await dockerService(input.env)),
    env: input.env,
    recorder: input.recorder ?? new Recorder(signal),
    signal,
    previous: input.previous ?? new Map(),
    notesDir: settings.notesDir,
    tuning: input.tuning ?? {},
    ...(input.confirm === undefined ? {} : {confirm: input.confirm}),
    ...(input.live === undefined ? {} : {live: input.live}),
  }
}
