/**
One path of a probe (one address family): opens each origin layer by layer (DNS, TCP, the proxy
tunnel, TLS) and sends requests over it as Go's client does (redirects, per-host Authorization, one
answered 401 challenge per host, tokens from the realm). Credentials and tokens stay inside.
*/
import type {TLSSocket} from 'node:tls'
import {classifyError, LayerFailure, type LayerName, type LayerResult} from './categories.js'
import {parseChallenge, type Challenge} from './challenge.js'
import {describeTls, handshake, openTcp, resolveHost, tunnelThroughProxy, type Address} from './connect.js'
import {createClient, originOf, type HttpClient, type HttpResponse, type Origin, type Route} from './http.js'
import type {RateLimit, Redirect, Shared} from './probe-types.js'
import {proxyFor, type ProxyChoice} from './proxy.js'
import {unexpected} from './responses.js'
import {explainTlsFailure} from './tls-followup.js'
import {loadTrust, type TrustStore} from './trust.js'

function trustFor(shared: Shared, origin: Origin): Promise<TrustStore> {
  const key = origin.port === 443 ? origin.authority.replace(/:443$/, '') : origin.authority
  let store = shared.trust.get(key)
  if (!store) {
    store = loadTrust(key, {env: shared.options.env, ...(shared.options.certsDirs ? {certsDirs: shared.options.certsDirs} : {}), ...(shared.options.extraCa ? {extraCa: shared.options.extraCa} : {})})
    shared.trust.set(key, store)
  }
  return store
}

export class Path {
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
        const {socket: tlsSocket, info} = await handshake(socket, origin.host, store, this.timeoutMs).catch(async (error: unknown) => {
          throw await explainTlsFailure(error, address, dialPort, origin.host, this.timeoutMs)
        })
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
export class NestedFailure extends Error {
  override readonly name = 'NestedFailure'
}
