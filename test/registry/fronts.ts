/**
Loopback fault fronts for the registry prober: one port per fault, a small fake registry that speaks
the distribution API (token auth, an index with two platforms, blob redirects to a "CDN" front), and
a token issuer. Everything listens on 127.0.0.1 only.
*/
import {createHash, randomBytes} from 'node:crypto'
import {createServer as createHttpsServer, type Server as HttpsServer} from 'node:https'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {connect as netConnect, createServer as createNetServer, type Server as NetServer, type Socket} from 'node:net'
import {createServer as createTlsServer} from 'node:tls'
import {makeCerts, type Pair, type TestCerts} from './certs.js'

export type RegistryMode = 'healthy' | '401' | '403' | '404' | '429' | '503' | 'html' | 'private' | 'lateAuth' | 'portal'

export const FAULTS = [
  'closeOnAccept',
  'closeAfterRequest',
  'rst',
  'neverAnswer',
  'r401',
  'r403',
  'r404',
  'r429',
  'r503',
  'html',
  'wrongCert',
  'expiredCert',
  'refused',
  'flaky',
  'noResponse',
  'portal',
  'redirector',
] as const
export type Fault = (typeof FAULTS)[number]

export const REPO = 'lab/app'
export const TAG = 'v1'
export const USER = 'tester'
export const PASSWORD = 'not-a-real-password'

export interface Fronts {
  readonly certs: TestCerts
  /** host:port of the healthy fake registry (token auth, redirects to the CDN front). */
  readonly healthy: string
  /** host:port of the healthy registry whose token issuer wants credentials. */
  readonly privateRegistry: string
  readonly ports: Readonly<Record<Fault, number>>
  /** A reference to `REPO:TAG` on a front. */
  ref(fault: Fault | 'healthy' | 'private' | 'lateAuth'): string
  /** Connections accepted per front, to check what a probe did. */
  readonly accepted: Record<string, number>
  close(): Promise<void>
}

interface Image {
  readonly blob: Buffer
  readonly blobDigest: string
  readonly manifests: Map<string, {body: Buffer; type: string}>
  readonly indexDigest: string
}

function sha(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

function makeImage(): Image {
  const blob = randomBytes(4096)
  const blobDigest = sha(blob)
  const config = Buffer.from(JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: []}}))
  const manifests = new Map<string, {body: Buffer; type: string}>()
  const children = ['amd64', 'arm64'].map((arch) => {
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length},
        layers: [{mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: blobDigest, size: blob.length}],
      }),
    )
    const digest = sha(body)
    manifests.set(digest, {body, type: 'application/vnd.oci.image.manifest.v1+json'})
    return {mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: body.length, platform: {os: 'linux', architecture: arch}}
  })
  const index = Buffer.from(JSON.stringify({schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: children}))
  const indexDigest = sha(index)
  manifests.set(indexDigest, {body: index, type: 'application/vnd.oci.image.index.v1+json'})
  return {blob, blobDigest, manifests, indexDigest}
}

function listen(server: NetServer | HttpsServer, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : 0)
    })
  })
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0', 'content-length': Buffer.byteLength(text), ...headers})
  res.end(res.req.method === 'HEAD' ? undefined : text)
}

