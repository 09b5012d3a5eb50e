import type Docker from 'dockerode'
import {tmpdir} from 'node:os'
import type {CellContext, CellTuning} from '../../src/cells/cell.js'
import {cellContext, defaultSettings} from '../../src/cells/context.js'
import {dockerService} from '../../src/core/docker/service.js'
import type {Recorder} from '../../src/core/notebook/recorder.js'
import type {Settings} from '../../src/core/settings.js'
import type {CellId, CellResult} from '../../src/core/types.js'

/** A cell context as the Session builds one: default settings with `settings` over them, the Docker service resolved from `env`. */
export function testContext(input: {
  env: NodeJS.ProcessEnv
  notesDir?: string
  recorder?: Recorder
  signal?: AbortSignal
  previous?: ReadonlyMap<CellId, CellResult>
  settings?: Partial<Settings>
  tuning?: CellTuning
}): Promise<CellContext> {
  const notesDir = input.notesDir ?? tmpdir()
  return cellContext({
    env: input.env,
    settings: defaultSettings({notesDir, cwd: process.cwd(), ...input.settings}),
    ...(input.recorder === undefined ? {} : {recorder: input.recorder}),
    ...(input.signal === undefined ? {} : {signal: input.signal}),
    ...(input.previous === undefined ? {} : {previous: input.previous}),
    ...(input.tuning === undefined ? {} : {tuning: input.tuning}),
  })
}

/** A client from the one Docker service, as cells and commands get theirs. */
export async function dockerClient(env: NodeJS.ProcessEnv = process.env, timeoutMs?: number): Promise<Docker> {
  return (await dockerService(env)).client(timeoutMs)
}
