import {DEV_ENGINE_NAME, DEV_IMAGE_REPO, DEV_IMAGE_TAG} from '../engine/names.js'
import type Docker from 'dockerode'
import {sanitize} from '../notebook/sanitize.js'
import {checkComponents, componentCapture, withVersions, type Checklist} from './components.js'
import {loadTarget, resolveTarget, within, INSPECT_TIMEOUT_MS, type TreeTarget} from './docker-source.js'
import type {FileTree} from './file-tree.js'
import {mergeLayers} from './merge.js'
import type {ImageLayers} from './types.js'
import {execInContainer, versionLine, type ExecOutcome} from './versions.js'

export const DEV_ENGINE_CONTAINER = DEV_ENGINE_NAME
export const DEV_ENGINE_IMAGE = `${DEV_IMAGE_REPO}:${DEV_IMAGE_TAG}`
export const VERSION_TIMEOUT_MS = 5000

export interface TreeInspection {
  readonly target: TreeTarget
  readonly image: ImageLayers
  /** The merged view of every layer. */
  readonly tree: FileTree
  readonly checklist: Checklist
  readonly durationMs: number
}

export interface InspectOptions {
  readonly prefer?: 'image' | 'container'
  /** Compare with this era's layout instead of the detected one. */
  readonly era?: string
  readonly signal?: AbortSignal
}

/** Reads an image or container and checks it against the engine layout of its era. */
export async function inspectTarget(docker: Docker, ref: string, options: InspectOptions = {}): Promise<TreeInspection> {
  const started = Date.now()
  const target = await resolveTarget(docker, ref, options.prefer)
  const image = await loadTarget(docker, target, {capture: componentCapture(), ...(options.signal ? {signal: options.signal} : {})})
  const tree = mergeLayers(image.layers)
  const checklist = checkComponents(image, tree, options.era)
  return {target, image, tree, checklist, durationMs: Date.now() - started}
}

/**
The default target: the dev engine container when it runs, else the dev engine image; undefined
when neither exists.
*/
export async function defaultEngineTarget(
  docker: Docker,
  names: {container: string; image: string} = {container: DEV_ENGINE_CONTAINER, image: DEV_ENGINE_IMAGE},
): Promise<{ref: string; prefer: 'image' | 'container'} | undefined> {
  try {
    const info = await within(docker.getContainer(names.container).inspect(), INSPECT_TIMEOUT_MS, `Inspecting ${names.container}`)
    if (info.State?.Running) return {ref: names.container, prefer: 'container'}
  } catch {
    // Not there, or not running: the image is next.
  }
  try {
    await within(docker.getImage(names.image).inspect(), INSPECT_TIMEOUT_MS, `Inspecting ${names.image}`)
    return {ref: names.image, prefer: 'image'}
  } catch {
    return undefined
  }
}

/**
Asks the binaries of a running engine container for their versions (`runc --version`,
`dagger version`…), each with a deadline. `onExec` sees every command, for the notebook's record.
*/
export async function collectVersions(
  docker: Docker,
  target: TreeTarget,
  checklist: Checklist,
  options: {timeoutMs?: number; onExec?: (argv: readonly string[], outcome: ExecOutcome | Error) => void} = {},
): Promise<Checklist> {
  if (target.kind !== 'container' || !target.running) return checklist
  const versions = new Map<string, string>()
  for (const item of checklist.items) {
    if (!item.versionCommand || item.state === 'missing') continue
    try {
      const outcome = await execInContainer(docker, target.id, item.versionCommand, options.timeoutMs ?? VERSION_TIMEOUT_MS)
      options.onExec?.(item.versionCommand, outcome)
      if (outcome.timedOut) versions.set(item.id, `(no answer within ${Math.round((options.timeoutMs ?? VERSION_TIMEOUT_MS) / 1000)} s; ${outcome.killed?.stopped === false ? `could not be killed: ${outcome.killed.how}` : 'killed in the container'})`)
      else if (outcome.exitCode === 0) versions.set(item.id, sanitize(versionLine(outcome.output)))
      else versions.set(item.id, `(exit ${outcome.exitCode}: ${sanitize(versionLine(outcome.output)).slice(0, 120)})`)
    } catch (error) {
      options.onExec?.(item.versionCommand, error instanceof Error ? error : new Error(String(error)))
      versions.set(item.id, `(could not run: ${sanitize(error instanceof Error ? error.message : String(error)).slice(0, 120)})`)
    }
  }
  return withVersions(checklist, versions)
}
