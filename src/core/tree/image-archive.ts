import {posix} from 'node:path'
import {readLayer, type CapturePolicy} from './layer-reader.js'
import {normalizePath, openBlob, readHead, walkTar} from './tar-walk.js'
import type {ImageConfigSummary, ImageLayers, LayerData} from './types.js'

/** JSON documents of an image archive are small; anything bigger is not metadata. */
const JSON_LIMIT = 16 * 1024 * 1024

export interface ArchiveOptions {
  readonly capture?: CapturePolicy
  /** `os/arch` to pick from a multi-platform index; defaults to linux and this machine's architecture. */
  readonly platform?: string
  /** A repo tag to pick when the archive holds several images. */
  readonly tag?: string
}

interface Descriptor {
  readonly digest?: string
  readonly mediaType?: string
  readonly platform?: {architecture?: string; os?: string; variant?: string}
  readonly annotations?: Record<string, string>
}

const GO_ARCH: Record<string, string> = {x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64'}

export function hostPlatform(): string {
  return `linux/${GO_ARCH[process.arch] ?? process.arch}`
}

function blobPath(digest: string): string {
  const [alg, hex] = digest.split(':')
  return `blobs/${alg}/${hex}`
}

function digestOfPath(path: string): string | undefined {
  const match = /^blobs\/([a-z0-9]+)\/([a-f0-9]+)$/.exec(path)
  return match ? `${match[1]}:${match[2]}` : undefined
}

function summarizeConfig(json: unknown): ImageConfigSummary | undefined {
  if (typeof json !== 'object' || json === null) return undefined
  const doc = json as {config?: {Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null}; architecture?: string; os?: string}
  const c = doc.config ?? {}
  return {
    ...(Array.isArray(c.Entrypoint) ? {entrypoint: c.Entrypoint} : {}),
    ...(Array.isArray(c.Cmd) ? {cmd: c.Cmd} : {}),
    ...(Array.isArray(c.Env) ? {env: c.Env} : {}),
    ...(doc.architecture ? {architecture: doc.architecture} : {}),
    ...(doc.os ? {os: doc.os} : {}),
  }
}

/**
Reads an image archive as `GET /images/{name}/get` (or `docker save`) produces it, in either layout:
the classic store's `manifest.json` + `<id>/layer.tar`, or the containerd store's OCI layout
(`index.json`, `blobs/sha256/…`, gzip, zstd or plain layers). Entries arrive in whatever order the
daemon writes them (the classic `manifest.json` comes last), so every layer is parsed as it streams
by and the order is settled at the end from the manifest.
*/
export async function readImageArchive(input: NodeJS.ReadableStream, options: ArchiveOptions = {}): Promise<ImageLayers> {
  const layers = new Map<string, LayerData>()
  const documents = new Map<string, unknown>()
  const symlinks = new Map<string, string>()

  await walkTar(input, async (header, body) => {
    const path = normalizePath(header.name)
    if (header.type === 'symlink' && header.linkname) {
      // Newer classic saves make `<id>/layer.tar` a symlink to the blob.
      symlinks.set(path, posix.normalize(posix.join(posix.dirname(path), header.linkname)))
      return
    }
    if (header.type !== 'file' && header.type !== 'contiguous-file') return
    const isLayerCandidate = path.endsWith('/layer.tar') || path.startsWith('blobs/') || path.endsWith('.tar') || path.endsWith('.tar.gz')
    if (!isLayerCandidate) {
      if (path.endsWith('.json') || path === 'repositories' || path === 'oci-layout') {
        if ((header.size ?? 0) <= JSON_LIMIT) documents.set(path, parseJson(await readHead(body, JSON_LIMIT)))
      }
      return
    }
    const blob = await openBlob(body)
    if (blob.kind === 'json') {
      if ((header.size ?? 0) <= JSON_LIMIT) documents.set(path, parseJson(await readHead(blob.stream, JSON_LIMIT)))
      else blob.stream.resume()
      return
    }
    if (blob.kind === 'gzip' || blob.kind === 'zstd' || blob.kind === 'none') {
      layers.set(path, await readLayer(blob.stream, digestOfPath(path) ?? path, blob.kind, options.capture))
      return
    }
    blob.stream.resume()
    await new Promise((resolve) => blob.stream.on('end', resolve))
  })

  const resolveLayer = (path: string): LayerData => {
    const seen = new Set<string>()
    let p = normalizePath(path)
    while (!layers.has(p) && symlinks.has(p) && !seen.has(p)) {
      seen.add(p)
      p = symlinks.get(p) ?? p
    }
    const layer = layers.get(p)
    if (!layer) throw new Error(`The image archive lists the layer ${path} but does not contain it, or it is not a tar.`)
    return layer
  }

  const manifest = documents.get('manifest.json')
  if (Array.isArray(manifest) && manifest.length > 0) {
    const entries = manifest as {Config?: string; RepoTags?: string[] | null; Layers?: string[]}[]
    const entry = (options.tag ? entries.find((e) => e.RepoTags?.includes(options.tag ?? '')) : undefined) ?? entries[0]
    if (entry === undefined) throw new Error('The image archive has an empty manifest.json.')
    const configDoc = entry.Config ? documents.get(normalizePath(entry.Config)) : undefined
    const layout = documents.has('index.json') || documents.has('oci-layout') ? 'oci' : 'docker-classic'
    const config = summarizeConfig(configDoc)
    return {
      layout,
      layers: (entry.Layers ?? []).map(resolveLayer),
      ...(config ? {config} : {}),
      tags: entries.flatMap((e) => e.RepoTags ?? []),
    }
  }

  const index = documents.get('index.json')
  if (index !== undefined) return resolveOci(index, documents, resolveLayer, options)
  throw new Error('This is not an image archive: it has neither manifest.json nor index.json.')
}

function parseJson(buffer: Buffer): unknown {
  try {
    return JSON.parse(buffer.toString('utf8'))
  } catch {
    return undefined
  }
}

function resolveOci(
  index: unknown,
  documents: ReadonlyMap<string, unknown>,
  resolveLayer: (path: string) => LayerData,
  options: ArchiveOptions,
): ImageLayers {
  const want = options.platform ?? hostPlatform()
  const tags: string[] = []
  const visit = (doc: unknown, depth: number): {manifest: {config?: Descriptor; layers?: Descriptor[]}} | undefined => {
    if (depth > 4 || typeof doc !== 'object' || doc === null) return undefined
    const d = doc as {manifests?: Descriptor[]; layers?: Descriptor[]; config?: Descriptor}
    if (Array.isArray(d.layers)) return {manifest: d}
    if (!Array.isArray(d.manifests)) return undefined
    for (const m of d.manifests) {
      const name = m.annotations?.['io.containerd.image.name'] ?? m.annotations?.['org.opencontainers.image.ref.name']
      if (name && depth === 0) tags.push(name)
    }
    const present = d.manifests.filter((m) => m.digest && documents.has(blobPath(m.digest)))
    const ranked = [
      ...present.filter((m) => m.platform && `${m.platform.os}/${m.platform.architecture}` === want),
      ...present.filter((m) => !m.platform),
      ...present,
    ]
    for (const m of ranked) {
      const found = visit(documents.get(blobPath(m.digest ?? '')), depth + 1)
      if (found && (found.manifest.layers ?? []).every((l) => l.digest)) {
        try {
          ;(found.manifest.layers ?? []).forEach((l) => resolveLayer(blobPath(l.digest ?? '')))
          return found
        } catch {
          // This platform's layers are not in the archive; try the next manifest.
        }
      }
    }
    return undefined
  }
  const found = visit(index, 0)
  if (!found) throw new Error(`The OCI image archive has no manifest for ${want} whose layers it contains.`)
  const configDoc = found.manifest.config?.digest ? documents.get(blobPath(found.manifest.config.digest)) : undefined
  const config = summarizeConfig(configDoc)
  return {
    layout: 'oci',
    layers: (found.manifest.layers ?? []).map((l) => resolveLayer(blobPath(l.digest ?? ''))),
    ...(config ? {config} : {}),
    tags,
  }
}

/** A container's filesystem export (`GET /containers/{id}/export`) is one flat layer. */
export async function readContainerExport(input: NodeJS.ReadableStream, options: ArchiveOptions = {}): Promise<ImageLayers> {
  const layer = await readLayer(input, 'container', 'none', options.capture)
  return {layout: 'container-export', layers: [layer], tags: []}
}
