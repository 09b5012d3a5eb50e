import {DaggerExploreError} from '../errors.js'
/** Manifest media types and the platform choice a puller makes from an index. */

/** containerd's Accept list for a resolve (remotes/docker/resolver.go). */
export const MANIFEST_ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  '*/*',
].join(', ')

const INDEX_TYPES = new Set(['application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.oci.image.index.v1+json'])

export interface Platform {
  readonly os: string
  readonly architecture: string
  readonly variant?: string
}

export class PlatformError extends DaggerExploreError {
  override readonly name = 'PlatformError'
}

/** Parses `os/arch[/variant]`. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split('/')
  const [os, architecture, variant] = parts
  if (parts.length < 2 || parts.length > 3 || !os || !architecture || !/^[a-z0-9_-]+$/.test(os) || !/^[a-z0-9_-]+$/.test(architecture)) {
    throw new PlatformError(`"${text}" is not a platform of the form os/arch[/variant].`, {fix: 'Write it as os/arch, e.g. linux/amd64 or linux/arm64/v8.'})
  }
  return {os, architecture, ...(variant ? {variant} : {})}
}

/** The platform of this machine in OCI terms. */
export function hostPlatform(): Platform {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch
  return arch === 'arm' ? {os: 'linux', architecture: 'arm', variant: 'v7'} : {os: 'linux', architecture: arch}
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`
}

interface Descriptor {
  mediaType?: string
  digest?: string
  size?: number
  platform?: {os?: string; architecture?: string; variant?: string}
}

export interface ParsedManifest {
  readonly kind: 'index' | 'image' | 'schema1' | 'unknown'
  readonly mediaType: string
  readonly children: readonly Descriptor[]
  readonly layers: readonly {digest: string; size: number}[]
}

export function isIndexType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_TYPES.has(mediaType.split(';')[0]?.trim() ?? '')
}

export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let data: {mediaType?: string; manifests?: Descriptor[]; layers?: Descriptor[]; config?: Descriptor; fsLayers?: {blobSum?: string}[]; schemaVersion?: number}
  try {
    data = JSON.parse(body.toString('utf8')) as typeof data
  } catch {
    return {kind: 'unknown', mediaType: contentType ?? '', children: [], layers: []}
  }
  const mediaType = (data.mediaType ?? contentType ?? '').split(';')[0]?.trim() ?? ''
  if (Array.isArray(data.manifests)) return {kind: 'index', mediaType, children: data.manifests, layers: []}
  if (data.schemaVersion === 1 && Array.isArray(data.fsLayers)) {
    const layers = data.fsLayers.flatMap((l) => (typeof l.blobSum === 'string' ? [{digest: l.blobSum, size: 0}] : []))
    return {kind: 'schema1', mediaType, children: [], layers}
  }
  const layers = (data.layers ?? []).flatMap((l) => (typeof l.digest === 'string' ? [{digest: l.digest, size: typeof l.size === 'number' ? l.size : 0}] : []))
  if (layers.length === 0 && data.config?.digest) layers.push({digest: data.config.digest, size: data.config.size ?? 0})
  return {kind: 'image', mediaType, children: [], layers}
}

/** Picks the index entry for a platform; arm64 matches v8 or no variant, as containerd's matcher does. */
export function selectPlatform(children: readonly Descriptor[], want: Platform): Descriptor | undefined {
  const candidates = children.filter((c) => c.platform?.os === want.os && c.platform?.architecture === want.architecture && typeof c.digest === 'string')
  if (want.variant) {
    const exact = candidates.find((c) => c.platform?.variant === want.variant)
    if (exact) return exact
    if (want.architecture === 'arm64' && want.variant === 'v8') return candidates.find((c) => !c.platform?.variant)
    return undefined
  }
  return candidates.find((c) => !c.platform?.variant || (want.architecture === 'arm64' && c.platform.variant === 'v8')) ?? candidates[0]
}

export function listPlatforms(children: readonly Descriptor[]): string[] {
  return children.flatMap((c) => (c.platform?.os && c.platform.architecture ? [formatPlatform({os: c.platform.os, architecture: c.platform.architecture, ...(c.platform.variant ? {variant: c.platform.variant} : {})})] : []))
}
