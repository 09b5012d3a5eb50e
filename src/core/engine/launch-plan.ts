import {createReadStream} from 'node:fs'
import type Docker from 'dockerode'
import type {Recorder} from '../notebook/recorder.js'
import {readHead, walkTar} from '../tree/tar-walk.js'
import {type ConfirmRequest, statusCode, withTimeout} from './docker-api.js'
import {inspectContainer, type RunPlan} from './launch.js'

/** What `docker save` wrote into a tarball: the image IDs a daemon may know it by, and its tags. */
export interface TarImage {
  /** `sha256:<config digest>` (the ID on the classic store) from manifest.json. */
  readonly configId?: string
  /** `sha256:<manifest or index digest>` (the ID on the containerd store) from index.json. */
  readonly indexId?: string
  readonly repoTags: readonly string[]
}

/** Reads manifest.json and index.json of a `docker save` tarball without loading it. */
export async function readTarImage(tarPath: string): Promise<TarImage> {
  let manifest: {Config?: string; RepoTags?: string[] | null}[] = []
  let index: {manifests?: {digest?: string}[]} = {}
  await walkTar(createReadStream(tarPath), async (header, body) => {
    if (header.name !== 'manifest.json' && header.name !== 'index.json') return
    const text = (await readHead(body, 1 << 20)).toString('utf8')
    try {
      if (header.name === 'manifest.json') manifest = JSON.parse(text) as typeof manifest
      else index = JSON.parse(text) as typeof index
    } catch {
      // not docker save's layout: the load itself will say what it is
    }
  })
  const config = manifest[0]?.Config
  const hex = config === undefined ? undefined : /([0-9a-f]{64})/.exec(config)?.[1]
  const indexDigest = index.manifests?.[0]?.digest
  return {
    ...(hex === undefined ? {} : {configId: `sha256:${hex}`}),
    ...(indexDigest === undefined ? {} : {indexId: indexDigest}),
    repoTags: manifest[0]?.RepoTags ?? [],
  }
}

async function imageId(docker: Docker, ref: string, rec: Recorder): Promise<string | undefined> {
  try {
    return await rec.call('api', ['GET', `/images/${ref}/json`], () => withTimeout(docker.getImage(ref).inspect(), 15_000, 'image inspect'), (i) => i.Id).then((i) => i.Id)
  } catch (error) {
    if (statusCode(error) === 404) return undefined
    throw error
  }
}

/** True when the daemon keeps images in containerd (`/info` DriverStatus driver-type io.containerd.snapshotter…). */
async function containerdStore(docker: Docker, rec: Recorder): Promise<boolean> {
  const info = (await rec.call('api', ['GET', '/info'], () => withTimeout(docker.info() as Promise<{DriverStatus?: [string, string][]}>, 15_000, 'info'), (i) => JSON.stringify(i.DriverStatus ?? []))) as {DriverStatus?: [string, string][]}
  return (info.DriverStatus ?? []).some(([k, v]) => k === 'driver-type' && v.startsWith('io.containerd.snapshotter'))
}

/** Everything Launch will change, decided from read-only calls, before anything is changed. */
export interface LaunchPlan {
  /** bin/engine.tar to load; absent when its image is already in the daemon (or nothing is loaded). */
  readonly load?: string
  /** The image ID the dev tag is to point at, when it is known before loading. */
  readonly imageId?: string
  /** True when the dev tag has to be (re)set. */
  readonly tag: boolean
  readonly tagSource: string
  readonly existing?: Docker.ContainerInspectInfo
  /** The existing container already runs the image: nothing to replace. */
  readonly reuse: boolean
  readonly run: RunPlan
  /** The exact commands, in order; empty when nothing changes. */
  readonly commands: readonly string[]
}

export interface PlanInput {
  readonly docker: Docker
  readonly rec: Recorder
  readonly run: RunPlan
  /** bin/engine.tar, or undefined to start the image already tagged. */
  readonly tar?: string
  readonly reuseRunning: boolean
}

export async function planLaunch(input: PlanInput): Promise<LaunchPlan> {
  const {docker, rec, run} = input
  const tagged = await imageId(docker, run.image, rec)
  let present = tagged
  let tagSource = run.image
  let load: string | undefined
  if (input.tar !== undefined) {
    const inTar = await readTarImage(input.tar)
    present = undefined
    for (const id of [inTar.configId, inTar.indexId]) {
      if (id !== undefined && present === undefined) present = await imageId(docker, id, rec)
    }
    if (present === undefined) load = input.tar
    // The ID docker load will report: the classic store names an image by its config digest, the
    // containerd store by its manifest (index) digest.
    const store = load === undefined ? undefined : await containerdStore(docker, rec)
    const loadedId = store === true ? (inTar.indexId ?? inTar.configId) : (inTar.configId ?? inTar.indexId)
    tagSource = present ?? inTar.repoTags[0] ?? loadedId ?? 'the image docker load reports'
  }
  const tag = input.tar !== undefined && (load !== undefined || tagged !== present)
  const existing = await inspectContainer(docker, run.name, rec)
  const reuse = input.reuseRunning && load === undefined && present !== undefined && existing?.State.Running === true && existing.Image === present
  const commands = [
    ...(load === undefined ? [] : [`docker load -i ${load}`]),
    ...(tag ? [`docker tag ${tagSource} ${run.image}`] : []),
    ...(reuse || existing === undefined ? [] : [`docker rm -fv ${run.name}`]),
    ...(reuse ? [] : [run.argv.join(' ')]),
  ]
  return {...(load === undefined ? {} : {load}), ...(present === undefined ? {} : {imageId: present}), tag, tagSource, ...(existing === undefined ? {} : {existing}), reuse, run, commands}
}

/** The whole plan as one request to approve: every change is in `commands`, nothing runs before the answer. */
export function launchRequest(plan: LaunchPlan): ConfirmRequest {
  const {run, existing} = plan
  const parts = [
    ...(plan.load === undefined ? [] : ['load bin/engine.tar']),
    ...(plan.tag ? [`tag it as ${run.image}`] : []),
    ...(plan.reuse ? [] : existing === undefined ? [`start ${run.name} as a privileged container`] : [`replace the existing ${run.name} (${existing.State.Status}, image ${existing.Config.Image}) with a new privileged one`]),
  ]
  const text = parts.join(', ')
  const why = [
    ...(plan.tag ? [`The tag ${run.image} moves to the new image.`] : []),
    ...(existing === undefined || plan.reuse ? [] : [`Only one container can be named ${run.name}; removing it stops whatever runs on it. The named volume ${run.volume} (the engine's cache) is kept.`]),
    ...(plan.reuse ? [] : [`The Dagger engine runs its own containers (cgroups, mounts, networking), so it needs --privileged: full access to this host's devices and kernel. Its cache lives in the volume ${run.volume}.`]),
  ]
  return {action: `${text.charAt(0).toUpperCase()}${text.slice(1)}`, commands: plan.commands, why: why.join(' ')}
}
