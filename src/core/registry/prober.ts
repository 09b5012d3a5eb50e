/**
The layered probe of one image reference: DNS (every address) once, then per address family a path
through TCP -> (proxy CONNECT) -> TLS -> GET /v2/ -> token -> HEAD manifest -> platform manifest ->
ranged blob GET, opening the token realm's and the blob redirect's hosts layer by layer too. The
first failing layer of a path ends that path. Credentials and tokens stay inside this module.
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
  auth = 'anonymous'

  constructor(
    readonly shared: Shared,
    readonly address: Address,
  ) {}

  get timeoutMs(): number {
    return this.shared.options.timeoutMs
  }

  /** Runs one layer; a thrown error becomes this path's failure and the result is undefined. */
  async layer<T>(name: LayerName, host: string, address: Address | null, run: () => Promise<{value: T; detail: string}>): Promise<T | undefined> {
    if (this.failed) return undefined
    const started = performance.now()
    try {
      const {value, detail} = await run()
      this.layers.push({name, host, address: address?.address ?? null, family: address?.family ?? null, status: 'ok', ms: Math.round(performance.now() - started), category: 'ok', detail})
      return value
    } catch (error) {
      const {category, detail} = classifyError(error, name)
      const result: LayerResult = {name, host, address: address?.address ?? null, family: address?.family ?? null, status: 'fail', ms: Math.round(performance.now() - started), category, detail}
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

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()))
  }
}

function registryUrl(ref: ImageReference, path: string): URL {
  return new URL(`https://${ref.authority}${path}`)
}

