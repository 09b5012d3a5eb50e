/**
Image references as a build log shows them: inside registry API URLs (manifest, blob and token
requests) and in step names (`resolve image config for X`, `pull X`, `FROM X`). Names are normalised
the way docker does (`golang:1.21` is `docker.io/library/golang:1.21`) so that `diagnose` gets
references it can use as they are.
*/

/** The API hosts that stand for the `docker.io` name. */
// `registry.docker.io` is the token service name Docker Hub's challenge gives.
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'registry-1.docker.io', 'index.docker.io', 'registry.hub.docker.com', 'registry.docker.io', 'auth.docker.io'])

const NAME_COMPONENT = String.raw`[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*`
const TAG = String.raw`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`
const FULL_DIGEST = /^sha256:[a-f0-9]{64}$/

/** The registry name for an API host: Docker Hub's hosts are all `docker.io`. */
export function registryNameForHost(host: string): string {
  const lower = host.toLowerCase()
  return DOCKER_HUB_HOSTS.has(lower) ? 'docker.io' : lower
}

/** `host[:port]` as written in a URL, without the default HTTPS port. */
export function hostOfUrl(url: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#\s]*@)?(\[[^\]]+\]|[^/:?#\s]+)(?::(\d+))?/i.exec(url)
  if (!m) return null
  const host = (m[1] ?? '').toLowerCase()
  const port = m[2]
  return port !== undefined && port !== '443' ? `${host}:${port}` : host
}

export type RegistryCall = 'ping' | 'manifest' | 'blob' | 'token' | 'http'

export interface RegistryUrl {
  readonly call: RegistryCall
  readonly host: string
  /** `registry/repository`, e.g. `docker.io/library/golang`, when the URL names one. */
  readonly repository: string | null
  /** Tag or digest for a manifest; a complete digest for a blob. */
  readonly reference: string | null
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** Reads what a registry API URL asks for. Unknown URLs come back as plain `http` calls. */
export function parseRegistryUrl(url: string): RegistryUrl | null {
  const host = hostOfUrl(url)
  if (host === null) return null
  const registry = registryNameForHost(host)
  const pathAndQuery = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*/i, '')
  const [rawPath = '', query = ''] = pathAndQuery.split('?', 2)
  const path = safeDecode(rawPath)
  const api = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path)
  if (api) {
    const repository = `${registry}/${api[1] ?? ''}`
    const ref = api[3] ?? ''
    if (api[2] === 'manifests') return {call: 'manifest', host, repository, reference: ref}
    return {call: 'blob', host, repository, reference: FULL_DIGEST.test(ref) ? ref : null}
  }
  if (/^\/v2\/?$/.test(path)) return {call: 'ping', host, repository: null, reference: null}
  // CDN blob URLs (`/registry-v2/docker/registry/v2/blobs/sha256/1b/<digest>/data`) name no repository.
  if (/\/blobs\/sha256[:/]/.test(path)) return {call: 'blob', host, repository: null, reference: null}
  const params = new URLSearchParams(query)
  if (params.has('scope') || params.has('service') || /\/token\/?$/.test(path)) {
    const scope = params.get('scope') ?? ''
    const m = /^repository:([^:]+):/.exec(scope)
    const service = params.get('service')
    const scopeRegistry = service ? registryNameForHost(service) : registry
    return {call: 'token', host, repository: m ? `${scopeRegistry}/${m[1] ?? ''}` : null, reference: null}
  }
  return {call: 'http', host, repository: null, reference: null}
}

/** The image reference a registry URL stands for: `repo:tag`, `repo@digest` or the bare repository. */
export function refOfRegistryUrl(parsed: RegistryUrl): string | null {
  if (parsed.repository === null) return null
  if (parsed.reference === null) return parsed.repository
  return parsed.reference.includes(':') ? `${parsed.repository}@${parsed.reference}` : `${parsed.repository}:${parsed.reference}`
}

const REFERENCE = new RegExp(
  String.raw`^(?:((?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+(?::\d+)?|[a-zA-Z0-9-]+:\d+|localhost)/)?(${NAME_COMPONENT}(?:/${NAME_COMPONENT})*)(?::(${TAG}))?(?:@(sha256:[a-f0-9]{64}))?$`,
)

/** Docker's normalisation of a reference, or null when the text is not one. */
export function normalizeImageRef(text: string): string | null {
  const m = REFERENCE.exec(text.trim())
  if (!m) return null
  const domain = m[1] === undefined ? 'docker.io' : registryNameForHost(m[1])
  let path = m[2] ?? ''
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`
  const tag = m[3] === undefined ? '' : `:${m[3]}`
  const digest = m[4] === undefined ? '' : `@${m[4]}`
  return `${domain}/${path}${tag}${digest}`
}

/** The repository part of a normalised reference (no tag, no digest). */
export function repositoryOf(ref: string): string {
  const at = ref.indexOf('@')
  const base = at === -1 ? ref : ref.slice(0, at)
  const slash = base.lastIndexOf('/')
  const colon = base.lastIndexOf(':')
  return colon > slash ? base.slice(0, colon) : base
}

// Step names and messages that name the image they work on.
const IMAGE_MENTIONS =
  /(pull access denied for|resolve image config for|load metadata for|failed to resolve source metadata for|manifest for|\bpull(?:ing)?|\bfrom|\bFROM)\s+(?:\[[^\]]*\]\s+)?["']?([A-Za-z0-9][A-Za-z0-9._/:@-]*[A-Za-z0-9])/g

/** Image references a line names in a step title or message, normalised. */
export function imageRefsInLine(text: string): string[] {
  const found: string[] = []
  for (const m of text.matchAll(IMAGE_MENTIONS)) {
    const candidate = (m[2] ?? '').replace(/[,:]+$/, '')
    // `from` and `pull` are ordinary English words: there, require a tag, a digest or a slash.
    if (/^(?:pull|pulling|from|FROM)$/.test(m[1] ?? '') && !/[:/@]/.test(candidate)) continue
    const ref = normalizeImageRef(candidate)
    if (ref !== null && !found.includes(ref)) found.push(ref)
  }
  return found
}
