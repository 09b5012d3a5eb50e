/**
The vocabulary the explainer speaks: the registry categories `diagnose` uses, plus the engine-side
failures a build log shows before any registry is reached, plus `other` for every other error.
Each category carries one plain-language meaning and one fix, printed next to the failures.
*/

import {CATEGORIES, type Category} from '../registry/categories.js'

/** The registry vocabulary (one list, shared with `diagnose`), less `ok`. */
export type RegistryFailure = Exclude<Category, 'ok'>
export type ExplainCategory = RegistryFailure | 'docker_unavailable' | 'engine_unreachable' | 'engine_start' | 'other'

/** Categories a registry probe can look into; `diagnose` is offered only for these. */
export const REGISTRY_CATEGORIES: ReadonlySet<ExplainCategory> = new Set(CATEGORIES.filter((c): c is RegistryFailure => c !== 'ok'))

export const EXPLAIN_CATEGORIES: readonly ExplainCategory[] = [...REGISTRY_CATEGORIES, 'docker_unavailable', 'engine_unreachable', 'engine_start', 'other']

export interface CategoryAdvice {
  /** What the error says happened, in one line. */
  readonly meaning: string
  /** What to do next, in one line. */
  readonly fix: string
}

export const CATEGORY_ADVICE: Readonly<Record<ExplainCategory, CategoryAdvice>> = {
  dns: {
    meaning: 'The registry host name could not be resolved: the daemon never reached the network.',
    fix: 'Check the host resolver (/etc/resolv.conf, VPN, systemd-resolved) and that the daemon started after the network; daemon.json "dns" does not help the daemon\'s own pulls.',
  },
  tcp_refused: {
    meaning: 'The address answered but nothing listens on that port (or a firewall rejects it).',
    fix: 'Check the registry address and port, the proxy settings, and any firewall between you and it.',
  },
  tcp_timeout: {
    meaning: 'Connecting to the registry got no answer at all: packets are dropped on the way.',
    fix: 'Check the route, firewall and proxy; compare IPv4 with IPv6 (a broken IPv6 path looks like this).',
  },
  reset: {
    meaning: 'The connection was cut with a reset: the registry, a proxy or a middlebox refused to go on.',
    fix: 'Lower max-concurrent-downloads in daemon.json, check for a proxy or TLS inspection, then retry.',
  },
  eof: {
    meaning: 'The connection was accepted and then closed quietly before an answer: this alone cannot say which layer closed it.',
    fix: 'Run diagnose on the reference to find the layer; too many parallel connections (a raised max-concurrent-downloads) is the usual cause on Docker Hub.',
  },
  tls_handshake_timeout: {
    meaning: 'TCP connected but the TLS handshake never finished: often an MTU black hole, a VPN or a stalled proxy.',
    fix: 'Compare the docker0 and egress MTU (set "mtu" in daemon.json), and try from the host network.',
  },
  x509: {
    meaning: 'The registry certificate is not trusted (unknown authority, expired or wrong name): usually TLS inspection by a corporate proxy.',
    fix: 'Put the proxy\'s CA in the system store or /etc/docker/certs.d/<registry>/ca.crt, then restart the daemon.',
  },
  http_401: {
    meaning: 'The registry asked for credentials or refused them (Docker Hub also says this for a repository that does not exist).',
    fix: 'Check the image name, then run `docker login <registry>` with working credentials.',
  },
  http_403: {
    meaning: 'The registry understood who you are and still refused access.',
    fix: 'Check the account has pull access to this repository, or that a proxy is not blocking it.',
  },
  http_404: {
    meaning: 'The repository, tag or platform does not exist on that registry.',
    fix: 'Check the name and tag (`docker buildx imagetools inspect REF` lists the platforms).',
  },
  http_429: {
    meaning: 'The registry is rate-limiting you (Docker Hub pull limits).',
    fix: 'Run `docker login`, use a pull-through mirror (registry-mirrors or mirror.gcr.io), or wait for the limit to reset.',
  },
  http_5xx: {
    meaning: 'The registry (or its CDN) failed on its side.',
    fix: 'Wait and retry; check the registry\'s status page (status.docker.com for Docker Hub).',
  },
  proxy: {
    meaning: 'The HTTP proxy in the way could not be reached or refused the tunnel.',
    fix: 'Check the daemon\'s proxy ("proxies" in daemon.json or the systemd drop-in): an http:// scheme, reachable, with credentials if it needs them.',
  },
  not_a_registry: {
    meaning: 'Something answered that is not a registry speaking HTTPS: an HTML page (captive portal, proxy block page) or a plain-HTTP server.',
    fix: 'Log in to the network\'s captive portal or fix the proxy; for a plain-HTTP registry add it to "insecure-registries".',
  },
  client_timeout: {
    meaning: 'A connection was made but the answer did not come within the client\'s time limit.',
    fix: 'Retry; if it repeats, check for a slow proxy or a throttled link, and run diagnose to see which layer stalls.',
  },
  docker_unavailable: {
    meaning: 'The Docker daemon could not be reached through its socket (not running, or no permission).',
    fix: 'Start the daemon (`sudo systemctl start docker`) or add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again).',
  },
  engine_unreachable: {
    meaning: 'The Dagger CLI could not connect to the Dagger engine (buildkitd) it expected to find.',
    fix: 'Check _EXPERIMENTAL_DAGGER_RUNNER_HOST and that the engine container is running (`docker ps -a`, `docker logs <engine>`).',
  },
  engine_start: {
    meaning: 'The Dagger engine container failed to start.',
    fix: 'Read `docker logs <engine container>`; the engine needs --privileged and a working cgroup setup.',
  },
  other: {
    meaning: 'A failure the explainer does not classify further.',
    fix: 'Read the text shown; it is the first occurrence in the log.',
  },
}