export async function startFronts(): Promise<Fronts> {
  const certs = await makeCerts()
  const image = makeImage()
  const tokens = new Set<string>()
  const servers: (NetServer | HttpsServer)[] = []
  const sockets = new Set<Socket>()
  const accepted: Record<string, number> = {}
  const track = (name: string, server: NetServer | HttpsServer) => {
    servers.push(server)
    server.on('connection', (s: Socket) => {
      accepted[name] = (accepted[name] ?? 0) + 1
      sockets.add(s)
      s.on('error', () => undefined)
      s.on('close', () => sockets.delete(s))
    })
    return server
  }
  const https = (name: string, pair: Pair, handler: (req: IncomingMessage, res: ServerResponse) => void) =>
    track(name, createHttpsServer({cert: pair.cert, key: pair.key}, handler))

  // Token issuer: anonymous tokens, except for scopes of the "private" registry, which need Basic credentials.
  const tokenServer = https('token', certs.good, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x')
    if (url.pathname !== '/token') return json(res, 404, {errors: [{code: 'NOT_FOUND'}]})
    if (url.searchParams.get('service') === 'private') {
      const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`
      if (req.headers.authorization !== expected) return json(res, 401, {details: 'incorrect username or password'})
    }
    const token = `tok-${randomBytes(8).toString('hex')}`
    tokens.add(token)
    json(res, 200, {token, access_token: token, expires_in: 300, issued_at: new Date().toISOString()})
  })
  const tokenPort = await listen(tokenServer)

  // CDN: serves blobs by signed path; refuses requests that carry the registry's Authorization.
  const cdnServer = https('cdn', certs.good, (req, res) => {
    if (req.headers.authorization) return json(res, 400, {error: 'authorization forwarded across hosts'})
    const digest = /^\/blobs\/(sha256:[a-f0-9]{64})$/.exec(new URL(req.url ?? '/', 'https://x').pathname)?.[1]
    if (digest !== image.blobDigest) return json(res, 404, {errors: [{code: 'BLOB_UNKNOWN'}]})
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '')
    if (range) {
      const start = Number(range[1])
      const end = Math.min(Number(range[2]), image.blob.length - 1)
      res.writeHead(206, {'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${image.blob.length}`, 'content-length': end - start + 1})
      return res.end(image.blob.subarray(start, end + 1))
    }
    res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': image.blob.length})
    res.end(image.blob)
  })
  const cdnPort = await listen(cdnServer)

  const registryHandler = (mode: RegistryMode) => (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://x')
    const service = mode === 'private' ? 'private' : 'fake'
    const challenge = {'www-authenticate': `Bearer realm="https://127.0.0.1:${tokenPort}/token",service="${service}"`}
    if (mode === 'html') {
      res.writeHead(200, {'content-type': 'text/html'})
      return res.end('<!doctype html><html><head><title>Welcome to Airport Wi-Fi</title></head><body>Accept the terms</body></html>')
    }
    if (mode === 'portal') {
      // A captive portal: everything is sent to a login page.
      if (url.pathname === '/login') {
        res.writeHead(200, {'content-type': 'text/html'})
        return res.end('<html><head><title>Hotel Wi-Fi login</title></head><body>Room number</body></html>')
      }
      res.writeHead(302, {location: '/login', 'content-length': 0})
      return res.end()
    }
    if (mode === '503') return json(res, 503, {errors: [{code: 'UNAVAILABLE', message: 'service unavailable'}]})
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const authorised = bearer !== undefined && tokens.has(bearer)
    // `lateAuth` lets /v2/ through and challenges only on repositories, with a scope, as some registries do.
    if (url.pathname === '/v2/') return authorised || mode === 'lateAuth' ? json(res, 200, {}) : json(res, 401, {errors: [{code: 'UNAUTHORIZED'}]}, challenge)
    if (!authorised && mode === 'lateAuth') {
      return json(res, 401, {errors: [{code: 'UNAUTHORIZED'}]}, {'www-authenticate': `${challenge['www-authenticate']},scope="repository:${REPO}:pull"`})
    }
    if (!authorised || mode === '401') return json(res, 401, {errors: [{code: 'UNAUTHORIZED', message: 'authentication required'}]}, challenge)
    const manifest = new RegExp(`^/v2/${REPO}/manifests/([^/]+)$`).exec(url.pathname)
    if (manifest) {
      if (mode === '403') return json(res, 403, {errors: [{code: 'DENIED', message: 'requested access to the resource is denied'}]})
      if (mode === '429') {
        return json(res, 429, {errors: [{code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.'}]}, {
          'ratelimit-limit': '100;w=21600',
          'ratelimit-remaining': '0;w=21600',
          'docker-ratelimit-source': '127.0.0.1',
          'retry-after': '3600',
        })
      }
      const wanted = manifest[1] === TAG && mode !== '404' ? image.indexDigest : manifest[1]
      const found = wanted ? image.manifests.get(wanted) : undefined
      if (!found || !wanted) return json(res, 404, {errors: [{code: 'MANIFEST_UNKNOWN', message: 'manifest unknown'}]})
      res.writeHead(200, {
        'content-type': found.type,
        'docker-content-digest': wanted,
        'content-length': found.body.length,
        'docker-distribution-api-version': 'registry/2.0',
        'ratelimit-limit': '100;w=21600',
        'ratelimit-remaining': '99;w=21600',
      })
      return res.end(req.method === 'HEAD' ? undefined : found.body)
    }
    const blob = new RegExp(`^/v2/${REPO}/blobs/(sha256:[a-f0-9]{64})$`).exec(url.pathname)
    if (blob?.[1] === image.blobDigest) {
      res.writeHead(307, {location: `https://localhost:${cdnPort}/blobs/${image.blobDigest}`, 'content-length': 0})
      return res.end()
    }
    json(res, 404, {errors: [{code: 'NAME_UNKNOWN'}]})
  }

  const ports: Partial<Record<Fault, number>> = {}
  const registry = async (name: Fault | 'healthy' | 'private' | 'lateAuth', mode: RegistryMode, pair: Pair = certs.good) =>
    listen(https(name, pair, registryHandler(mode)))
  const healthyPort = await registry('healthy', 'healthy')
  const privatePort = await registry('private', 'private')
  const lateAuthPort = await registry('lateAuth', 'lateAuth')
  ports.r401 = await registry('r401', '401')
  ports.r403 = await registry('r403', '403')
  ports.r404 = await registry('r404', '404')
  ports.r429 = await registry('r429', '429')
  ports.r503 = await registry('r503', '503')
  ports.html = await registry('html', 'html')
  ports.wrongCert = await registry('wrongCert', 'healthy', certs.wrongName)
  ports.portal = await registry('portal', 'portal')
  // Like registry.dagger.io (a registry-redirect service): every API path answers 307 to the real registry.
  ports.redirector = await listen(
    https('redirector', certs.good, (req, res) => {
      res.writeHead(307, {location: `https://127.0.0.1:${healthyPort}${req.url ?? '/'}`, 'content-length': 0})
      res.end()
    }),
  )
  ports.expiredCert = await registry('expiredCert', 'healthy', certs.expired)

  const raw = async (name: Fault, onSocket: (s: Socket) => void) => listen(track(name, createNetServer(onSocket)))
  ports.closeOnAccept = await raw('closeOnAccept', (s) => s.end())
  ports.rst = await raw('rst', (s) => s.once('data', () => s.resetAndDestroy()))
  ports.neverAnswer = await raw('neverAnswer', () => undefined)
  let connections = 0
  ports.flaky = await raw('flaky', (s) => {
    connections++
    if (connections % 2 === 1) return void s.end()
    const upstream = netConnect({host: '127.0.0.1', port: healthyPort})
    upstream.on('error', () => s.destroy())
    s.on('error', () => upstream.destroy())
    s.pipe(upstream).pipe(s)
  })
  // TLS completes, the request arrives, and the server closes without a word.
  const quiet = track('closeAfterRequest', createTlsServer({cert: certs.good.cert, key: certs.good.key}, (s) => s.once('data', () => s.end())))
  ports.closeAfterRequest = await listen(quiet)
  // TLS completes, the request arrives, and nothing ever comes back.
  ports.noResponse = await listen(track('noResponse', createTlsServer({cert: certs.good.cert, key: certs.good.key}, () => undefined)))
  // A port that was just free and is closed again: connection refused.
  const probe = createNetServer()
  ports.refused = await listen(probe)
  await new Promise<void>((resolve) => probe.close(() => resolve()))

  return {
    certs,
    healthy: `127.0.0.1:${healthyPort}`,
    privateRegistry: `127.0.0.1:${privatePort}`,
    ports: ports as Record<Fault, number>,
    accepted,
    ref(fault) {
      const port = fault === 'healthy' ? healthyPort : fault === 'private' ? privatePort : fault === 'lateAuth' ? lateAuthPort : ports[fault]
      return `127.0.0.1:${port}/${REPO}:${TAG}`
    },
    async close() {
      for (const s of sockets) s.destroy()
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
      await certs.cleanup()
    },
  }
}
