import type Docker from 'dockerode'
import type {Recorder} from '../notebook/recorder.js'
import {sanitize} from '../notebook/sanitize.js'
import {type Approval, approve, dockerMessage, statusCode, withTimeout} from './docker-api.js'
import {BOOTSTRAP_PREFIX, DEV_ENGINE_NAME, DEV_IMAGE_REPO, devNames, RELEASE_IMAGE_REPO} from './names.js'

/** `bootstrap`: started by a released CLI (`dagger-engine-…`); `custom`: a dagger engine image under another name (a custom runner, left alone). */
export type EngineKind = 'dev' | 'bootstrap' | 'custom'

export interface EngineContainer {
  readonly id: string
  readonly name: string
  readonly kind: EngineKind
  readonly image: string
  readonly imageId: string
  /** running, exited, created… */
  readonly state: string
  /** Docker's human status, e.g. "Up 11 minutes". */
  readonly status: string
  readonly createdAt: string
  readonly ageSeconds: number
  /** Volumes mounted, as `name-or-source:destination`. */
  readonly volumes: readonly string[]
  /** True when `_EXPERIMENTAL_DAGGER_RUNNER_HOST` points at this container. */
  readonly pointedAt: boolean
}

/**
The container name `_EXPERIMENTAL_DAGGER_RUNNER_HOST` points at, for the container-style schemes
(`docker-container://`, `container://`, `container+docker://`) and `image://…?container=`.
*/
export function runnerContainerName(host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined
  const m = /^(?:docker-container|container(?:\+docker)?):\/\/([^/?#]+)/.exec(host)
  if (m) return decodeURIComponent(m[1] ?? '')
  if (/^(?:docker-image|image(?:\+docker)?):\/\//.test(host)) {
    const q = host.indexOf('?')
    if (q >= 0) return new URLSearchParams(host.slice(q + 1)).get('container') ?? undefined
  }
  return undefined
}

export function engineKind(name: string, image: string, env: NodeJS.ProcessEnv = {}): EngineKind | undefined {
  const dev = devNames(env)
  if (name === DEV_ENGINE_NAME || name === dev.container || image.startsWith(DEV_IMAGE_REPO) || image.startsWith(dev.imageRepo)) return 'dev'
  if (name.startsWith(BOOTSTRAP_PREFIX)) return 'bootstrap'
  if (image.startsWith(`${RELEASE_IMAGE_REPO}:`) || image.startsWith(`${RELEASE_IMAGE_REPO}@`)) return 'custom'
  return undefined
}

/** `3d`, `5h`, `12m`, `40s`. */
export function ageText(seconds: number): string {
  if (seconds >= 86_400) return `${Math.floor(seconds / 86_400)}d`
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h`
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m`
  return `${Math.max(0, Math.floor(seconds))}s`
}

/** Every engine container on the daemon: the dev one and the bootstrap ones the released CLIs start. */
export async function listEngines(docker: Docker, env: NodeJS.ProcessEnv, rec: Recorder, now = Date.now()): Promise<EngineContainer[]> {
  const all = await rec.call('api', ['GET', '/containers/json?all=1'], () => withTimeout(docker.listContainers({all: true}), 15_000, 'container list'), (list) =>
    list.map((c) => `${(c.Names[0] ?? '').replace(/^\//, '')} ${c.Image} ${c.State}`).join('\n'),
  )
  const target = runnerContainerName(env._EXPERIMENTAL_DAGGER_RUNNER_HOST)
  const out: EngineContainer[] = []
  for (const c of all) {
    const name = sanitize((c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''))
    const kind = engineKind(name, c.Image, env)
    if (kind === undefined) continue
    const created = c.Created * 1000
    out.push({
      id: c.Id,
      name,
      kind,
      image: sanitize(c.Image),
      imageId: c.ImageID,
      state: c.State,
      status: sanitize(c.Status),
      createdAt: new Date(created).toISOString(),
      ageSeconds: Math.round((now - created) / 1000),
      volumes: (c.Mounts ?? []).map((m) => `${m.Name ?? m.Source}:${m.Destination}`),
      pointedAt: target !== undefined && target === name,
    })
  }
  // Dev engine first, then bootstrap, then custom ones, newest first within each.
  const order: Record<EngineKind, number> = {dev: 0, bootstrap: 1, custom: 2}
  return out.sort((a, b) => order[a.kind] - order[b.kind] || a.ageSeconds - b.ageSeconds)
}

export interface CleanPlan {
  readonly remove: readonly EngineContainer[]
  readonly keep: readonly EngineContainer[]
  readonly commands: readonly string[]
}

/**
Bootstrap engines go, matched by name as dagger's own clean-up does; the dev engine only when
`includeDev` (never without asking for it); custom runners never.
*/
export function planClean(engines: readonly EngineContainer[], includeDev = false): CleanPlan {
  const remove = engines.filter((e) => e.kind === 'bootstrap' || (includeDev && e.kind === 'dev'))
  const keep = engines.filter((e) => !remove.includes(e))
  return {remove, keep, commands: remove.map((e) => `docker rm -fv ${e.name}`)}
}

export interface RemoveOutcome {
  readonly name: string
  readonly removed: boolean
  readonly error?: string
}

/** Removes the planned containers (force, and their anonymous volumes: `rm -fv`) after approval. */
export async function removeEngines(docker: Docker, plan: CleanPlan, approval: Approval, rec: Recorder): Promise<{approved: boolean; outcomes: RemoveOutcome[]}> {
  if (plan.remove.length === 0) return {approved: true, outcomes: []}
  const pointed = plan.remove.find((e) => e.pointedAt)
  const ok = await approve(approval, {
    action: `Remove ${plan.remove.length} engine container${plan.remove.length === 1 ? '' : 's'}: ${plan.remove.map((e) => e.name).join(', ')}`,
    commands: plan.commands,
    why: `Old engines hold memory, disk and their cache volumes; dagger itself removes them this way when it starts a new one.${pointed ? ` Your environment still points at ${pointed.name}.` : ''}`,
  })
  if (!ok) return {approved: false, outcomes: []}
  const outcomes: RemoveOutcome[] = []
  for (const e of plan.remove) {
    try {
      await rec.call('api', ['DELETE', `/containers/${e.name}?force=1&v=1`], () => withTimeout(docker.getContainer(e.id).remove({force: true, v: true}), 30_000, 'container remove'), () => 'removed')
      outcomes.push({name: e.name, removed: true})
    } catch (error) {
      outcomes.push({name: e.name, removed: statusCode(error) === 404, error: sanitize(dockerMessage(error))})
    }
  }
  return {approved: true, outcomes}
}

/** Stops the dev engine (its container and volume stay, `engine start` brings it back). */
export async function stopDevEngine(docker: Docker, rec: Recorder, env: NodeJS.ProcessEnv = {}): Promise<'stopped' | 'not-running' | 'missing'> {
  const name = devNames(env).container
  try {
    await rec.call('api', ['POST', `/containers/${name}/stop?t=10`], () => withTimeout(docker.getContainer(name).stop({t: 10}), 30_000, 'container stop'), () => 'stopped')
    return 'stopped'
  } catch (error) {
    const code = statusCode(error)
    if (code === 304) return 'not-running'
    if (code === 404) return 'missing'
    throw new Error(`Could not stop ${name}: ${sanitize(dockerMessage(error))}`)
  }
}
