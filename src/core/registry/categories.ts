/**
The fixed vocabulary a diagnosis speaks, and the mapping from Node/undici errors to it. Node reports
failures far more precisely than Go's bare `EOF`; the mapping follows the loopback fault matrix in
the registry reference (§5.1).
*/

export const CATEGORIES = [
  'ok',
  'dns',
  'tcp_refused',
  'net_unreachable',
  'tcp_timeout',
  'reset',
  'eof',
  'tls_handshake_timeout',
  'x509',
  'plain_http',
  'http2_only',
  'tls_alert',
  'not_http',
  'http_version',
  'headers_too_large',
  'http_401',
  'http_403',
  'http_404',
  'http_429',
  'http_5xx',
  'proxy',
  'not_a_registry',
  'client_timeout',
] as const
export type Category = (typeof CATEGORIES)[number]

/** Response headers larger than this end the request (Go's client allows more; no registry sends this much). */
export const HEADER_LIMIT_BYTES = 64 * 1024

/** The layers in the order a pull goes through them. `proxy` is the CONNECT tunnel when a proxy is used. */
export const LAYERS = ['dns', 'tcp', 'proxy', 'tls', 'ping', 'token', 'manifest', 'platform', 'blob'] as const
export type LayerName = (typeof LAYERS)[number]

export type LayerStatus = 'ok' | 'fail' | 'skipped'

export interface LayerResult {
  readonly name: LayerName
  readonly host: string
  /** The address this layer talked to, or null when it did not get that far (or a proxy resolved it). */
  readonly address: string | null
  readonly family: 4 | 6 | null
  readonly status: LayerStatus
  readonly ms: number
  readonly category: Category
  /** Plain words: what was seen. Never carries credentials or tokens. */
  readonly detail: string
}

/** A failure at one layer, classified. Thrown inside the prober and turned into a `LayerResult`. */
export class LayerFailure extends Error {
  override readonly name = 'LayerFailure'
  constructor(
    readonly category: Category,
    message: string,
  ) {
    super(message)
  }
}

interface ErrorLike {
  code?: unknown
  message?: unknown
  syscall?: unknown
  cause?: unknown
  name?: unknown
}

function codeOf(error: unknown): string {
  const e = error as ErrorLike | null
  if (e && typeof e.code === 'string') return e.code
  if (e && e.cause) return codeOf(e.cause)
  return ''
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as ErrorLike).cause
    return cause instanceof Error && cause.message !== error.message ? `${error.message} (${cause.message})` : error.message
  }
  return String(error)
}

const X509_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
])

/**
Classifies an error raised at `layer`. Connection-level errors mean the same thing at every layer;
the layer decides how a timeout reads (a stalled TCP connect is not a stalled TLS handshake).
*/
export function classifyError(error: unknown, layer: LayerName): {category: Category; detail: string} {
  if (error instanceof LayerFailure) return {category: error.category, detail: error.message}
  const code = codeOf(error)
  const message = messageOf(error)
  const name = (error as ErrorLike | null)?.name
  const detail = code && !message.includes(code) ? `${code}: ${message}` : message

  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_NODATA' || code === 'EAI_FAIL') {
    return {category: 'dns', detail}
  }
  if (code === 'ECONNREFUSED') return {category: layer === 'proxy' ? 'proxy' : 'tcp_refused', detail}
  // No route is not a refusal: nothing on the far side was reached at all.
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH' || code === 'EADDRNOTAVAIL') {
    return {category: layer === 'proxy' ? 'proxy' : 'net_unreachable', detail: `${detail} (this machine has no route to that address)`}
  }
  if (X509_CODES.has(code) || /certificate|x509/i.test(code)) return {category: 'x509', detail}
  const alert = /ALERT_(\w+)$/.exec(code)?.[1]
  if (alert) {
    // The server spoke TLS and ended the handshake with an alert: it is no "not TLS" server.
    return {category: 'tls_alert', detail: `the server answered the TLS handshake with the alert ${alert.toLowerCase()}${/SSL alert number (\d+)/.exec(message) ? ` (TLS alert ${/SSL alert number (\d+)/.exec(message)?.[1]})` : ''}`}
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO' || /^ERR_SSL_/.test(code)) {
    // The bytes that came back are no TLS record; the prober checks whether they are plain HTTP.
    return {category: 'not_a_registry', detail: `${detail} (the answer was not a TLS record)`}
  }
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return {category: 'headers_too_large', detail: `the response headers exceeded ${HEADER_LIMIT_BYTES} bytes without ending`}
  if (code === 'HPE_INVALID_VERSION' || /Invalid HTTP version/i.test(message)) return {category: 'http_version', detail: `the answer names an HTTP version other than 1.0 or 1.1 (${message})`}
  if (/^HPE_/.test(code) || /does not match the HTTP\/1\.1 protocol/i.test(message)) return {category: 'not_http', detail: `the answer is not an HTTP response (${message})`}
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return {category: layer === 'tcp' ? 'tcp_timeout' : 'tls_handshake_timeout', detail}
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return {category: 'client_timeout', detail}
  if (code === 'ETIMEDOUT' || name === 'TimeoutError' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED') {
    if (/proxy/i.test(message)) return {category: 'proxy', detail}
    if (layer === 'dns') return {category: 'dns', detail}
    if (layer === 'tcp') return {category: 'tcp_timeout', detail}
    if (layer === 'tls') return {category: 'tls_handshake_timeout', detail}
    return {category: 'client_timeout', detail}
  }
  if (code === 'ECONNRESET') {
    // Node says "Client network socket disconnected before secure TLS connection was established"
    // for a quiet close (FIN) during the handshake, and "read ECONNRESET" for a real reset.
    if (/disconnected before secure TLS|socket hang up/i.test(message)) return {category: 'eof', detail}
    return {category: 'reset', detail}
  }
  if (code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    if (/reset/i.test(message)) return {category: 'reset', detail}
    return {category: 'eof', detail}
  }
  if (code === 'UND_ERR_INFO' || /proxy/i.test(message)) return {category: 'proxy', detail}
  return {category: 'eof', detail: detail || 'the connection ended without an answer'}
}

/** Category for an HTTP status that is not the one a layer expects. */
export function categoryForStatus(status: number): Category {
  if (status === 401) return 'http_401'
  if (status === 403) return 'http_403'
  if (status === 404) return 'http_404'
  if (status === 429) return 'http_429'
  if (status >= 500) return 'http_5xx'
  if (status === 407) return 'proxy'
  return 'not_a_registry'
}
