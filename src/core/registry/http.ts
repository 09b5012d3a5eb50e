/**
HTTP over the connection the layers already opened. Each origin gets an undici `Client` whose
connector hands over the inspected socket first and opens later connections the same way (pinned
address, same trust, same proxy), so a request never silently takes another path than the one the
layers checked.
*/
import type {Socket} from 'node:net'
import type {TrustStore} from './trust.js'
import {Client} from 'undici'
import {HEADER_LIMIT_BYTES, LayerFailure} from './categories.js'
import {handshake, openTcp, tunnelThroughProxy, type Address} from './connect.js'
import type {ProxyChoice} from './proxy.js'

export interface Origin {
  readonly protocol: 'https:' | 'http:'
  readonly host: string
  readonly port: number
  /** `host:port` with brackets for IPv6, as in a URL. */
  readonly authority: string
}

export interface Route {
  /** The address connected to: the registry's, or the proxy's when one is used. */
  readonly address: Address
  readonly proxy?: ProxyChoice
}

export function originOf(url: URL): Origin {
  const protocol = url.protocol === 'http:' ? 'http:' : 'https:'
  const port = url.port === '' ? (protocol === 'http:' ? 80 : 443) : Number(url.port)
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const hostPart = host.includes(':') ? `[${host}]` : host
  return {protocol, host, port, authority: `${hostPart}:${port}`}
}

/** Opens a fresh connection along a route, TLS included, refusing certificates the layers would refuse. */
export async function openRoute(origin: Origin, route: Route, trust: TrustStore, timeoutMs: number): Promise<Socket> {
  const port = route.proxy ? Number(route.proxy.url.port || (route.proxy.url.protocol === 'https:' ? 443 : 80)) : origin.port
  let socket: Socket = await openTcp(route.address, port, timeoutMs)
  if (route.proxy) {
    if (route.proxy.url.protocol === 'https:') socket = (await handshake(socket, route.proxy.url.hostname, trust, timeoutMs)).socket
    await tunnelThroughProxy(socket, route.proxy, origin.authority, timeoutMs)
  }
  if (origin.protocol === 'http:') return socket
  const {socket: tlsSocket, info} = await handshake(socket, origin.host, trust, timeoutMs)
  if (info.problem) {
    tlsSocket.destroy()
    throw new LayerFailure('x509', info.problem)
  }
  return tlsSocket
}

export interface HttpClient {
  readonly origin: Origin
  request(options: RequestOptions): Promise<HttpResponse>
  close(): Promise<void>
}

export interface RequestOptions {
  readonly method: 'GET' | 'HEAD'
  /** Path and query. */
  readonly path: string
  readonly headers?: Record<string, string>
  /** Bytes of body kept; the rest is not read. */
  readonly maxBody?: number
}

export interface HttpResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: Buffer
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
  return out
}

/** A client for one origin along one route; `first` is an already inspected socket to use first. */
export function createClient(origin: Origin, route: Route, trust: TrustStore, timeoutMs: number, first?: Socket): HttpClient {
  let spare = first
  const client = new Client(`${origin.protocol}//${origin.authority}`, {
    connect: (_options, callback) => {
      const ready = spare
      spare = undefined
      if (ready && !ready.destroyed && ready.readyState === 'open') {
        // undici expects the callback after the connector returns (its resume loop is not re-entrant).
        setImmediate(() => callback(null, ready))
        return
      }
      openRoute(origin, route, trust, timeoutMs).then(
        (socket) => callback(null, socket),
        (error: Error) => callback(error, null),
      )
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    maxHeaderSize: HEADER_LIMIT_BYTES,
    keepAliveTimeout: 10_000,
    pipelining: 1,
  })
  return {
    origin,
    async request(options) {
      const response = await client.request({
        method: options.method,
        path: options.path,
        headers: {'user-agent': 'dagger-explore-diagnose', ...options.headers},
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs * 2),
        // undici closes after every HEAD by default; Go (and so docker) keeps the connection, and a
        // puller's whole resolve-and-fetch runs over one connection per host.
        reset: false,
      })
      const limit = options.maxBody ?? 1024 * 1024
      const chunks: Buffer[] = []
      let size = 0
      if (options.method === 'HEAD') {
        await response.body.dump()
      } else {
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          chunks.push(chunk)
          size += chunk.length
          if (size >= limit) {
            response.body.destroy()
            break
          }
        }
      }
      return {status: response.statusCode, headers: flattenHeaders(response.headers), body: Buffer.concat(chunks).subarray(0, limit)}
    },
    async close() {
      spare?.destroy()
      await client.destroy().catch(() => undefined)
    },
  }
}
