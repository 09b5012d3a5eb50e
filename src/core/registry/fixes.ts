/** What to do about a verdict, in plain words. Pure: the verdict and a little context in, text out. */
import type {Category, LayerName} from './categories.js'

export type Scope = 'registry_specific' | 'general' | null

export interface FixContext {
  readonly category: Category
  readonly layer: LayerName | null
  readonly host: string | null
  readonly registryHost: string
  /** The registry as `docker login` names it: `docker.io`, `gcr.io`, `127.0.0.1:5444`. */
  readonly registryName: string
  readonly isDockerHub: boolean
  readonly scope: Scope
  readonly flaky: boolean
  readonly controlRef?: string
  /** True when the failing host is not the registry itself (token realm or blob CDN). */
  readonly otherHost: boolean
  /** What the Docker daemon cell said about a raised max-concurrent-downloads, when it did. */
  readonly concurrencyRaised?: string
}

function concurrencySentence(ctx: FixContext): string {
  return ctx.concurrencyRaised
    ? ` The Docker daemon cell found exactly that: ${ctx.concurrencyRaised}. Set it back to 3 (the reset-daemon-config recipe shows the diff first) and reload the daemon.`
    : ''
}

function scopeSentence(ctx: FixContext): string {
  if (ctx.scope === 'registry_specific') return ` The control registry (${ctx.controlRef ?? 'control'}) passes, so this machine's network works in general; the problem is on the way to ${ctx.host ?? ctx.registryHost}.`
  if (ctx.scope === 'general') return ` The control registry (${ctx.controlRef ?? 'control'}) fails too, so look at this machine's network, proxy or DNS first rather than at the registry.`
  return ''
}

/** Whether a host names its port: `h:5000`, `[::1]:5000`; not a bare IPv6 address (`::1`, `[::1]`), whose colons are the address's own. */
export function namesPort(host: string): boolean {
  if (host.startsWith('[')) return /\]:\d+$/.test(host)
  return /^[^:]*:\d+$/.test(host)
}

