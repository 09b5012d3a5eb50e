/**
The fixed vocabulary a diagnosis speaks, and the mapping from Node/undici errors to it. Node reports
failures far more precisely than Go's bare `EOF`; the mapping follows the loopback fault matrix in
the registry reference (§5.1).
*/

export const CATEGORIES = [
  'ok',
  'dns',
  'tcp_refused',
  'tcp_timeout',
  'reset',
  'eof',
  'tls_handshake_timeout',
  'x509',
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
  if (code === 'ECONNREFUSED' || code === 'ENETUNREACH' || code === 'EHOSTUNREACH' || code === 'EADDRNOTAVAIL') {
    return {category: layer === 'proxy' ? 'proxy' : 'tcp_refused', detail}
  }
  if (X509_CODES.has(code) || /certificate|x509/i.test(code)) return {category: 'x509', detail}
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO' || /^ERR_SSL_/.test(code)) {
    // Something answered, but not with TLS: usually plain HTTP on a TLS port, or a proxy page.
    return {category: 'not_a_registry', detail: `${detail} (the server did not speak TLS)`}
  }
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
