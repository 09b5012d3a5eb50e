/**
The layered probe of one image reference: DNS (every address) once, then per address family a path
through TCP -> (proxy CONNECT) -> TLS -> GET /v2/ -> token -> HEAD manifest -> platform manifest ->
ranged blob GET. Every request follows redirects as Go's client does, and every new host on the way
(token realm, redirect target, blob CDN) is opened layer by layer too. The first failing layer of a
path ends that path. Credentials and tokens stay inside this module.
*/
import type {TLSSocket} from 'node:tls'
import {categoryForStatus, classifyError, LayerFailure, type Category, type LayerName, type LayerResult} from './categories.js'
import {parseChallenge, type Challenge} from './challenge.js'
import {describeTls, handshake, openTcp, resolveHost, tunnelThroughProxy, type Address} from './connect.js'
import {findCredentials, type Credentials} from './credentials.js'
import {createClient, originOf, type HttpClient, type HttpResponse, type Origin, type Route} from './http.js'
import {formatPlatform, isIndexType, listPlatforms, MANIFEST_ACCEPT, parseManifest, selectPlatform, type Platform} from './manifest.js'
import {proxyFor, type ProxyChoice} from './proxy.js'
import {parseReference, type ImageReference} from './reference.js'
import {loadTrust, type TrustStore} from './trust.js'

export const DEFAULT_TIMEOUT_MS = 5000

export interface ProbeOptions {
  readonly env: NodeJS.ProcessEnv
  /** Per layer, milliseconds. */
  readonly timeoutMs: number
  readonly platform: Platform
  readonly certsDirs?: readonly string[]
  readonly extraCa?: readonly string[]
  /** Use the user's docker credentials (default true). */
  readonly useCredentials?: boolean
  /** Stop before the GETs that count as pulls when Docker Hub says fewer remain than this (default 5). */
  readonly minRemaining?: number
}

export interface RateLimit {
  readonly limit?: string
  readonly remaining?: string
  readonly source?: string
}

export interface Redirect {
  readonly status: number
  readonly fromHost: string
  readonly toHost: string
}

export interface FamilyOutcome {
  readonly family: 4 | 6
  readonly address: string
  readonly ok: boolean
  readonly category: Category
  readonly layer: LayerName | null
}

export interface ProbeResult {
  readonly ref: string
  readonly canonical: string
  readonly host: string
  readonly isDockerHub: boolean
  readonly ok: boolean
  /** The failing layer that decides the verdict; undefined when the probe passed. */
  readonly failure?: LayerResult
  readonly layers: readonly LayerResult[]
  readonly families: readonly FamilyOutcome[]
  readonly rateLimit?: RateLimit
  readonly redirects: readonly Redirect[]
  readonly digest?: string
  /** How the probe authenticated, in words; never the credential itself. */
  readonly auth: string
  readonly notes: readonly string[]
}

interface Shared {
  readonly ref: ImageReference
  readonly options: ProbeOptions
  readonly credentials?: Credentials
  readonly trust: Map<string, Promise<TrustStore>>
}

function trustFor(shared: Shared, origin: Origin): Promise<TrustStore> {
  const key = origin.port === 443 ? origin.authority.replace(/:443$/, '') : origin.authority
  let store = shared.trust.get(key)
  if (!store) {
    store = loadTrust(key, {env: shared.options.env, ...(shared.options.certsDirs ? {certsDirs: shared.options.certsDirs} : {}), ...(shared.options.extraCa ? {extraCa: shared.options.extraCa} : {})})
    shared.trust.set(key, store)
  }
  return store
}

function familyName(family: 4 | 6): string {
  return family === 6 ? 'IPv6' : 'IPv4'
}

function rateLimitOf(headers: HttpResponse['headers']): RateLimit | undefined {
  const limit = headers['ratelimit-limit']
  const remaining = headers['ratelimit-remaining']
  const source = headers['docker-ratelimit-source']
  if (limit === undefined && remaining === undefined) return undefined
  return {...(limit ? {limit} : {}), ...(remaining ? {remaining} : {}), ...(source ? {source} : {})}
}