async function runPath(path: Path): Promise<void> {
  const {ref, credentials} = path.shared
  const timeoutMs = path.timeoutMs
  const registry = await path.open(registryUrl(ref, '/v2/'), path.address)
  if (!registry) return
  const addr = path.address

  // Ping: what the classic puller does first, and the cheapest proof that this is a registry.
  const pingChallenge = await path.layer<Challenge | null>('ping', ref.host, addr, async () => {
    const res = await registry.request({method: 'GET', path: '/v2/', maxBody: 8192})
    const apiVersion = res.headers['docker-distribution-api-version']
    if (res.status === 200) {
      if (isHtml(res) || (!apiVersion && !/^\s*\{/.test(res.body.toString('utf8')))) throw unexpected({...res, headers: {...res.headers, 'content-type': 'text/html'}}, 'GET /v2/', ref.host)
      return {value: null, detail: `200${apiVersion ? `, ${apiVersion}` : ''}; no authentication asked`}
    }
    if (res.status === 401) {
      const found = parseChallenge(res.headers['www-authenticate'])
      if (!found) {
        if (isHtml(res)) throw unexpected(res, 'GET /v2/', ref.host)
        throw new LayerFailure('http_401', `GET /v2/ answered 401 without saying how to authenticate (no WWW-Authenticate header)`)
      }
      const where = found.params.realm ? ` from ${found.params.realm}` : ''
      const kind = found.scheme === 'bearer' ? 'token auth' : found.scheme === 'basic' ? 'Basic auth' : `"${found.scheme}" auth`
      return {value: found, detail: `401 asking for ${kind}${where}${found.params.service ? `, service ${found.params.service}` : ''}${apiVersion ? `; ${apiVersion}` : ''}`}
    }
    if (res.status >= 300 && res.status < 400) {
      throw new LayerFailure('not_a_registry', `GET /v2/ was redirected (${res.status}) to ${res.headers.location ?? 'nowhere'}: a registry never does that; a captive portal or login page is in the way`)
    }
    if (res.status === 404) throw new LayerFailure('not_a_registry', `GET /v2/ answered 404: ${ref.authority} does not serve the registry API${isHtml(res) ? ` (an HTML page${htmlTitle(res.body)})` : ''}`)
    throw unexpected(res, 'GET /v2/', ref.host)
  })
  if (pingChallenge === undefined) return

  // Some registries let /v2/ through and challenge only on a repository, as containerd's resolver
  // expects: ask once without credentials, and keep that answer as the manifest HEAD if it is one.
  const manifestPath = `/v2/${ref.repository}/manifests/${ref.reference}`
  let early: {res?: HttpResponse; error?: unknown} | undefined
  let challenge = pingChallenge
  if (challenge === null) {
    try {
      const res = await registry.request({method: 'HEAD', path: manifestPath, headers: {accept: MANIFEST_ACCEPT}})
      const asked = res.status === 401 ? parseChallenge(res.headers['www-authenticate']) : undefined
      if (asked) challenge = asked
      else early = {res}
    } catch (error) {
      early = {error}
    }
  }

  // Token: anonymous, or with the user's docker credentials. Never recorded.
  let authorization: string | undefined
  const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.secret}`).toString('base64')}` : undefined
  if (challenge === null) {
    path.skip('token', ref.host, 'the registry asked for no credentials')
  } else if (challenge.scheme === 'basic') {
    if (basic && credentials) {
      authorization = basic
      path.auth = `Basic auth with docker credentials from ${credentials.source}`
      path.skip('token', ref.host, `the registry uses Basic auth; using docker credentials from ${credentials.source}`)
    } else {
      path.skip('token', ref.host, `the registry uses Basic auth and no docker credentials were found for ${ref.domain}`)
    }
  } else if (challenge.scheme === 'bearer') {
    let realm: URL
    try {
      realm = new URL(challenge.params.realm ?? '')
    } catch {
      await path.layer('token', ref.host, addr, () => Promise.reject(new LayerFailure('not_a_registry', `the Bearer challenge names no usable realm ("${challenge.params.realm ?? ''}")`)))
      return
    }
    const realmClient = await path.open(realm)
    if (!realmClient) return
    const token = await path.layer('token', realm.hostname, null, async () => {
      const query = new URLSearchParams(realm.search)
      if (challenge.params.service) query.set('service', challenge.params.service)
      query.append('scope', challenge.params.scope ?? `repository:${ref.repository}:pull`)
      if (credentials) query.set('account', credentials.username)
      const res = await realmClient.request({
        method: 'GET',
        path: `${realm.pathname}?${query.toString()}`,
        ...(basic ? {headers: {authorization: basic}} : {}),
        maxBody: 64 * 1024,
      })
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
      path.auth = credentials ? `token with docker credentials from ${credentials.source}` : 'anonymous token'
      return {value, detail: `token issued (${credentials ? `with docker credentials from ${credentials.source}` : 'anonymous'}), valid ${expires} s`}
    })
    if (token === undefined) return
    authorization = `Bearer ${token}`
  } else {
    path.skip('token', ref.host, `the registry asks for "${challenge.scheme}" authentication, which this probe does not speak`)
  }
  const authHeaders: Record<string, string> = authorization ? {authorization} : {}

  // Manifest HEAD: how containerd resolves a tag; free against Docker Hub's pull limit.
  const head = await path.layer('manifest', ref.host, addr, async () => {
    if (early?.error !== undefined) throw early.error
    let res = early?.res ?? (await registry.request({method: 'HEAD', path: manifestPath, headers: {accept: MANIFEST_ACCEPT, ...authHeaders}}))
    if (res.status === 405) res = await registry.request({method: 'GET', path: manifestPath, headers: {accept: MANIFEST_ACCEPT, ...authHeaders}, maxBody: 4 * 1024 * 1024})
    path.rateLimit = rateLimitOf(res.headers) ?? path.rateLimit
    if (res.status === 404) {
      const what = ref.digest ? `digest ${ref.digest}` : `tag "${ref.tag ?? ref.reference}"`
      throw new LayerFailure('http_404', `HEAD ${manifestPath} answered 404: ${ref.repository} has no ${what} on ${ref.domain}`)
    }
    if (res.status === 401 && ref.isDockerHub) {
      throw new LayerFailure('http_401', `HEAD ${manifestPath} answered 401: Docker Hub says this for a private repository and for one that does not exist`)
    }
    if (res.status !== 200 || isHtml(res)) throw unexpected(res, `HEAD ${manifestPath}`, ref.host)
    const digest = res.headers['docker-content-digest']
    const type = (res.headers['content-type'] ?? 'no content type').split(';')[0] ?? ''
    if (digest) path.digest = digest
    const rl = describeRateLimit(path.rateLimit)
    return {value: {digest, type}, detail: `200, ${type}${digest ? `, ${digest}` : ''}${rl ? `; ${rl}` : ''}`}
  })
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
  const layers = await path.layer('platform', ref.host, addr, async () => {
    const res = await registry.request({method: 'GET', path: `/v2/${ref.repository}/manifests/${head.digest ?? ref.reference}`, headers: {accept: MANIFEST_ACCEPT, ...authHeaders}, maxBody: 4 * 1024 * 1024})
    if (res.status !== 200) throw unexpected(res, `GET manifest ${head.digest ?? ref.reference}`, ref.host)
    const manifest = parseManifest(res.body, res.headers['content-type'])
    if (manifest.kind === 'index' || isIndexType(res.headers['content-type'])) {
      const chosen = selectPlatform(manifest.children, want)
      if (!chosen?.digest) {
        const has = listPlatforms(manifest.children)
        throw new LayerFailure('http_404', `the image index has no ${formatPlatform(want)} entry; it has ${has.length > 0 ? has.join(', ') : 'no platforms listed'}`)
      }
      const child = await registry.request({method: 'GET', path: `/v2/${ref.repository}/manifests/${chosen.digest}`, headers: {accept: MANIFEST_ACCEPT, ...authHeaders}, maxBody: 4 * 1024 * 1024})
      if (child.status !== 200) throw unexpected(child, `GET manifest ${chosen.digest}`, ref.host)
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

  // Blob: a small range of the smallest layer, following redirects by hand to see every host.
  let url = registryUrl(ref, `/v2/${ref.repository}/blobs/${blob.digest}`)
  let client: HttpClient = registry
  let headers: Record<string, string> = {...authHeaders, range: 'bytes=0-1023'}
  for (let hop = 0; hop < 6; hop++) {
    const res = await path.layer<HttpResponse | null>('blob', url.hostname, null, async () => {
      const r = await client.request({method: 'GET', path: `${url.pathname}${url.search}`, headers, maxBody: 1024})
      if (r.status === 200 || r.status === 206) {
        const via = path.redirects.length > 0 ? ` after ${path.redirects.length} redirect(s), from ${url.hostname}` : ''
        return {value: null, detail: `${r.status}, ${r.body.length} bytes of ${blob.digest.slice(0, 19)}…${via}`}
      }
      if ([301, 302, 303, 307, 308].includes(r.status) && r.headers.location) return {value: r, detail: `${r.status} redirect to ${new URL(r.headers.location, url).host}`}
      if (r.status === 404) throw new LayerFailure('http_404', `GET blob answered 404 on ${url.hostname}: the registry lists a layer it does not have${registryErrorText(r.body)}`)
      throw unexpected(r, `GET blob on ${url.hostname}`, url.hostname)
    })
    if (!res) return
    const next = new URL(res.headers.location ?? '', url)
    path.redirects.push({status: res.status, fromHost: url.host, toHost: next.host})
    if (next.origin !== url.origin) {
      // Never forward the registry's Authorization to another host (OCI distribution spec).
      headers = {range: 'bytes=0-1023'}
      const opened = await path.open(next)
      if (!opened) return
      client = opened
    }
    url = next
  }
  await path.layer('blob', url.hostname, null, () => Promise.reject(new LayerFailure('not_a_registry', 'more than 5 redirects for one blob')))
}

/** Probes one reference once, per address family. Throws `ReferenceError` for a bad reference only. */
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
  const source = okPath ?? paths[0]
  if (credentials && source?.auth === 'anonymous') notes.push(`Docker credentials for ${ref.domain} were found (${credentials.source}) but the registry did not ask for them.`)
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
    auth: source?.auth ?? 'anonymous',
    notes,
  }
}

