/**
Classifies one failure statement (an error message, already joined from its wrapped lines) into the
explainer's vocabulary, and reads what it was doing: the request, its URL and host, the image.
Go's errors wrap from outside in (`Head "URL": Get "TOKEN-URL": EOF`), so the innermost request is
the last one in the text and the cause is at its end.
*/
import type {ExplainCategory} from './categories.js'
import {hostOfUrl, imageRefsInLine, parseRegistryUrl, refOfRegistryUrl, type RegistryUrl} from './image-ref.js'
import {CAUSE_RULES, WRAPPER_RULES, type JourneyRule} from './journey-rules.js'

export interface Classification {
  readonly category: ExplainCategory
  /** What failed: `manifest HEAD`, `blob GET`, `token GET`, `ping GET`, `DNS lookup`, `dial`, ... */
  readonly op: string
  readonly url: string | null
  readonly host: string | null
  readonly ref: string | null
  /** The repository without tag or digest, for grouping repeats of blob failures. */
  readonly repository: string | null
  /** The innermost cause: the message from where its cause is named, for telling repeats apart from new failures. */
  readonly cause: string
  /** What this particular message means beyond its category, when the rule that matched knows more. */
  readonly hint: string | null
}

interface Rule {
  readonly category: ExplainCategory
  readonly pattern: RegExp
}

const NETWORK_RULES: readonly Rule[] = [
  {category: 'proxy', pattern: /proxyconnect|Proxy Authentication Required|Proxy response \(\d+\)|\bproxy\b.*\b407\b/i},
  {
    category: 'dns',
    pattern:
      /\blookup \S+(?: on \S+)?: |no such host|Temporary failure in name resolution|server misbehaving|\bENOTFOUND\b|\bEAI_AGAIN\b|Could not resolve host|Name or service not known/,
  },
  {category: 'tls_handshake_timeout', pattern: /TLS handshake timeout/i},
  {
    category: 'tcp_timeout',
    pattern: /dial tcp \S+: (?:i\/o timeout|connect: connection timed out)|connect: connection timed out|\bETIMEDOUT\b|UND_ERR_CONNECT_TIMEOUT|Connect Timeout Error/,
  },
  {
    category: 'client_timeout',
    pattern: /Client\.Timeout exceeded|context deadline exceeded|request canceled|timeout awaiting response headers|UND_ERR_(?:HEADERS|BODY)_TIMEOUT|read tcp \S+: (?:read: )?i\/o timeout/,
  },
  {category: 'tcp_timeout', pattern: /i\/o timeout/},
  // No route is not a refusal: nothing reached the wire (diagnose's net_unreachable says the same).
  {
    category: 'net_unreachable',
    pattern: /network is unreachable|no route to host|cannot assign requested address|\bE(?:NET|HOST)UNREACH\b|\bEADDRNOTAVAIL\b/,
  },
  {category: 'tcp_refused', pattern: /connection refused|\bECONNREFUSED\b/},
  // Node's words for a quiet close (Go's `EOF`), before the resets.
  {category: 'eof', pattern: /socket hang up|disconnected before secure TLS connection|\bEPIPE\b/},
  {category: 'reset', pattern: /connection reset|\bECONNRESET\b|broken pipe|forcibly closed|GOAWAY|stream error: stream ID \d+; INTERNAL_ERROR/i},
  {
    category: 'x509',
    pattern:
      /\bx509:|certificate (?:signed by unknown authority|has expired|is not yet valid|is valid for)|tls: failed to verify certificate|CERT_HAS_EXPIRED|UNABLE_TO_(?:GET_ISSUER_CERT|VERIFY_LEAF)|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|ERR_TLS_CERT_ALTNAME_INVALID|self[- ]signed certificate|unable to verify the first certificate/i,
  },
  {
    category: 'http_401',
    pattern: /pull access denied|\bunauthorized\b|authentication required|\b401 Unauthorized|\bstatus(?: code)?:? 401\b|incorrect username or password/i,
  },
  {
    category: 'http_403',
    pattern: /\b403 Forbidden|\bstatus(?: code)?:? 403\b|\bdenied: |\bDENIED\b|requested access to the resource is denied|\bforbidden\b/i,
  },
  {
    category: 'http_404',
    pattern:
      /manifest unknown|blob unknown|name unknown|\b(?:NAME|MANIFEST|BLOB)_UNKNOWN\b|\b404 Not Found|\bstatus(?: code)?:? 404\b|no matching manifest for|manifest for \S+ not found|[a-z0-9][\w./-]*[:@][\w.:-]+: not found\b/i,
  },
  {
    category: 'http_5xx',
    pattern:
      /\b5\d\d (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)|\bstatus(?: code)?:? 5\d\d\b|Internal Server Error|Service Unavailable|Bad Gateway|Gateway Time-?out|unexpected status(?: code)?:? 5\d\d|HTTP status:? 5\d\d/i,
  },
  {
    category: 'not_a_registry',
    pattern:
      /invalid character '<' looking for beginning of value|<html|<!DOCTYPE|\btext\/html\b|server gave HTTP response to HTTPS client|first record does not look like a TLS handshake|ERR_SSL_WRONG_VERSION_NUMBER|wrong version number|not a (?:valid )?(?:v2 )?registry/i,
  },
  // Go prints `: EOF` (or `unexpected EOF`); a wrapped message may leave `EOF` alone.
  {category: 'eof', pattern: /(?::\s*|unexpected )EOF\b|^EOF$|UND_ERR_SOCKET|other side closed/},
]