function describeRateLimit(rl: RateLimit | undefined): string {
  if (!rl) return ''
  const window = /w=(\d+)/.exec(rl.limit ?? '')?.[1]
  const count = (v: string | undefined) => (v ? (v.split(';')[0] ?? v) : '?')
  return `rate limit: ${count(rl.remaining)} of ${count(rl.limit)} pulls left${window ? ` per ${Math.round(Number(window) / 3600)} h` : ''}${rl.source ? ` (as seen from ${rl.source})` : ''}`
}

function htmlTitle(body: Buffer): string {
  const m = /<title[^>]*>([^<]{0,120})/i.exec(body.toString('utf8'))
  return m?.[1]?.trim() ? ` titled "${m[1].trim()}"` : ''
}

function isHtml(res: HttpResponse): boolean {
  return /text\/html/i.test(res.headers['content-type'] ?? '') || /^\s*<(?:!doctype|html)/i.test(res.body.subarray(0, 64).toString('utf8'))
}

function registryErrorText(body: Buffer): string {
  try {
    const data = JSON.parse(body.toString('utf8')) as {errors?: {code?: string; message?: string}[]}
    const first = data.errors?.[0]
    if (first?.code) return ` (${first.code}${first.message ? `: ${first.message}` : ''})`
  } catch {
    // Not a registry error body; the status says enough.
  }
  return ''
}

/** Explains a status that a layer did not expect, as a failure of that layer. */
function unexpected(res: HttpResponse, what: string, host: string): LayerFailure {
  if (isHtml(res)) {
    return new LayerFailure('not_a_registry', `${what} answered ${res.status} with an HTML page${htmlTitle(res.body)}: not a registry API (a captive portal, a proxy's error page or a login page)`)
  }
  const category = categoryForStatus(res.status)
  const rl = describeRateLimit(rateLimitOf(res.headers))
  const retry = res.headers['retry-after'] ? `, retry after ${res.headers['retry-after']} s` : ''
  return new LayerFailure(category, `${what} answered ${res.status} from ${host}${registryErrorText(res.body)}${rl ? `; ${rl}` : ''}${retry}`)
}

class Path {
  readonly layers: LayerResult[] = []
  failed?: LayerResult
  readonly clients = new Map<string, HttpClient>()
  readonly redirects: Redirect[] = []
  rateLimit?: RateLimit
  digest?: string
  /** How the probe authenticated, in words. */
  authHow = 'anonymous'
  /** Authorization per origin (`https://host:port`): never sent to another host. */
  readonly auth = new Map<string, string>()
  /** Origins whose 401 challenge was already answered once. */
  readonly challenged = new Set<string>()

  constructor(
    readonly shared: Shared,
    readonly address: Address,
  ) {}

  get timeoutMs(): number {
    return this.shared.options.timeoutMs
  }

  /** Runs one layer; a thrown error becomes this path's failure and the result is undefined. */
  async layer<T>(name: LayerName, host: string, address: Address | null, run: () => Promise<{value: T; detail: string; host?: string}>): Promise<T | undefined> {
    if (this.failed) return undefined
    const started = performance.now()
    try {
      const done = await run()
      this.layers.push({name, host: done.host ?? host, address: address?.address ?? null, family: address?.family ?? null, status: 'ok', ms: Math.round(performance.now() - started), category: 'ok', detail: done.detail})
      return done.value
    } catch (error) {
      // A nested layer (a redirect's host, a token) failed and recorded itself already.
      if (this.failed) return undefined
      const {category, detail} = classifyError(error, name)
      const where = (error as {host?: unknown}).host
      const result: LayerResult = {name, host: typeof where === 'string' ? where : host, address: address?.address ?? null, family: address?.family ?? null, status: 'fail', ms: Math.round(performance.now() - started), category, detail}
      this.layers.push(result)
      this.failed = result
      return undefined
    }
  }

  skip(name: LayerName, host: string, detail: string): void {
    if (this.failed) return
    this.layers.push({name, host, address: null, family: null, status: 'skipped', ms: 0, category: 'ok', detail})
  }

