/**
The vocabulary the explainer speaks: the registry categories `diagnose` uses, plus the engine-side
failures a build log shows before any registry is reached, plus `other` for every other error.
Each category carries one plain-language meaning and one fix, printed next to the failures.
*/

import {CATEGORIES, type Category} from '../registry/categories.js'

/**
The registry vocabulary (one list, shared with `diagnose`), less `ok`; a 429 is `rate_limit` here,
because in a build log it is always a pull quota (Docker Hub's, mostly) and its fix is the same.
*/
export type RegistryFailure = Exclude<Category, 'ok' | 'http_429'>

/** What goes wrong on the rest of the journey: the engine, Docker, git, disks, versions, the user's own pipeline. */
export const JOURNEY_CATEGORIES = [
  'rate_limit',
  'docker_unavailable',
  'engine_unreachable',
  'engine_start',
  'git',
  'disk_full',
  'version_skew',
  'platform',
  'go_toolchain',
  'usage',
] as const
export type JourneyCategory = (typeof JOURNEY_CATEGORIES)[number]
export type ExplainCategory = RegistryFailure | JourneyCategory | 'other'

const REGISTRY_FAILURES = CATEGORIES.filter((c): c is RegistryFailure => c !== 'ok' && c !== 'http_429')

/** Categories a registry probe can look into; `diagnose` is offered only for these. */
export const REGISTRY_CATEGORIES: ReadonlySet<ExplainCategory> = new Set<ExplainCategory>([...REGISTRY_FAILURES, 'rate_limit'])

export const EXPLAIN_CATEGORIES: readonly ExplainCategory[] = [...REGISTRY_FAILURES, ...JOURNEY_CATEGORIES, 'other']

export interface CategoryAdvice {
  /** What the error says happened, in one line. */
  readonly meaning: string
  /** What to do next, in one line. */
  readonly fix: string
  /** The notebook cell, recipe or command that checks it (or re-checks it once fixed). */
  readonly next: string
}

const REGISTRY_NEXT = 'the Registry cell, or `dagger-explore diagnose REF` for the image named'

