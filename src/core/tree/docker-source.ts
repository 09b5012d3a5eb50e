import {DaggerExploreError, type ErrorAdvice} from '../errors.js'
import {EXIT} from '../io.js'
import type Docker from 'dockerode'
import {withDeadline} from '../deadline.js'
import {inspectImage} from '../docker/find-image.js'
import {readContainerExport, readImageArchive, type ArchiveOptions} from './image-archive.js'
import type {CapturePolicy} from './layer-reader.js'
import {normalizePath, readHead, walkTar} from './tar-walk.js'
import type {FileTree} from './file-tree.js'
import {resolvePath} from './resolve.js'
import {KIND, type ImageConfigSummary, type ImageLayers} from './types.js'
import {LOCAL_REFERENCE_FIX, localReferenceProblem} from '../registry/local-reference.js'

/** Metadata calls (inspect, exec set-up) answer quickly; streams may stay silent a while between chunks. */
export const INSPECT_TIMEOUT_MS = 10_000
export const STREAM_IDLE_TIMEOUT_MS = 60_000

export class TreeTargetError extends DaggerExploreError {
  override readonly name = 'TreeTargetError'
  constructor(
    message: string,
    /** `bad-name`: not a valid container name or image reference; `not-found`: Docker has nothing by that name (both bad usage, exit 2). */
    readonly reason: 'bad-name' | 'not-found' | 'docker' = 'docker',
    advice: ErrorAdvice = {},
  ) {
    super(message, {...(reason === 'docker' ? {} : {exitCode: EXIT.usage}), ...advice})
  }
}

/** Rejects when `promise` takes longer than `ms`; `what` names the call in the message. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withDeadline(promise, ms, () => new TreeTargetError(`${what} got no answer from Docker within ${Math.round(ms / 1000)} s.`))
}

export interface TreeTarget {
  readonly kind: 'image' | 'container'
  /** What the user typed. */
  readonly ref: string
  readonly id: string
  /** A readable name: the container name or the first tag. */
  readonly name: string
  /** For a container: whether it runs (versions can then be asked from the binaries). */
  readonly running: boolean
  /** For a container: the image it was created from. */
  readonly image?: string
  readonly config?: ImageConfigSummary
  /** The image's layer diff IDs, bottom first, from inspect. */
  readonly diffIds?: readonly string[]
}

function statusCode(error: unknown): number | undefined {
  const code = (error as {statusCode?: unknown}).statusCode
  return typeof code === 'number' ? code : undefined
}

function configSummary(c: {Entrypoint?: string[] | string | null; Cmd?: string[] | string | null; Env?: string[] | null} | undefined, arch?: string, os?: string): ImageConfigSummary {
  const list = (v: string[] | string | null | undefined): string[] | undefined => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : undefined)
  const entrypoint = list(c?.Entrypoint)
  const cmd = list(c?.Cmd)
  return {
    ...(entrypoint ? {entrypoint} : {}),
    ...(cmd ? {cmd} : {}),
    ...(c?.Env ? {env: c.Env} : {}),
    ...(arch ? {architecture: arch} : {}),
    ...(os ? {os} : {}),
  }
}