  /**
  Opens an origin layer by layer: DNS (unless the address is known), TCP, the proxy tunnel and TLS,
  and returns a client bound to that exact path. Reuses a client already open for the origin.
  */
  async open(url: URL, known?: Address): Promise<HttpClient | undefined> {
    const origin = originOf(url)
    const existing = this.clients.get(origin.authority)
    if (existing) return existing
    let proxy: ProxyChoice | undefined
    try {
      proxy = origin.protocol === 'https:' ? proxyFor(origin.host, origin.port, this.shared.options.env) : undefined
    } catch (error) {
      await this.layer('proxy', origin.host, null, () => Promise.reject(new LayerFailure('proxy', (error as Error).message)))
      return undefined
    }
    const dialHost = proxy ? proxy.url.hostname.replace(/^\[(.*)\]$/, '$1') : origin.host
    const dialPort = proxy ? Number(proxy.url.port || (proxy.url.protocol === 'https:' ? 443 : 80)) : origin.port
    const address =
      known ??
      (await this.layer('dns', dialHost, null, async () => {
        const all = await resolveHost(dialHost, this.timeoutMs)
        const chosen = all.find((a) => a.family === this.address.family) ?? all[0]
        if (!chosen) throw Object.assign(new Error(`${dialHost} has no addresses`), {code: 'ENOTFOUND'})
        const literal = all.length === 1 && chosen.address === dialHost
        return {value: chosen, detail: literal ? `${dialHost} is an address; nothing to resolve` : `${all.map((a) => a.address).join(', ')}; using ${chosen.address}${proxy ? ` (the proxy ${proxy.display})` : ''}`}
      }))
    if (!address) return undefined
    const raw = await this.layer('tcp', dialHost, address, async () => {
      const socket = await openTcp(address, dialPort, this.timeoutMs)
      return {value: socket, detail: `connected to ${address.address} port ${dialPort}${proxy ? ` (the proxy ${proxy.display})` : ''}`}
    })
    if (!raw) return undefined
    let socket: import('node:net').Socket = raw
    const store = await trustFor(this.shared, origin)
    if (proxy) {
      const tunnelled = await this.layer('proxy', origin.host, address, async () => {
        let s = socket
        if (proxy.url.protocol === 'https:') s = (await handshake(s, proxy.url.hostname, store, this.timeoutMs)).socket
        await tunnelThroughProxy(s, proxy, origin.authority, this.timeoutMs)
        return {value: s, detail: `the proxy ${proxy.display} opened a tunnel to ${origin.authority}`}
      })
      if (!tunnelled) {
        socket.destroy()
        return undefined
      }
      socket = tunnelled
    }
    if (origin.protocol === 'https:') {
      const secured = await this.layer('tls', origin.host, address, async () => {
        const {socket: tlsSocket, info} = await handshake(socket, origin.host, store, this.timeoutMs)
        const detail = describeTls(info, origin.host, store.customSources)
        if (info.problem) {
          tlsSocket.destroy()
          throw new LayerFailure('x509', detail)
        }
        return {value: tlsSocket as TLSSocket, detail}
      })
      if (!secured) return undefined
      socket = secured
    }
    const route: Route = {address, ...(proxy ? {proxy} : {})}
    const client = createClient(origin, route, store, this.timeoutMs, socket)
    this.clients.set(origin.authority, client)
    return client
  }