/** An error the explainer reports even when it cannot say more: `other`. */
const GENERIC_ERROR = /\bERROR\b|\b[Ee]rror\b|level=(?:error|fatal)|(?<!\b0 )\bfailed\b|\bfatal:|\bpanic:/

// `Head "URL"` (Go), `Get URL` (old Go), `HEAD request to URL` (containerd status errors).
const WARNING = /\blevel=warn|\bWARN\[|^WARN(?:ING)?\b|\[WARN(?:ING)?\]/

const HTTP_CALL = /\b(Head|Get|Post|Put|Patch|Delete|HEAD|GET|POST|PUT|PATCH|DELETE)\s+(?:request to\s+)?"?(https?:\/\/[^\s"'<>]+)/g
const BARE_URL = /\bhttps?:\/\/[^\s"'<>]+/g

function trimUrl(url: string): string {
  return url.replace(/[:,;.)\]}]+$/, '')
}

interface Call {
  readonly method: string
  readonly url: string
  readonly parsed: RegistryUrl | null
}

function callsIn(text: string): Call[] {
  const calls: Call[] = []
  for (const m of text.matchAll(HTTP_CALL)) {
    const url = trimUrl(m[2] ?? '')
    calls.push({method: (m[1] ?? 'GET').toUpperCase(), url, parsed: parseRegistryUrl(url)})
  }
  if (calls.length > 0) return calls
  for (const m of text.matchAll(BARE_URL)) {
    const url = trimUrl(m[0])
    const parsed = parseRegistryUrl(url)
    // Without a method, only registry API URLs are requests: others are links in the message (docs, rate-limit pages).
    if (parsed === null || parsed.call === 'http') continue
    calls.push({method: 'GET', url, parsed})
  }
  return calls
}

function opOf(call: Call): string {
  switch (call.parsed?.call) {
    case 'manifest':
      return `manifest ${call.method}`
    case 'blob':
      return `blob ${call.method}`
    case 'token':
      return `token ${call.method}`
    case 'ping':
      return `ping ${call.method}`
    default:
      return `${call.method} request`
  }
}

