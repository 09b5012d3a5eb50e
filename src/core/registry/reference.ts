import {DaggerExploreError, type ErrorAdvice} from '../errors.js'
/**
Image references normalised the way the docker CLI and moby do it (distribution/reference
`ParseNormalizedNamed`): short names live on Docker Hub under `library/`, `index.docker.io` is the
legacy spelling of `docker.io`, and `docker.io` is a name whose API is served by `registry-1.docker.io`.
*/

export const DOCKER_HUB_NAME = 'docker.io'
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io'
/** The key docker keeps Docker Hub credentials under in config.json. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/'

export interface ImageReference {
  /** What the user typed. */
  readonly input: string
  /** Fully qualified name as docker prints it, e.g. `docker.io/library/golang:1.21.3-alpine3.18`. */
  readonly canonical: string
  /** Registry name: `docker.io`, `gcr.io`, `localhost:5000`, `127.0.0.1:5443`. */
  readonly domain: string
  /** Host the API is served from (no port, no brackets). */
  readonly host: string
  readonly port: number
  /** `host:port` as used in `certs.d` folder names and URLs (brackets kept for IPv6 literals, port left out when 443). */
  readonly authority: string
  readonly repository: string
  readonly tag?: string
  readonly digest?: string
  /** Tag or digest to ask the manifest endpoint for (digest wins, like docker). */
  readonly reference: string
  readonly isDockerHub: boolean
}

/** What every invalid reference calls for; the message says which part is wrong. */
export const REFERENCE_FIX = 'Write it as [registry/]name[:tag][@digest], e.g. "alpine:3.18" or "gcr.io/distroless/static-debian12".'

export class ImageReferenceError extends DaggerExploreError {
  override readonly name = 'ImageReferenceError'
  constructor(message: string, advice: ErrorAdvice = {}) {
    super(message, {fix: REFERENCE_FIX, ...advice})
  }
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/
const DIGEST_HEX: Record<string, number> = {sha256: 64, sha384: 96, sha512: 128}
/** distribution/reference's NameTotalLengthMax: registry and path together, without tag or digest. */
const NAME_MAX = 255
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/

/** Text with its control characters shown (`\u001b`), so an escape cannot make a name look valid. */
export function visibleControls(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/**
The user's text in quotes as messages show it: control characters written out, so a reference
carrying an escape is not cleaned by the terminal filter into one that looks valid; very long input cut.
*/
export function quoteInput(input: string): string {
  const visible = visibleControls(input)
  return `"${visible.length > 80 ? `${visible.slice(0, 60)}…` : visible}"`
}

function splitDomain(name: string): {domain: string; remainder: string} {
  const slash = name.indexOf('/')
  const first = slash === -1 ? '' : name.slice(0, slash)
  // Same test as distribution/reference: a first component is a registry only if it looks like a host.
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    return {domain: DOCKER_HUB_NAME, remainder: name}
  }
  return {domain: first, remainder: name.slice(slash + 1)}
}

function parseDomain(domain: string, input: string): {host: string; port: number} {
  let host = domain
  let portText: string | undefined
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']')
    if (close === -1) throw new ImageReferenceError(`${quoteInput(input)} has an unterminated IPv6 address in its registry part.`)
    host = domain.slice(1, close)
    const rest = domain.slice(close + 1)
    if (rest !== '' && !rest.startsWith(':')) throw new ImageReferenceError(`${quoteInput(input)} has an invalid registry part ${quoteInput(domain)}.`)
    portText = rest === '' ? undefined : rest.slice(1)
  } else {
    const colon = domain.lastIndexOf(':')
    if (colon !== -1) {
      host = domain.slice(0, colon)
      portText = domain.slice(colon + 1)
    }
    if (!host.split('.').every((part) => DOMAIN_COMPONENT.test(part))) {
      throw new ImageReferenceError(`${quoteInput(input)} has an invalid registry host ${quoteInput(host)}.`)
    }
  }
  let port = 443
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new ImageReferenceError(`${quoteInput(input)} has an invalid port ${quoteInput(portText)}.`)
    }
    port = Number(portText)
  }
  return {host, port}
}