/** The fix text for a verdict. */
export function fixFor(ctx: FixContext): string {
  const host = ctx.host ?? ctx.registryHost
  const scope = scopeSentence(ctx)
  const quietClose = ctx.category === 'eof' || ctx.category === 'reset'
  if (ctx.flaky && (quietClose || ctx.category === 'tls_handshake_timeout' || ctx.category === 'http_429' || ctx.category === 'http_5xx')) {
    return (
      `Some parallel attempts pass and others fail: ${host} or something on the path drops connections when several open at once. ` +
      `This is the too-many-parallel-connections symptom: check max-concurrent-downloads in the Docker daemon cell (the default is 3; restore it, or lower it to 1-2 on a weak link) and reload the daemon (sudo systemctl reload docker).` +
      concurrencySentence(ctx) +
      scope
    )
  }
  switch (ctx.category) {
    case 'ok':
      return 'Nothing to fix.'
    case 'dns':
      return `The name ${host} does not resolve on this machine. Check /etc/resolv.conf and any VPN that changes DNS, then retry; if the daemon started before the network came up, restart it (sudo systemctl restart docker). The "dns" key in daemon.json only affects containers, not the daemon's own pulls.${scope}`
    case 'tcp_refused':
      return `Nothing accepts connections at ${host}${namesPort(host) ? '' : ' (port 443)'}, or a firewall rejects them. Check the registry address and port, and any firewall or VPN rules on this machine.${scope}`
    case 'net_unreachable':
      return `This machine has no route to ${host}'s address (ENETUNREACH/EHOSTUNREACH): no connection was attempted on the wire. Check the routing table (\`ip route\`), the VPN, and for an IPv6 address whether this network has IPv6 at all.${scope}`
    case 'tcp_timeout':
      return `Connections to ${host} get no answer at all: a firewall drops them or there is no route. Check outbound firewall rules, the VPN, and whether this network needs a proxy (HTTPS_PROXY, and the daemon's own proxy settings).${scope}`
    case 'eof':
    case 'reset': {
      const what = ctx.category === 'eof' ? 'closed the connection quietly (Go prints this as "EOF")' : 'reset the connection'
      if (ctx.layer === 'tls' || ctx.layer === 'tcp') {
        if (ctx.isDockerHub && ctx.scope === 'registry_specific') {
          return `${host} ${what} during the TLS handshake while the control registry works. The usual cause is too many parallel connections to Docker Hub: check max-concurrent-downloads in the Docker daemon cell (default 3) and reload the daemon.${concurrencySentence(ctx)} If it stays, Docker Hub may be having an incident (status.docker.com), or a filter on the path kills connections by name.`
        }
        return `${host} ${what} during the TLS handshake, before any HTTP was spoken. Something on the path (a firewall, a proxy or a filter that inspects the server name) is cutting the connection, or the server is refusing more connections.${scope}`
      }
      return `${host} ${what} after the ${ctx.layer ?? 'request'} request was sent, without an answer. This points at the server side (an incident: check the registry's status page) or a proxy in between; retry in a few minutes, and compare with the control registry.${scope}`
    }
    case 'tls_handshake_timeout':
      return `${host} accepted the connection but the TLS handshake never finished. Either the server does not answer, or large packets are lost on the way (an MTU problem: common with VPNs and nested Docker; compare the MTU of docker0 with your network interface in the daemon cell).${scope}`
    case 'x509':
      return `The TLS certificate of ${host} is not one docker would trust (see the detail: expired, for another name, or from an unknown issuer). If your network inspects TLS, put its CA certificate in the system store and in /etc/docker/certs.d/<registry host:port>/ca.crt, then restart the daemon. For a private registry, install its CA the same way.${scope}`
    case 'http_401':
      return ctx.layer === 'token'
        ? `The token server refused the credentials docker would send. Run "docker login${ctx.isDockerHub ? '' : ` ${ctx.registryName}`}" again (or "docker logout${ctx.isDockerHub ? '' : ` ${ctx.registryName}`}" to pull anonymously) and retry.`
        : `The registry asks for credentials this probe does not have, or the repository does not exist. Check the repository name, then run "docker login${ctx.isDockerHub ? '' : ` ${ctx.registryName}`}" if it is private.`
    case 'http_403':
      return `${host} refuses access (403): the account has no pull rights on this repository, or the registry blocks your network or region. Check the name and your access, or pull through a mirror you are allowed to use.`
    case 'http_404':
      return ctx.layer === 'platform'
        ? 'The image exists, but not for the platform asked for. Pick another tag that has this platform, or pass --platform with one the index lists.'
        : ctx.layer === 'blob'
          ? `The registry lists a layer it cannot serve (404 on the blob). The image in ${host} is broken: push it again, or use another tag.`
          : 'The tag or repository does not exist on this registry. Check the spelling and that the tag was published (for a dagger dev build, check which version your checkout expects).'
    case 'http_429':
      return ctx.isDockerHub
        ? 'Docker Hub is rate-limiting this address. Log in ("docker login") for a higher limit, wait for the window to reset, or configure a pull-through mirror (registry-mirrors in daemon.json, e.g. mirror.gcr.io).'
        : `${host} is rate-limiting this address. Wait for the window to reset, authenticate, or reduce parallel pulls.`
    case 'http_5xx':
      return `${host} answers with a server error: the registry (or a proxy in front of it) is having trouble. Check its status page and retry later; nothing on this machine needs changing.${scope}`
    case 'proxy':
      return 'The proxy in HTTPS_PROXY refused or failed the connection. Check the proxy address, its credentials, and NO_PROXY (registries that must go direct belong there). The daemon has its own proxy settings ("proxies" in daemon.json or a systemd drop-in); keep them in line with the shell.'
    case 'not_a_registry':
      return `Something other than a registry answered at ${host}: the wrong host or port, a proxy's error page or a network login page (see the detail for what came back). Open the URL in a browser to see what answers.${scope}`
    case 'plain_http':
      return `${host} answered plain HTTP on a port this reference reaches over HTTPS (the detail quotes its answer). If it is meant to be a plain-HTTP registry, "insecure-registries" in daemon.json is where docker is told so; otherwise use the registry's TLS port.${scope}`
    case 'http2_only':
      return `${host} speaks TLS but offers only HTTP/2 (ALPN h2), and this probe speaks HTTP/1.1, so nothing past TLS was checked. Pull with docker to see whether the registry answers there, or put an HTTP/1.1-capable front in place.${scope}`
    case 'tls_alert':
      return `${host} ended the TLS handshake with an alert (named in the detail): it speaks TLS but refused this handshake, typically over a protocol version, cipher or client certificate it wants. Check the registry's TLS settings, and /etc/docker/certs.d/<host:port>/ for a client certificate it may require.${scope}`
    case 'not_http':
    case 'http_version':
    case 'headers_too_large':
      return `${host} completed TLS but its answer is no HTTP/1.1 response a registry sends (see the detail). Check that the port is the registry's and not another service's, and what runs there (\`curl -v https://${host}/v2/\`).${scope}`
    case 'client_timeout':
      return `${host} accepted the request but sent no answer within the timeout. The server is overloaded or a middlebox holds the connection; retry, and compare with the control registry.${scope}`
  }
}