  /**
  Sends a request the way Go's client and containerd do: following redirects (each new host opened
  layer by layer), with the Authorization of the host it goes to and never another's, and, once per
  host, answering a 401 challenge with a token. Runs inside a layer; a failure of a nested layer
  (a redirect's host, a token) is already recorded and surfaces as `NestedFailure`.
  */
  async send(start: URL, request: {method: 'GET' | 'HEAD'; headers?: Record<string, string>; maxBody?: number; authorize?: boolean}): Promise<{res: HttpResponse; url: URL}> {
    let url = start
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const client = await this.open(url)
      if (!client) throw new NestedFailure()
      const ask = () => {
        const authorization = this.auth.get(url.origin)
        return client.request({
          method: request.method,
          path: `${url.pathname}${url.search}`,
          headers: {...request.headers, ...(authorization ? {authorization} : {})},
          ...(request.maxBody === undefined ? {} : {maxBody: request.maxBody}),
        })
      }
      let res = await ask()
      if (res.status === 401 && request.authorize !== false && !this.auth.has(url.origin) && !this.challenged.has(url.origin)) {
        this.challenged.add(url.origin)
        const challenge = parseChallenge(res.headers['www-authenticate'])
        if (challenge && (await this.authorize(challenge, url))) res = await ask()
      }
      const location = res.headers.location
      if ([301, 302, 303, 307, 308].includes(res.status) && location) {
        const next = new URL(location, url)
        this.redirects.push({status: res.status, fromHost: url.host, toHost: next.host})
        url = next
        continue
      }
      return {res, url}
    }
    throw new LayerFailure('not_a_registry', `more than ${MAX_REDIRECTS} redirects for one request`)
  }

  /**
  Gets the credential a challenge asks for and keeps it for the origin that asked: a token from the
  realm (its host opened layer by layer, the request recorded as the token layer), or Basic with
  the user's docker credentials. False when there is nothing to answer with.
  */
  async authorize(challenge: Challenge, origin: URL): Promise<boolean> {
    const {ref, credentials} = this.shared
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.secret}`).toString('base64')}` : undefined
    if (challenge.scheme === 'basic') {
      if (!basic || !credentials) return false
      this.auth.set(origin.origin, basic)
      this.authHow = `Basic auth with docker credentials from ${credentials.source}`
      return true
    }
    if (challenge.scheme !== 'bearer') return false
    let realm: URL
    try {
      realm = new URL(challenge.params.realm ?? '')
    } catch {
      await this.layer('token', origin.hostname, null, () => Promise.reject(new LayerFailure('not_a_registry', `the Bearer challenge from ${origin.host} names no usable realm ("${challenge.params.realm ?? ''}")`)))
      throw new NestedFailure()
    }
    const realmClient = await this.open(realm)
    if (!realmClient) throw new NestedFailure()
    const token = await this.layer('token', realm.hostname, null, async () => {
      const query = new URLSearchParams(realm.search)
      if (challenge.params.service) query.set('service', challenge.params.service)
      query.append('scope', challenge.params.scope ?? `repository:${ref.repository}:pull`)
      if (credentials) query.set('account', credentials.username)
      const res = await realmClient.request({method: 'GET', path: `${realm.pathname}?${query.toString()}`, ...(basic ? {headers: {authorization: basic}} : {}), maxBody: 64 * 1024})
      if (res.status !== 200) {
        const failure = unexpected(res, `the token request to ${realm.host}`, realm.hostname)
        const who = credentials ? ` The request carried docker credentials from ${credentials.source}.` : ''
        throw new LayerFailure(failure.category, `${failure.message}.${who}`)
      }
      let data: {token?: unknown; access_token?: unknown; expires_in?: unknown}
      try {
        data = JSON.parse(res.body.toString('utf8')) as typeof data
      } catch {
        throw unexpected({...res, headers: {...res.headers, 'content-type': 'text/html'}}, `the token request to ${realm.host}`, realm.hostname)
      }
      const value = typeof data.token === 'string' ? data.token : typeof data.access_token === 'string' ? data.access_token : undefined
      if (!value) throw new LayerFailure('not_a_registry', `the token endpoint ${realm.host} answered 200 without a token`)
      const expires = typeof data.expires_in === 'number' ? data.expires_in : 60
      const how = credentials ? `with docker credentials from ${credentials.source}` : 'anonymous'
      return {value, detail: `token for ${origin.host} issued (${how}), valid ${expires} s`}
    })
    if (token === undefined) throw new NestedFailure()
    this.auth.set(origin.origin, `Bearer ${token}`)
    this.authHow = credentials ? `token with docker credentials from ${credentials.source}` : 'anonymous token'
    return true
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()))
  }
}

const MAX_REDIRECTS = 5

/** A nested layer failed and recorded itself; the enclosing layer records nothing more. */
class NestedFailure extends Error {
  override readonly name = 'NestedFailure'
}

function registryUrl(ref: ImageReference, path: string): URL {
  return new URL(`https://${ref.authority}${path}`)
}

function hopsText(path: Path, from: number): string {
  const hops = path.redirects.slice(from)
  return hops.length === 0 ? '' : ` (redirected ${hops.map((h) => `${h.status} to ${h.toHost}`).join(', then ')})`
}