/**
Finds what `ref` names: a container (by name or ID) first, as `docker inspect` does, then an image.
`prefer` skips the other kind. Throws a TreeTargetError that reads as one paragraph when neither exists.
*/
export async function resolveTarget(docker: Docker, ref: string, prefer?: 'image' | 'container'): Promise<TreeTarget> {
  // Checked before the name reaches a URL: `..` or `/` would name another API path.
  const problem = localReferenceProblem(ref)
  if (problem !== undefined) throw new TreeTargetError(problem, 'bad-name', {fix: LOCAL_REFERENCE_FIX})
  if (prefer !== 'image') {
    try {
      const info = await within(docker.getContainer(ref).inspect(), INSPECT_TIMEOUT_MS, `Inspecting container ${ref}`)
      return {
        kind: 'container',
        ref,
        id: info.Id,
        name: info.Name.replace(/^\//, ''),
        running: info.State?.Running === true,
        image: info.Image,
        config: configSummary(info.Config as never),
      }
    } catch (error) {
      if (statusCode(error) !== 404) throw explainDockerError(error, ref)
    }
  }
  if (prefer !== 'container') {
    try {
      const info = await inspectImage(docker, ref, INSPECT_TIMEOUT_MS)
      return {
        kind: 'image',
        ref,
        id: info.Id,
        name: info.RepoTags?.[0] ?? info.Id,
        running: false,
        config: configSummary(info.Config as never, info.Architecture, info.Os),
        diffIds: info.RootFS?.Layers ?? [],
      }
    } catch (error) {
      if (statusCode(error) !== 404) throw explainDockerError(error, ref)
    }
  }
  const what = prefer === 'image' ? 'no image' : prefer === 'container' ? 'no container' : 'no container and no image'
  throw new TreeTargetError(`Docker has ${what} called "${ref}". Images are never pulled: a remote image must be pulled or built first.`, 'not-found', {
    fix: 'Give an image name or ID as `docker images` lists it (for the dev engine: localhost/dagger-engine.dev:latest), or a container name or ID from `docker ps -a` (the dev engine runs as dagger-engine.dev).',
  })
}

export function explainDockerError(error: unknown, ref: string): TreeTargetError {
  if (error instanceof TreeTargetError) return error
  const err = error as NodeJS.ErrnoException & {json?: {message?: string}}
  const message = err.json?.message ?? err.message ?? String(error)
  if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')
    return new TreeTargetError(`Can't reach the Docker daemon (${err.code}) to read ${ref}.`, 'docker', {fix: 'Start Docker, or check DOCKER_HOST and that you may use its socket.'})
  if (err.code === 'EACCES') return new TreeTargetError(`Permission denied on the Docker socket while reading ${ref}.`, 'docker', {fix: 'Add yourself to the docker group, or run where you may use Docker.'})
  return new TreeTargetError(`Docker failed while reading ${ref}: ${message.trim()}`)
}

export interface LoadOptions {
  readonly capture?: CapturePolicy
  readonly signal?: AbortSignal
}

/**
Streams the target's filesystem and parses it on the fly: an image through `GET /images/{id}/get`,
a container through `GET /containers/{id}/export`.
*/
export async function loadTarget(docker: Docker, target: TreeTarget, options: LoadOptions = {}): Promise<ImageLayers> {
  const what = target.kind === 'image' ? `Exporting image ${target.ref}` : `Exporting container ${target.ref}`
  const stream = (await within(
    target.kind === 'image' ? docker.getImage(target.id).get() : docker.getContainer(target.id).export(),
    INSPECT_TIMEOUT_MS * 3,
    what,
  )) as NodeJS.ReadableStream
  const abort = (): void => (stream as unknown as {destroy?: (e: Error) => void}).destroy?.(new Error('Cancelled.'))
  options.signal?.addEventListener('abort', abort, {once: true})
  try {
    const archiveOptions: ArchiveOptions = {...(options.capture ? {capture: options.capture} : {})}
    const image = target.kind === 'image' ? await readImageArchive(stream, archiveOptions) : await readContainerExport(stream, archiveOptions)
    // An image archive carries its own config; a container export has none, so inspect's is used.
    if (target.config && (target.kind === 'container' || !image.config)) return {...image, config: target.config}
    return image
  } catch (error) {
    throw explainDockerError(error, target.ref)
  } finally {
    options.signal?.removeEventListener('abort', abort)
  }
}

/** What was already read of the target: the layers and their merged view. */
export interface LoadedTree {
  readonly image: ImageLayers
  readonly tree: FileTree
}

/**
The first `limit` bytes of a file, or undefined when it is not a regular file of the target. With
the loaded tree, the path is resolved like the kernel would (symlinked folders followed), content
kept while streaming is used when it suffices, and a file that is not there costs nothing. Otherwise
a container's file comes from `GET /containers/{id}/archive`, and an image's from one more pass over
its export, keeping only that file of the layer that holds it.
*/
export async function readFileHead(docker: Docker, target: TreeTarget, path: string, limit: number, loaded?: LoadedTree): Promise<Buffer | undefined> {
  let wanted = normalizePath(path)
  let layerIndex: number | undefined
  if (loaded) {
    const {image, tree} = loaded
    let node = resolvePath(tree, wanted)
    if (node !== undefined && tree.kinds[node] === KIND.hardlink) node = tree.lookup(tree.links.get(node) ?? '')
    if (node === undefined || tree.kinds[node] !== KIND.file) return undefined
    wanted = tree.pathOf(node)
    layerIndex = tree.layers[node] ?? 0
    const hit = image.layers[layerIndex]?.captured.get(wanted)
    // What was kept is enough when it is the whole file or at least as much as asked for.
    if (hit && (hit.length >= limit || hit.length === tree.sizes[node])) return hit.subarray(0, limit)
  }
  if (target.kind === 'container') {
    const stream = (await within(docker.getContainer(target.id).getArchive({path: `/${wanted}`}), INSPECT_TIMEOUT_MS, `Reading /${wanted}`)) as NodeJS.ReadableStream
    let out: Buffer | undefined
    await walkTar(stream, async (header, body) => {
      if (out === undefined && header.type === 'file') out = await readHead(body, limit)
    })
    return out
  }
  const again = await loadTarget(docker, target, {capture: (p) => (p === wanted ? limit : 0)})
  if (layerIndex !== undefined) return again.layers[layerIndex]?.captured.get(wanted)
  for (let i = again.layers.length - 1; i >= 0; i--) {
    const layer = again.layers[i]
    const hit = layer?.captured.get(wanted)
    if (hit) return hit
    if (layer?.whiteouts.includes(wanted)) return undefined
  }
  return undefined
}
