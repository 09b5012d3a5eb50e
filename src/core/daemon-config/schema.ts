/**
The keys dockerd accepts in daemon.json on Linux, with their JSON types and allowed values.

Source: moby `daemon/config/config.go`, `config_linux.go` and `daemon/command/config*.go` (flags are
what the unknown-key check compares against), and docker/cli `docs/reference/dockerd.md` ("Daemon
configuration file"). Versions where a key appeared or went away are marked with `since` /
`removedIn` so the linter can be run against the daemon that is actually installed; those that
matter for Debian's 20.10 were confirmed by starting that dockerd (test/daemon-config), the others
come from release notes and are approximate to the minor release.
*/
import type {EngineVersion} from './version.js'

export type KeyType =
  | 'boolean'
  | 'integer'
  | 'string'
  | 'string-list'
  /** An object of string values (`log-opts`). */
  | 'string-map'
  /** An object of booleans (`features`). */
  | 'bool-map'
  /** An object of objects of strings (`default-network-opts`). */
  | 'map-of-string-maps'
  /** `[{"base": "cidr", "size": n}]` */
  | 'pools'
  /** `{"nofile": {"Name": "nofile", "Hard": n, "Soft": n}}` */
  | 'ulimits'
  /** `{"name": {"path": "...", "runtimeArgs": [...]}}` */
  | 'runtimes'
  /** `{"http-proxy": "...", "https-proxy": "...", "no-proxy": "..."}` */
  | 'proxies'
  /** Any object, not checked further (`builder`, `nri-opts`). */
  | 'object'

/** Extra checks on a string value or on each item of a list. */
export type ValueFormat = 'ip' | 'cidr' | 'url' | 'label' | 'host' | 'registry' | 'exec-opt' | 'size' | 'abs-path'

export interface KeySpec {
  readonly key: string
  readonly type: KeyType
  /** The dockerd flag that sets the same option, when there is one (used for flag/file conflicts). */
  readonly flag?: string
  readonly shorthand?: string
  readonly values?: readonly string[]
  readonly format?: ValueFormat
  readonly min?: number
  readonly max?: number
  /**
   * A stricter minimum older releases enforce: dockerd up to and including `refusedThrough` refuses
   * values below `min` at start; from `acceptedFrom` on they start. Between the two is unverified.
   */
  readonly olderMin?: {readonly min: number; readonly refusedThrough: EngineVersion; readonly acceptedFrom: EngineVersion}
  /** First engine release that accepts the key. */
  readonly since?: EngineVersion
  /** First release that refuses it again. */
  readonly removedIn?: EngineVersion
  /** First release that still accepts the key but ignores it. */
  readonly ignoredSince?: EngineVersion
  /** Changes take effect on SIGHUP (`systemctl reload docker`) without a restart. */
  readonly reload?: boolean
  /** The value in force when the key is absent, as text. */
  readonly default?: string
}

const k = (key: string, type: KeyType, more: Omit<KeySpec, 'key' | 'type'> = {}): KeySpec => ({key, type, flag: key, ...more})