const LOOKUP_HOST = /\blookup ([^\s:]+)/
const DIAL_ADDRESS = /\b(?:dial tcp |(?:read|write) tcp \S+->)(\[[^\]]+\]:\d+|[^\s:]+:\d+)/g
const PROXY_ADDRESS = /proxyconnect tcp: (?:dial tcp |tls: )?(\[[^\]]+\]:\d+|[^\s:]+:\d+)?/
const DOCKER_HOST = /(?:unix|tcp|npipe|ssh):\/\/[^\s"',;]+/

function lastMatch(pattern: RegExp, text: string): string | null {
  let last: string | null = null
  for (const m of text.matchAll(pattern)) last = m[1] ?? null
  return last
}

function networkOp(category: ExplainCategory, text: string): string {
  if (category === 'proxy') return 'proxy connect'
  if (category === 'dns' || LOOKUP_HOST.test(text)) return 'DNS lookup'
  if (category === 'tls_handshake_timeout' || category === 'x509') return 'TLS handshake'
  if (/\bdial tcp\b|\bconnect: /.test(text)) return 'dial'
  if (/\b(?:read|write) tcp\b/.test(text)) return 'read'
  return 'unknown'
}

/** The image a statement is about: from a manifest URL first (it has the tag), then blob, token, then step names. */
function imageOf(calls: readonly Call[], text: string): {ref: string | null; repository: string | null} {
  for (const kind of ['manifest', 'blob', 'token'] as const) {
    for (const call of calls) {
      if (call.parsed?.call === kind) {
        const ref = refOfRegistryUrl(call.parsed)
        if (ref !== null) return {ref, repository: call.parsed.repository}
      }
    }
  }
  const named = imageRefsInLine(text)[0] ?? null
  return {ref: named, repository: null}
}

interface Hit {
  readonly category: ExplainCategory
  /** Where the phrase that decided starts: the cause is named from here on. */
  readonly at: number
  readonly hint: string | null
}

const ENGINE = new Set<ExplainCategory>(['engine_start', 'engine_unreachable'])

/** The innermost match of a rule list: the one that starts last (Go wraps outside in), the earlier rule on a tie. */
function innermost(rules: readonly JourneyRule[], text: string): Hit | null {
  let best: Hit | null = null
  for (const rule of rules) {
    if (!rule.pattern.test(text)) continue
    let at = -1
    for (const m of text.matchAll(globalOf(rule.pattern))) at = m.index
    if (best === null || at > best.at) best = {category: rule.category, at, hint: rule.hint ?? null}
  }
  return best
}

const GLOBAL = new WeakMap<RegExp, RegExp>()

/** The same pattern with the `g` flag, for finding its last match. */
function globalOf(pattern: RegExp): RegExp {
  let g = GLOBAL.get(pattern)
  if (g === undefined) {
    g = new RegExp(pattern.source, `${pattern.flags}g`)
    GLOBAL.set(pattern, g)
  }
  return g
}

function networkHit(text: string): Hit | null {
  for (const rule of NETWORK_RULES) {
    const m = rule.pattern.exec(text)
    if (m !== null) return {category: rule.category, at: m.index, hint: null}
  }
  return null
}

function categoryOf(text: string, hasRegistryUrl: boolean): Hit | null {
  const cause = innermost(CAUSE_RULES, text)
  const network = cause === null || ENGINE.has(cause.category) ? networkHit(text) : null
  // An engine error that carries a registry call failed on the registry (pulling the engine image, say).
  if (cause !== null && !(ENGINE.has(cause.category) && hasRegistryUrl && network !== null)) return cause
  const wrapper = innermost(WRAPPER_RULES, text)
  if (network !== null) {
    // git, go or the engine session could not reach its host: say which, unless a registry call or a proxy is the cause.
    if (wrapper !== null && !hasRegistryUrl && network.category !== 'proxy') return {...wrapper, at: network.at}
    return network
  }
  const alone = innermost(WRAPPER_RULES.filter((r) => r.alone !== false), text)
  if (alone !== null) return alone
  // A warning that names no known cause is not a failure (`level=warning msg="failed to read config"`).
  if (WARNING.test(text)) return null
  return GENERIC_ERROR.test(text) ? {category: 'other', at: 0, hint: null} : null
}

const GIT_URL = /(?:https?|ssh|git):\/\/[^\s'"<>]+|\b[\w.-]+@[\w.-]+:[\w./~-]+/
const GIT_SSH_HOST = /\b[\w.-]+@([\w-]+(?:\.[\w-]+)+):|ssh: (?:connect to host|Could not resolve hostname) ([\w.-]+)/
const ENGINE_CONTAINER = /docker exec -i (\S+)|container exec -i (\S+)|docker-(?:container|image):\/\/([^\s"'/?]+)|No such container:?\s*(\S+)|container (\S+) is not running/
const LOOPBACK_PORT = /Failed to connect to (\S+) port (\d+)/i
const VOLATILE = /\b(?:[0-9a-f]{12,}|\d+(?:\.\d+)*)\b/g

/** Op, host and URL for the journey categories, which name no registry request. */
function journeyWhere(category: ExplainCategory, text: string): {op: string; host: string | null; url: string | null} | null {
  switch (category) {
    case 'git': {
      const url = GIT_URL.exec(text)?.[0]?.replace(/[:,;.)\]}']+$/, '') ?? null
      const transport = url === null ? 'git' : /^https?:/.test(url) ? 'https' : url.startsWith('git://') ? 'git' : 'ssh'
      const sshHost = GIT_SSH_HOST.exec(text)
      if (url === null && sshHost !== null) return {op: 'git fetch (ssh)', host: sshHost[1] ?? sshHost[2] ?? null, url: null}
      const host = url === null ? null : (/^[a-z]+:\/\/(?:[^@/]+@)?([^/:]+)/.exec(url)?.[1] ?? /@([^:]+):/.exec(url)?.[1] ?? null)
      return {op: `git fetch (${transport})`, host, url}
    }
    case 'disk_full':
      return {op: 'write', host: null, url: null}
    case 'version_skew':
      return {op: 'version check', host: null, url: null}
    case 'platform':
      return {op: 'platform', host: null, url: null}
    case 'go_toolchain':
      return {op: 'go', host: /\b((?:proxy|sum)\.golang\.org)\b/.exec(text)?.[1] ?? null, url: null}
    case 'usage':
      return {op: 'pipeline call', host: null, url: null}
    default:
      return null
  }
}

/** Classifies a statement; null when it is no failure at all (`github.com/pkg/errors`, `0 failed`). */
export function classifyStatement(text: string): Classification | null {
  const calls = callsIn(text)
  const hasRegistryUrl = calls.some((c) => c.parsed !== null && c.parsed.call !== 'http')
  const hit = categoryOf(text, hasRegistryUrl)
  if (hit === null) return null
  const category = hit.category
  const cause = text.slice(hit.at).replace(VOLATILE, '#').replace(/\s+/g, ' ').slice(0, 160)
  const journey = journeyWhere(category, text)
  if (journey !== null) {
    const {ref, repository} = category === 'platform' ? imageOf(calls, text) : {ref: null, repository: null}
    return {category, ...journey, ref, repository, cause, hint: hit.hint}
  }
  const innermost = calls.at(-1)
  const {ref, repository} = imageOf(calls, text)
  let op: string
  let host: string | null = innermost ? hostOfUrl(innermost.url) : null
  if (category === 'docker_unavailable') {
    op = 'docker socket'
    host = DOCKER_HOST.exec(text)?.[0]?.replace(/\.$/, '') ?? null
  } else if (category === 'engine_unreachable' || category === 'engine_start') {
    op = category === 'engine_start' ? 'engine start' : 'engine connect'
    // The engine container when the message names it; the dagger session URL (http://dagger/query) says nothing.
    const named = ENGINE_CONTAINER.exec(text)
    host = named?.slice(1).find((g) => g !== undefined) ?? DOCKER_HOST.exec(text)?.[0]?.replace(/\.$/, '') ?? null
  } else if (innermost !== undefined) {
    op = opOf(innermost)
  } else {
    op = networkOp(category, text)
    // A status the registry gave while resolving a named image (buildkit's `...: not found`).
    if (op === 'unknown' && ref !== null && (category.startsWith('http_') || category === 'rate_limit')) op = 'resolve image'
    if (op === 'unknown' && category === 'rate_limit') op = 'pull'
  }
  if (category === 'dns') host = LOOKUP_HOST.exec(text)?.[1]?.toLowerCase() ?? host
  if (category === 'proxy') {
    const loop = LOOPBACK_PORT.exec(text)
    host = PROXY_ADDRESS.exec(text)?.[1] ?? (loop ? `${loop[1]}:${loop[2]}` : host)
  }
  if (host === null && (category === 'tcp_refused' || category === 'net_unreachable' || category === 'tcp_timeout' || category === 'reset')) {
    host = lastMatch(DIAL_ADDRESS, text)
  }
  if (op === 'unknown' && category === 'other') op = 'step'
  // The daemon socket shows up as `http://%2Fvar%2Frun%2Fdocker.sock/...`: not a URL worth showing.
  const url = category === 'docker_unavailable' || category === 'engine_unreachable' || category === 'engine_start' || innermost === undefined ? null : innermost.url
  return {category, op, url, host, ref, repository, cause, hint: hit.hint}
}