/** Parses and normalises a reference; throws `ImageReferenceError` with a readable message on bad input. */
export function parseReference(input: string): ImageReference {
  const text = input.trim()
  if (text === '') throw new ImageReferenceError('An empty image reference was given.')
  if (/\s/.test(text)) throw new ImageReferenceError(`${quoteInput(input)} contains whitespace; an image reference has none.`)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new ImageReferenceError(`${quoteInput(input)} is a URL, not an image reference.`, {fix: 'Give an image reference without the scheme, such as "alpine:3.18" or "gcr.io/distroless/static-debian12".'})
  }

  let rest = text
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at !== -1) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) throw new ImageReferenceError(`${quoteInput(input)} has an invalid digest ${quoteInput(digest)} (expected e.g. sha256:<64 hex>).`)
    // go-digest, which Docker uses, knows these three algorithms only (md5: is "unsupported digest algorithm").
    const algorithm = digest.slice(0, digest.indexOf(':'))
    const hexLength = DIGEST_HEX[algorithm]
    if (hexLength === undefined) {
      throw new ImageReferenceError(`${quoteInput(input)} has a digest with the algorithm "${algorithm}", which Docker does not accept: it takes sha256, sha384 or sha512.`)
    }
    if (!new RegExp(`^${algorithm}:[a-f0-9]{${hexLength}}$`).test(digest)) {
      throw new ImageReferenceError(`${quoteInput(input)} has an invalid ${algorithm} digest: it must be ${hexLength} lowercase hex characters.`)
    }
  }
  let tag: string | undefined
  const lastSlash = rest.lastIndexOf('/')
  const lastColon = rest.lastIndexOf(':')
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1)
    rest = rest.slice(0, lastColon)
    if (!TAG.test(tag)) throw new ImageReferenceError(`${quoteInput(input)} has an invalid tag ${quoteInput(tag)}.`)
  }

  if (rest.length > NAME_MAX) throw new ImageReferenceError(`${quoteInput(input)} has a name of ${rest.length} characters; Docker accepts at most ${NAME_MAX}.`)
  let {domain, remainder} = splitDomain(rest)
  if (domain === 'index.docker.io') domain = DOCKER_HUB_NAME
  const isDockerHub = domain === DOCKER_HUB_NAME
  if (isDockerHub && !remainder.includes('/')) remainder = `library/${remainder}`
  if (remainder === '') throw new ImageReferenceError(`${quoteInput(input)} has no repository name.`)
  if (remainder.toLowerCase() !== remainder) throw new ImageReferenceError(`${quoteInput(input)}: repository names must be lowercase.`)
  if (!remainder.split('/').every((part) => PATH_COMPONENT.test(part))) {
    throw new ImageReferenceError(`${quoteInput(input)} has an invalid repository name ${quoteInput(remainder)}.`)
  }

  const {host, port} = isDockerHub ? {host: DOCKER_HUB_API_HOST, port: 443} : parseDomain(domain, input)
  if (tag === undefined && digest === undefined) tag = 'latest'
  const hostPart = host.includes(':') ? `[${host}]` : host
  const authority = port === 443 ? hostPart : `${hostPart}:${port}`
  const canonical = `${domain}/${remainder}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`
  return {
    input,
    canonical,
    domain,
    host,
    port,
    authority,
    repository: remainder,
    ...(tag === undefined ? {} : {tag}),
    ...(digest === undefined ? {} : {digest}),
    reference: digest ?? tag ?? 'latest',
    isDockerHub,
  }
}

/** Keys a registry's credentials may be stored under in a docker config, most specific first. */
export function credentialKeys(ref: Pick<ImageReference, 'domain' | 'isDockerHub'>): string[] {
  if (ref.isDockerHub) return [DOCKER_HUB_AUTH_KEY, 'index.docker.io', 'docker.io', 'registry-1.docker.io']
  return [ref.domain, `https://${ref.domain}`, `http://${ref.domain}`, `https://${ref.domain}/v1/`, `https://${ref.domain}/v2/`]
}