export const DAEMON_KEYS: readonly KeySpec[] = [
  k('allow-direct-routing', 'boolean', {since: [28, 0]}),
  k('allow-nondistributable-artifacts', 'string-list', {flag: 'allow-nondistributable-artifacts', ignoredSince: [28, 0], reload: true}),
  k('api-cors-header', 'string', {removedIn: [27, 0]}),
  k('authorization-plugins', 'string-list', {flag: 'authorization-plugin', reload: true}),
  k('bip', 'string', {format: 'cidr'}),
  k('bip6', 'string', {format: 'cidr', since: [28, 0]}),
  k('bridge', 'string', {shorthand: 'b'}),
  k('bridge-accept-fwmark', 'string', {since: [28, 3]}),
  k('builder', 'object'),
  k('cdi-spec-dirs', 'string-list', {flag: 'cdi-spec-dir', since: [25, 0]}),
  k('cgroup-parent', 'string'),
  k('cluster-advertise', 'string', {removedIn: [23, 0]}),
  k('cluster-store', 'string', {removedIn: [23, 0]}),
  k('cluster-store-opts', 'string-map', {flag: 'cluster-store-opt', removedIn: [23, 0]}),
  k('containerd', 'string'),
  k('containerd-namespace', 'string', {default: 'moby'}),
  // The struct field is tagged "containerd-plugin-namespace", but dockerd checks file keys against
  // flag names, so only the flag's spelling gets through (dockerd 20.10 refuses the other).
  k('containerd-plugins-namespace', 'string', {default: 'plugins.moby'}),
  k('cpu-rt-period', 'integer'),
  k('cpu-rt-runtime', 'integer'),
  k('cri-containerd', 'boolean'),
  k('data-root', 'string', {format: 'abs-path', default: '/var/lib/docker'}),
  k('debug', 'boolean', {shorthand: 'D', reload: true, default: 'false'}),
  k('default-address-pools', 'pools', {flag: 'default-address-pool'}),
  k('default-cgroupns-mode', 'string', {values: ['host', 'private']}),
  k('default-gateway', 'string', {format: 'ip'}),
  k('default-gateway-v6', 'string', {format: 'ip'}),
  k('default-ipc-mode', 'string', {values: ['shareable', 'private']}),
  k('default-network-opts', 'map-of-string-maps', {flag: 'default-network-opt', since: [24, 0]}),
  k('default-runtime', 'string', {reload: true, default: 'runc'}),
  k('default-shm-size', 'string', {format: 'size', default: '64M'}),
  k('default-subnet-size', 'integer', {since: [29, 0]}),
  k('default-ulimits', 'ulimits', {flag: 'default-ulimit'}),
  k('dns', 'string-list', {format: 'ip'}),
  k('dns-opts', 'string-list', {flag: 'dns-opt'}),
  k('dns-search', 'string-list'),
  k('exec-opts', 'string-list', {flag: 'exec-opt', format: 'exec-opt'}),
  k('exec-root', 'string', {format: 'abs-path', default: '/var/run/docker'}),
  k('experimental', 'boolean'),
  k('features', 'bool-map', {flag: 'feature', reload: true}),
  k('firewall-backend', 'string', {values: ['iptables', 'nftables'], since: [28, 2]}),
  k('fixed-cidr', 'string', {format: 'cidr'}),
  k('fixed-cidr-v6', 'string', {format: 'cidr'}),
  k('group', 'string', {shorthand: 'G', default: 'docker'}),
  k('host-gateway-ip', 'string', {format: 'ip'}),
  k('host-gateway-ips', 'string-list', {flag: 'host-gateway-ip', format: 'ip', since: [28, 0]}),
  k('hosts', 'string-list', {flag: 'host', shorthand: 'H', format: 'host'}),
  k('icc', 'boolean', {default: 'true'}),
  k('init', 'boolean'),
  k('init-path', 'string'),
  k('insecure-registries', 'string-list', {flag: 'insecure-registry', format: 'registry', reload: true, default: '[] (127.0.0.0/8 is always insecure)'}),
  k('ip', 'string', {format: 'ip', default: '0.0.0.0'}),
  k('ip-forward', 'boolean', {default: 'true'}),
  k('ip-forward-no-drop', 'boolean', {since: [28, 0]}),
  k('ip-masq', 'boolean', {default: 'true'}),
  k('ip6tables', 'boolean'),
  k('iptables', 'boolean', {default: 'true'}),
  k('ipv6', 'boolean', {default: 'false'}),
  k('labels', 'string-list', {flag: 'label', format: 'label', reload: true}),
  k('live-restore', 'boolean', {reload: true, default: 'false'}),
  k('log-driver', 'string', {default: 'json-file'}),
  k('log-format', 'string', {values: ['text', 'json'], since: [25, 0]}),
  k('log-level', 'string', {shorthand: 'l', values: ['panic', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'], default: 'info'}),
  k('log-opts', 'string-map', {flag: 'log-opt'}),
  k('max-concurrent-downloads', 'integer', {min: 0, reload: true, default: '3'}),
  k('max-concurrent-uploads', 'integer', {min: 0, reload: true, default: '5'}),
  // dockerd 20.10 refuses 0 at start; 26.1 starts with it (both checked by the lab's agreement test).
  k('max-download-attempts', 'integer', {min: 0, olderMin: {min: 1, refusedThrough: [20, 10], acceptedFrom: [26, 1]}, reload: true, default: '5'}),
  k('metrics-addr', 'string'),
  k('mtu', 'integer', {min: 0, default: '1500'}),
  k('network-control-plane-mtu', 'integer', {default: '1500'}),
  k('network-diagnostic-port', 'integer', {min: 0, max: 65535, since: [26, 0]}),
  k('no-new-privileges', 'boolean'),
  k('node-generic-resources', 'string-list', {flag: 'node-generic-resource'}),
  k('nri-opts', 'object', {since: [29, 0]}),
  k('oom-score-adjust', 'integer', {removedIn: [25, 0]}),
  k('pidfile', 'string', {shorthand: 'p', format: 'abs-path', default: '/var/run/docker.pid'}),
  k('proxies', 'proxies', {since: [23, 0]}),
  k('raw-logs', 'boolean'),
  k('registry-mirrors', 'string-list', {flag: 'registry-mirror', format: 'url', reload: true, default: '[]'}),
  k('rootless', 'boolean'),
  k('runtimes', 'runtimes', {flag: 'add-runtime', reload: true}),
  k('seccomp-profile', 'string'),
  k('selinux-enabled', 'boolean'),
  k('shutdown-timeout', 'integer', {min: 0, reload: true, default: '15'}),
  k('storage-driver', 'string', {shorthand: 's', default: '(chosen automatically)'}),
  k('storage-opts', 'string-list', {flag: 'storage-opt'}),
  k('swarm-default-advertise-addr', 'string'),
  k('tls', 'boolean'),
  k('tlscacert', 'string'),
  k('tlscert', 'string'),
  k('tlskey', 'string'),
  k('tlsverify', 'boolean'),
  k('userland-proxy', 'boolean', {default: 'true'}),
  k('userland-proxy-path', 'string'),
  k('userns-remap', 'string'),
]

/** Members of `proxies`, each also a flag of its own. */
export const PROXY_KEYS = ['http-proxy', 'https-proxy', 'no-proxy'] as const

/** Keys whose value is an object that dockerd does not flatten when it checks names. */
export const FLAT_OBJECT_KEYS = new Set(['cluster-store-opts', 'default-network-opts', 'log-opts', 'runtimes', 'default-ulimits', 'features', 'builder', 'nri-opts'])

/** Keys that may be given both as a flag and in the file (dockerd merges them). */
export const MERGEABLE_KEYS = new Set(['runtimes'])

const BY_KEY = new Map(DAEMON_KEYS.map((s) => [s.key, s]))

export function keySpec(key: string): KeySpec | undefined {
  return BY_KEY.get(key)
}

/** Known feature names in `features` (others are accepted and ignored by dockerd). */
export const KNOWN_FEATURES = ['containerd-snapshotter', 'cdi', 'windows-dns-proxy', 'global-default-subnet-size'] as const

/** Nearest known key by edit distance, for "did you mean". */
export function suggestKey(key: string): string | undefined {
  let best: string | undefined
  let bestScore = Number.POSITIVE_INFINITY
  const lower = key.toLowerCase()
  for (const spec of DAEMON_KEYS) {
    const score = editDistance(lower, spec.key)
    if (score < bestScore) {
      bestScore = score
      best = spec.key
    }
  }
  for (const p of PROXY_KEYS) {
    const score = editDistance(lower, p)
    if (score < bestScore) {
      bestScore = score
      best = `proxies.${p}`
    }
  }
  return bestScore <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined
}

function editDistance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length] ?? 0
}