export const CATEGORY_ADVICE: Readonly<Record<ExplainCategory, CategoryAdvice>> = {
  dns: {
    meaning: 'The registry host name could not be resolved: the daemon never reached the network.',
    fix: 'Check the host resolver (/etc/resolv.conf, VPN, systemd-resolved) and that the daemon started after the network; daemon.json "dns" does not help the daemon\'s own pulls.',
    next: REGISTRY_NEXT,
  },
  tcp_refused: {
    meaning: 'The address answered but nothing listens on that port (or a firewall rejects it).',
    fix: 'Check the registry address and port, the proxy settings, and any firewall between you and it.',
    next: REGISTRY_NEXT,
  },
  net_unreachable: {
    meaning: 'This machine has no route to the registry address (network or host unreachable): nothing was sent on the wire.',
    fix: 'Check the routing table (`ip route`), the VPN, and for an IPv6 address whether this network has IPv6.',
    next: REGISTRY_NEXT,
  },
  plain_http: {
    meaning: 'The registry port answered plain HTTP where HTTPS was expected.',
    fix: 'List a plain-HTTP registry in "insecure-registries" in daemon.json, or use the registry\'s TLS port.',
    next: REGISTRY_NEXT,
  },
  http2_only: {
    meaning: 'The registry speaks TLS but offers only HTTP/2 (ALPN h2).',
    fix: 'Run diagnose on the reference; the HTTP/1.1 layers past TLS could not be checked there.',
    next: REGISTRY_NEXT,
  },
  tls_alert: {
    meaning: 'The registry ended the TLS handshake with an alert: it speaks TLS but refused this handshake.',
    fix: 'Check the registry\'s TLS versions and ciphers, and whether it wants a client certificate (/etc/docker/certs.d/<host:port>/).',
    next: REGISTRY_NEXT,
  },
  not_http: {
    meaning: 'The registry port answered with bytes that are not an HTTP response.',
    fix: 'Check that the port is the registry\'s and not another service\'s.',
    next: REGISTRY_NEXT,
  },
  http_version: {
    meaning: 'The registry answered with an HTTP version other than 1.0 or 1.1.',
    fix: 'Check that the port is the registry\'s and not another service\'s.',
    next: REGISTRY_NEXT,
  },
  headers_too_large: {
    meaning: 'The registry\'s response headers never ended within the size limit.',
    fix: 'Check that the port is the registry\'s, and any proxy in front of it.',
    next: REGISTRY_NEXT,
  },
  tcp_timeout: {
    meaning: 'Connecting to the registry got no answer at all: packets are dropped on the way.',
    fix: 'Check the route, firewall and proxy; compare IPv4 with IPv6 (a broken IPv6 path looks like this).',
    next: REGISTRY_NEXT,
  },
  reset: {
    meaning: 'The connection was cut with a reset: the registry, a proxy or a middlebox refused to go on.',
    fix: 'Lower max-concurrent-downloads in daemon.json, check for a proxy or TLS inspection, then retry.',
    next: REGISTRY_NEXT,
  },
  eof: {
    meaning: 'The connection was accepted and then closed quietly before an answer: this alone cannot say which layer closed it.',
    fix: 'Run diagnose on the reference to find the layer; too many parallel connections (a raised max-concurrent-downloads) is the usual cause on Docker Hub.',
    next: REGISTRY_NEXT,
  },
  tls_handshake_timeout: {
    meaning: 'TCP connected but the TLS handshake never finished: often an MTU black hole, a VPN or a stalled proxy.',
    fix: 'Compare the docker0 and egress MTU (set "mtu" in daemon.json), and try from the host network.',
    next: REGISTRY_NEXT,
  },
  x509: {
    meaning: 'The registry certificate is not trusted (unknown authority, expired or wrong name): usually TLS inspection by a corporate proxy.',
    fix: 'Put the proxy\'s CA in the system store or /etc/docker/certs.d/<registry>/ca.crt, then restart the daemon.',
    next: REGISTRY_NEXT,
  },
  http_401: {
    meaning: 'The registry asked for credentials or refused them (Docker Hub also says this for a repository that does not exist).',
    fix: 'Check the image name, then run `docker login <registry>` with working credentials.',
    next: REGISTRY_NEXT,
  },
  http_403: {
    meaning: 'The registry understood who you are and still refused access.',
    fix: 'Check the account has pull access to this repository, or that a proxy is not blocking it.',
    next: REGISTRY_NEXT,
  },
  http_404: {
    meaning: 'The repository, tag or platform does not exist on that registry.',
    fix: 'Check the name and tag; `dagger-explore diagnose REF` asks the registry for the manifest and, when your platform is missing from an image index, names the ones it has.',
    next: REGISTRY_NEXT,
  },
  http_5xx: {
    meaning: 'The registry (or its CDN) failed on its side.',
    fix: 'Wait and retry; check the registry\'s status page (status.docker.com for Docker Hub).',
    next: REGISTRY_NEXT,
  },
  not_a_registry: {
    meaning: 'Something answered that is not a registry speaking HTTPS: an HTML page (captive portal, proxy block page) or a plain-HTTP server.',
    fix: 'Log in to the network\'s captive portal or fix the proxy; for a plain-HTTP registry add it to "insecure-registries".',
    next: REGISTRY_NEXT,
  },
  client_timeout: {
    meaning: 'A connection was made but the answer did not come within the client\'s time limit.',
    fix: 'Retry; if it repeats, check for a slow proxy or a throttled link, and run diagnose to see which layer stalls.',
    next: REGISTRY_NEXT,
  },
  proxy: {
    meaning: 'A proxy in the way refused, was not running, or intercepted TLS: `proxyconnect`, a loopback proxy port nothing listens on inside a step, or a certificate from a corporate TLS-inspection issuer.',
    fix: 'Check the proxy the failing side uses: the daemon\'s ("proxies" in daemon.json or the systemd drop-in), the engine container\'s (it does not inherit your shell\'s HTTP_PROXY), and the step\'s (127.0.0.1 inside a container is the container itself). For TLS inspection, give the engine the proxy\'s CA.',
    next: 'the Registry cell (it probes through the proxy the daemon uses), then the Launch cell\'s engine environment',
  },
  rate_limit: {
    meaning: 'The registry refused for a pull quota (429 `toomanyrequests`): Docker Hub allows anonymous users 100 pulls per 6 hours per IP address.',
    fix: 'Run `docker login` (an account gets a larger quota), use a pull-through mirror (registry-mirrors, or mirror.gcr.io in ~/.config/dagger/engine.json), or wait for the window to pass. Retrying at once spends nothing but does not help.',
    next: 'the Build cell\'s Docker Hub quota check (a manifest HEAD, which costs no pull), or the Registry cell',
  },
  docker_unavailable: {
    meaning: 'Docker could not be used: no `docker` CLI on PATH for dagger to provision its engine with, the daemon is down, the socket refuses you, or the runner host names a runtime that is not there.',
    fix: 'Start the daemon (`sudo systemctl start docker`), add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again), install the docker CLI, or fix _EXPERIMENTAL_DAGGER_RUNNER_HOST / DOCKER_HOST.',
    next: 'the Environment cell (which daemon, which socket, and why)',
  },
  engine_unreachable: {
    meaning: 'The dagger CLI could not talk to an engine that should be there: `buildctl dial-stdio` through `docker exec` failed, the engine socket is missing, the container is not running, or the engine was killed (exit 137 is usually out of memory).',
    fix: 'Look at the engine\'s own log (`docker logs --tail 50 <engine container>`), start it again (`docker start <engine container>`), and check _EXPERIMENTAL_DAGGER_RUNNER_HOST names the container you mean.',
    next: 'the Launch cell (it reads the engine\'s state and log and restarts it)',
  },
  engine_start: {
    meaning: 'The engine container started and died: it could not set its limits or cgroups (a rootless or non-privileged runtime), its entrypoint failed, or its networking could not be set up (iptables `nat` table or CNI).',
    fix: 'Read `docker logs <engine container>`; the engine needs --privileged on a rootful runtime. For `can\'t initialize iptables table \'nat\'` or CNI errors run `sudo modprobe iptable_nat` (persist it in /etc/modules-load.d/), or use an engine built with nftables.',
    next: 'the Launch cell (engine log and the host\'s iptables check)',
  },
  git: {
    meaning: 'A git fetch (a module\'s source, a remote ref) failed: the host could not be reached, the repository does not exist, or the credentials were refused.',
    fix: 'Check the URL and transport shown: for ssh:// or git@ URLs the engine uses your SSH agent (SSH_AUTH_SOCK must be set), for https:// a token in the git credential helper; a "repository not found" is also what hosts say for a private repository you cannot see.',
    next: '`git ls-remote URL` from your shell, then the Build cell again',
  },
  disk_full: {
    meaning: 'A disk filled up: Docker\'s data-root or the engine\'s cache volume had no space left (or no inodes).',
    fix: 'See what holds the space (`docker system df -v`), prune old engines\' volumes and images (`docker image prune`, removing old dagger-engine-* containers and their volumes), or grow the VM disk on Docker Desktop or Colima.',
    next: 'the Build cell\'s disk check and the clean-old-engines recipe',
  },
  version_skew: {
    meaning: 'Two dagger versions disagree: a module or checkout needs a newer engine than the one running, the CLI and engine are too far apart, or an old `dagger` on PATH ran instead of ./bin/dagger.',
    fix: 'Run ./bin/dagger (or `./hack/with-dev`) rather than the `dagger` on PATH, or upgrade the CLI; an engine older than the module needs is replaced when the newer CLI provisions one.',
    next: 'the Launch cell\'s version check (PATH dagger vs ./bin/dagger vs the checkout)',
  },
  platform: {
    meaning: 'A binary or image was for another CPU: `exec format error`, a platform mismatch, or emulation that is missing or broken (DOCKER_DEFAULT_PLATFORM set, Rosetta on Docker Desktop).',
    fix: 'Unset DOCKER_DEFAULT_PLATFORM, turn off Rosetta emulation in Docker Desktop, remove the engine container and image of the wrong platform, and build again.',
    next: 'the Build cell\'s platform check',
  },
  go_toolchain: {
    meaning: 'Go could not build: go.mod asks for a newer Go than the one installed, GOTOOLCHAIN could not download one, or the module proxy timed out.',
    fix: 'Install the Go version go.mod names (https://go.dev/dl/) or allow GOTOOLCHAIN=auto with network access; for proxy timeouts set GOPROXY (or GOFLAGS=-mod=mod with a reachable proxy) and retry.',
    next: 'the Build cell\'s Go check',
  },
  usage: {
    meaning: 'The pipeline asked for something that cannot work as written (no command to run, a field or argument that does not exist, a missing required argument): nothing is broken on the machine.',
    fix: 'Fix the call shown: add `with-exec` (or a default command) before asking for stdout, check names with `dagger functions` / `--help`, and pass the required arguments.',
    next: 'the step\'s own `--help` (`dagger call FUNCTION --help`)',
  },
  other: {
    meaning: 'A failure the explainer does not classify further.',
    fix: 'Read the text shown; it is the first occurrence in the log.',
    next: 'the lines around it in the log',
  },
}