async function runPath(path: Path): Promise<void> {
  const {ref, credentials} = path.shared
  const registry = await path.open(registryUrl(ref, '/v2/'), path.address)
  if (!registry) return
  const addr = path.address

  // Ping: what the classic puller does first, and the cheapest proof that this is a registry.
  const ping = await path.layer<{challenge: Challenge | null; url: URL}>('ping', ref.host, addr, async () => {
    const before = path.redirects.length
    const {res, url} = await path.send(registryUrl(ref, '/v2/'), {method: 'GET', maxBody: 8192, authorize: false})
    const via = hopsText(path, before)
    const apiVersion = res.headers['docker-distribution-api-version']
    if (res.status === 200) {
      if (isHtml(res) || (!apiVersion && !/^\s*\{/.test(res.body.toString('utf8')))) {
        const page = unexpected({...res, headers: {...res.headers, 'content-type': 'text/html'}}, 'GET /v2/', url.hostname)
        throw new LayerFailure(page.category, `${page.message}${via}`)
      }
      return {value: {challenge: null, url}, detail: `200${apiVersion ? `, ${apiVersion}` : ''}; no authentication asked${via}`}
    }
    if (res.status === 401) {
      const found = parseChallenge(res.headers['www-authenticate'])
      if (!found) {
        if (isHtml(res)) throw unexpected(res, 'GET /v2/', url.hostname)
        throw new LayerFailure('http_401', `GET /v2/ answered 401 without saying how to authenticate (no WWW-Authenticate header)${via}`)
      }
      const where = found.params.realm ? ` from ${found.params.realm}` : ''
      const kind = found.scheme === 'bearer' ? 'token auth' : found.scheme === 'basic' ? 'Basic auth' : `"${found.scheme}" auth`
      return {value: {challenge: found, url}, detail: `401 asking for ${kind}${where}${found.params.service ? `, service ${found.params.service}` : ''}${apiVersion ? `; ${apiVersion}` : ''}${via}`}
    }
    if (res.status === 404) throw new LayerFailure('not_a_registry', `GET /v2/ answered 404: ${url.host} does not serve the registry API${isHtml(res) ? ` (an HTML page${htmlTitle(res.body)})` : ''}${via}`)
    const failure = unexpected(res, 'GET /v2/', url.hostname)
    throw new LayerFailure(failure.category, `${failure.message}${via}`)
  })
  if (!ping) return

  // Token: anonymous, or with the user's docker credentials. Never recorded. A registry that lets
  // /v2/ through may still challenge on the repository; `send` answers that inside the manifest layer.
  const tokenIndex = path.layers.length
  if (ping.challenge) {
    const challenge = ping.challenge
    path.challenged.add(ping.url.origin)
    if (challenge.scheme === 'basic') {
      if (await path.authorize(challenge, ping.url).catch(() => false)) {
        path.skip('token', ref.host, `the registry uses Basic auth; using docker credentials from ${credentials?.source ?? '?'}`)
      } else {
        path.skip('token', ref.host, `the registry uses Basic auth and no docker credentials were found for ${ref.domain}`)
      }
    } else if (challenge.scheme === 'bearer') {
      const ok = await path.authorize(challenge, ping.url).catch((error: unknown) => {
        if (error instanceof NestedFailure) return false
        throw error
      })
      if (!ok) return
    } else {
      path.skip('token', ref.host, `the registry asks for "${challenge.scheme}" authentication, which this probe does not speak`)
    }
  }

  // Manifest HEAD: how containerd resolves a tag; free against Docker Hub's pull limit.
  const manifestPath = `/v2/${ref.repository}/manifests/${ref.reference}`
  const head = await path.layer('manifest', ref.host, addr, async () => {
    const before = path.redirects.length
    let {res, url} = await path.send(registryUrl(ref, manifestPath), {method: 'HEAD', headers: {accept: MANIFEST_ACCEPT}})
    if (res.status === 405) ({res, url} = await path.send(registryUrl(ref, manifestPath), {method: 'GET', headers: {accept: MANIFEST_ACCEPT}, maxBody: 4 * 1024 * 1024}))
    const via = hopsText(path, before)
    path.rateLimit = rateLimitOf(res.headers) ?? path.rateLimit
    if (res.status === 404) {
      const what = ref.digest ? `digest ${ref.digest}` : `tag "${ref.tag ?? ref.reference}"`
      throw new LayerFailure('http_404', `HEAD ${manifestPath} answered 404: ${ref.repository} has no ${what} on ${ref.domain}${via}`)
    }
    if (res.status === 401 && ref.isDockerHub) {
      throw new LayerFailure('http_401', `HEAD ${manifestPath} answered 401: Docker Hub says this for a private repository and for one that does not exist`)
    }
    if (res.status !== 200 || isHtml(res)) {
      const failure = unexpected(res, `HEAD ${manifestPath}`, url.hostname)
      throw new LayerFailure(failure.category, `${failure.message}${via}`)
    }
    const digest = res.headers['docker-content-digest']
    const type = (res.headers['content-type'] ?? 'no content type').split(';')[0] ?? ''
    if (digest) path.digest = digest
    const rl = describeRateLimit(path.rateLimit)
    return {value: {digest, type}, detail: `200, ${type}${digest ? `, ${digest}` : ''}${rl ? `; ${rl}` : ''}${via}`}
  })
  if (!path.layers.slice(tokenIndex).some((l) => l.name === 'token')) {
    path.layers.splice(tokenIndex, 0, {name: 'token', host: ref.host, address: null, family: null, status: 'skipped', ms: 0, category: 'ok', detail: 'the registry asked for no credentials'})
  }
  if (!head) return

  const remaining = Number((path.rateLimit?.remaining ?? '').split(';')[0])
  const minRemaining = path.shared.options.minRemaining ?? 5
  if (path.rateLimit?.remaining !== undefined && Number.isFinite(remaining) && remaining < minRemaining) {
    path.skip('platform', ref.host, `skipped: only ${remaining} pulls left in the rate-limit window, and a manifest GET counts as one`)
    path.skip('blob', ref.host, 'skipped with the platform manifest')
    return
  }

  // Platform: the index entry a puller for this platform takes, as `imagetools inspect` shows it.
  const want = path.shared.options.platform
  const getManifest = async (reference: string) => {
    const {res, url} = await path.send(registryUrl(ref, `/v2/${ref.repository}/manifests/${reference}`), {method: 'GET', headers: {accept: MANIFEST_ACCEPT}, maxBody: 4 * 1024 * 1024})
    if (res.status !== 200) throw unexpected(res, `GET manifest ${reference}`, url.hostname)
    return res
  }
  const layers = await path.layer('platform', ref.host, addr, async () => {
    const res = await getManifest(head.digest ?? ref.reference)
    const manifest = parseManifest(res.body, res.headers['content-type'])
    if (manifest.kind === 'index' || isIndexType(res.headers['content-type'])) {
      const chosen = selectPlatform(manifest.children, want)
      if (!chosen?.digest) {
        const has = listPlatforms(manifest.children)
        throw new LayerFailure('http_404', `the image index has no ${formatPlatform(want)} entry; it has ${has.length > 0 ? has.join(', ') : 'no platforms listed'}`)
      }
      const child = await getManifest(chosen.digest)
      const image = parseManifest(child.body, child.headers['content-type'])
      return {value: image.layers, detail: `index with ${manifest.children.length} entries; ${formatPlatform(want)} is ${chosen.digest} (${image.layers.length} layers)`}
    }
    if (manifest.kind === 'unknown') throw new LayerFailure('not_a_registry', `the manifest is not JSON (${manifest.mediaType || 'no content type'})`)
    return {value: manifest.layers, detail: `single-platform manifest (${manifest.mediaType || manifest.kind}, ${manifest.layers.length} layers); its platform is not listed, so ${formatPlatform(want)} is assumed`}
  })
  if (!layers) return
  const blob = [...layers].filter((l) => l.size > 0).sort((a, b) => a.size - b.size)[0] ?? layers[0]
  if (!blob) {
    path.skip('blob', ref.host, 'the manifest lists no layers to fetch')
    return
  }

  // Blob: a small range of the smallest layer; redirects (to a CDN) are followed and each new host
  // is opened layer by layer, without the registry's Authorization.
  await path.layer('blob', ref.host, null, async () => {
    const before = path.redirects.length
    const {res, url} = await path.send(registryUrl(ref, `/v2/${ref.repository}/blobs/${blob.digest}`), {method: 'GET', headers: {range: 'bytes=0-1023'}, maxBody: 1024})
    const via = hopsText(path, before)
    if (res.status === 200 || res.status === 206) {
      return {value: null, host: url.hostname, detail: `${res.status}, ${res.body.length} bytes of ${blob.digest.slice(0, 19)}… from ${url.host}${via}`}
    }
    if (res.status === 404) throw new LayerFailure('http_404', `GET blob answered 404 on ${url.host}: the registry lists a layer it does not have${registryErrorText(res.body)}${via}`)
    const failure = unexpected(res, `GET blob on ${url.host}`, url.hostname)
    throw Object.assign(new LayerFailure(failure.category, `${failure.message}${via}`), {host: url.hostname})
  })
}

/** Probes one reference once, per address family. Throws `ImageReferenceError` for a bad reference only. */
export async function probeReference(input: string | ImageReference, options: ProbeOptions): Promise<ProbeResult> {
  const ref = typeof input === 'string' ? parseReference(input) : input
  const credentials = options.useCredentials === false ? undefined : await findCredentials(ref, options.env, options.timeoutMs).catch(() => undefined)
  const shared: Shared = {ref, options, ...(credentials ? {credentials} : {}), trust: new Map()}

  let proxy: ProxyChoice | undefined
  let proxyError: string | undefined
  try {
    proxy = proxyFor(ref.host, ref.port, options.env)
  } catch (error) {
    proxyError = (error as Error).message
  }
  const dialHost = proxy ? proxy.url.hostname.replace(/^\[(.*)\]$/, '$1') : ref.host
  const top = new Path(shared, {address: dialHost, family: 4})
  if (proxyError) await top.layer('proxy', ref.host, null, () => Promise.reject(new LayerFailure('proxy', proxyError)))
  const addresses = await top.layer('dns', dialHost, null, async () => {
    const all = await resolveHost(dialHost, options.timeoutMs)
    const literal = all.length === 1 && all[0]?.address === dialHost
    return {value: all, detail: literal ? `${dialHost} is an address; nothing to resolve` : `${all.map((a) => `${a.address} (${familyName(a.family)})`).join(', ')}${proxy ? `: the proxy ${proxy.display}` : ''}`}
  })

  const paths: Path[] = []
  if (addresses) {
    for (const family of [4, 6] as const) {
      const first = addresses.find((a) => a.family === family)
      if (first) paths.push(new Path(shared, first))
    }
    await Promise.all(
      paths.map(async (p) => {
        try {
          await runPath(p)
        } finally {
          await p.close()
        }
      }),
    )
  }

  const layers = [...top.layers, ...paths.flatMap((p) => p.layers)]
  const families: FamilyOutcome[] = paths.map((p) => ({
    family: p.address.family,
    address: p.address.address,
    ok: !p.failed,
    category: p.failed?.category ?? 'ok',
    layer: p.failed?.name ?? null,
  }))
  const okPath = paths.find((p) => !p.failed)
  const failure = top.failed ?? (okPath ? undefined : (paths.find((p) => p.address.family === 4)?.failed ?? paths[0]?.failed))
  const notes: string[] = []
  if (okPath) {
    for (const p of paths.filter((x) => x.failed)) {
      notes.push(
        `The ${familyName(p.address.family)} path (${p.address.address}) fails at ${p.failed?.name} (${p.failed?.category}) while ${familyName(okPath.address.family)} works; docker usually falls back, but a broken ${familyName(p.address.family)} route slows every pull.`,
      )
    }
  }
  const source = okPath ?? paths.find((p) => p.failed === failure) ?? paths[0]
  if (credentials && source?.authHow === 'anonymous') notes.push(`Docker credentials for ${ref.domain} were found (${credentials.source}) but the registry did not ask for them.`)
  return {
    ref: ref.input,
    canonical: ref.canonical,
    host: ref.host,
    isDockerHub: ref.isDockerHub,
    ok: failure === undefined && paths.length > 0,
    ...(failure ? {failure} : {}),
    layers,
    families,
    ...(source?.rateLimit ? {rateLimit: source.rateLimit} : {}),
    redirects: source?.redirects ?? [],
    ...(source?.digest ? {digest: source.digest} : {}),
    auth: source?.authHow ?? 'anonymous',
    notes,
  }
}

