/**
The file against the running daemon. `/info` is the daemon's effective configuration after flags,
environment and file were merged; where the file says something else, the file was edited after
the daemon started (or the setting comes from a flag). Keys not visible in /info
(max-concurrent-downloads…) are covered by comparing the file's mtime with the daemon's start.
*/
import type {ConfigFinding} from './finding.js'
import type {FlagSetting} from './flags.js'
import {keySpec} from './schema.js'

/** The parts of `GET /info` used here; pass the daemon's answer as is. */
export interface DaemonInfo {
  readonly ServerVersion?: string
  readonly Driver?: string
  readonly DriverStatus?: readonly (readonly string[])[] | null
  readonly DockerRootDir?: string
  readonly CgroupDriver?: string
  readonly CgroupVersion?: string
  readonly LiveRestoreEnabled?: boolean
  readonly Debug?: boolean
  readonly HttpProxy?: string
  readonly HttpsProxy?: string
  readonly NoProxy?: string
  readonly Labels?: readonly string[] | null
  readonly DefaultRuntime?: string
  readonly ExperimentalBuild?: boolean
  readonly SecurityOptions?: readonly string[] | null
  readonly OperatingSystem?: string
  readonly RegistryConfig?: {
    readonly Mirrors?: readonly string[] | null
    readonly InsecureRegistryCIDRs?: readonly string[] | null
    readonly IndexConfigs?: Readonly<Record<string, {readonly Name?: string; readonly Secure?: boolean; readonly Mirrors?: readonly string[] | null}>> | null
  } | null
}

export interface DriftCheck {
  readonly key: string
  readonly file: string
  readonly running: string
  readonly same: boolean
}

export interface DriftInput {
  /** The file's decoded value; undefined when the file is missing or unreadable. */
  readonly config: Record<string, unknown> | undefined
  readonly info: DaemonInfo
  /** Flags of the running daemon: a key set by a flag is not expected to match the file. */
  readonly flags?: readonly FlagSetting[]
  /** When the file was last changed and when the daemon started (ms since epoch), if known. */
  readonly fileMtimeMs?: number
  readonly daemonStartedMs?: number
  readonly file: string
}

export interface DriftResult {
  readonly checks: readonly DriftCheck[]
  readonly findings: readonly ConfigFinding[]
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

function normMirror(url: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `https://${url}`
  return withScheme.endsWith('/') ? withScheme : `${withScheme}/`
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = [...new Set(a)].sort()
  const sb = [...new Set(b)].sort()
  return sa.length === sb.length && sa.every((v, i) => v === sb[i])
}

/** Proxy URLs come back from /info with credentials masked; compare without them. */
function stripCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1')
}

function show(values: readonly string[]): string {
  return values.length === 0 ? '(none)' : values.join(', ')
}

export function compareWithDaemon(input: DriftInput): DriftResult {
  const {config, info} = input
  const fromFlags = new Set((input.flags ?? []).map((f) => f.key).filter((k): k is string => k !== undefined))
  const checks: DriftCheck[] = []
  const add = (key: string, file: string, running: string, same: boolean) => {
    if (!fromFlags.has(key)) checks.push({key, file, running, same})
  }
  const cfg = config ?? {}
  const has = (k: string) => Object.prototype.hasOwnProperty.call(cfg, k)

  const mirrorsFile = list(cfg['registry-mirrors']).map(normMirror)
  const mirrorsRunning = [...(info.RegistryConfig?.Mirrors ?? [])].map(normMirror)
  add('registry-mirrors', show(mirrorsFile), show(mirrorsRunning), sameSet(mirrorsFile, mirrorsRunning))

  if (info.RegistryConfig != null) {
    const insecureFile = list(cfg['insecure-registries'])
    const cidrs = [...(info.RegistryConfig.InsecureRegistryCIDRs ?? [])]
    const names = Object.values(info.RegistryConfig.IndexConfigs ?? {})
      .filter((c) => c.Secure === false)
      .map((c) => c.Name ?? '')
    // 127.0.0.0/8 is always insecure; it shows up whether or not the file lists it.
    const running = [...cidrs, ...names].filter((v) => v !== '127.0.0.0/8')
    const fileSide = insecureFile.filter((v) => v !== '127.0.0.0/8')
    add('insecure-registries', show(fileSide), show(running), sameSet(fileSide, running))
  }

  const proxies = (typeof cfg.proxies === 'object' && cfg.proxies !== null ? cfg.proxies : {}) as Record<string, unknown>
  for (const [sub, field] of [
    ['http-proxy', 'HttpProxy'],
    ['https-proxy', 'HttpsProxy'],
    ['no-proxy', 'NoProxy'],
  ] as const) {
    // Without the key the daemon uses its environment, which the file cannot tell us.
    if (typeof proxies[sub] !== 'string') continue
    const file = stripCredentials(proxies[sub] as string)
    const running = stripCredentials(info[field] ?? '')
    add(`proxies.${sub}`, file || '(empty)', running || '(none)', file === running)
  }

  if (has('storage-driver') && typeof cfg['storage-driver'] === 'string' && info.Driver !== undefined) {
    add('storage-driver', cfg['storage-driver'] as string, info.Driver, cfg['storage-driver'] === info.Driver)
  }
  if (has('data-root') && typeof cfg['data-root'] === 'string' && info.DockerRootDir !== undefined) {
    const file = (cfg['data-root'] as string).replace(/\/+$/, '')
    add('data-root', file, info.DockerRootDir, file === info.DockerRootDir)
  }
  const driver = list(cfg['exec-opts'])
    .map((o) => /^\s*native\.cgroupdriver\s*=\s*(\S+)\s*$/i.exec(o)?.[1])
    .find((d) => d !== undefined)
  if (driver !== undefined && info.CgroupDriver !== undefined) add('exec-opts', `native.cgroupdriver=${driver}`, `cgroup driver ${info.CgroupDriver}`, driver === info.CgroupDriver)
  for (const [key, field] of [
    ['live-restore', 'LiveRestoreEnabled'],
    ['debug', 'Debug'],
    ['experimental', 'ExperimentalBuild'],
  ] as const) {
    if (info[field] === undefined) continue
    const file = typeof cfg[key] === 'boolean' ? (cfg[key] as boolean) : false
    add(key, String(file), String(info[field]), file === info[field])
  }
  if (has('default-runtime') && typeof cfg['default-runtime'] === 'string' && info.DefaultRuntime !== undefined) {
    add('default-runtime', cfg['default-runtime'] as string, info.DefaultRuntime, cfg['default-runtime'] === info.DefaultRuntime)
  }
  if (has('labels') && info.Labels != null) {
    const file = list(cfg.labels)
    add('labels', show(file), show([...info.Labels]), sameSet(file, [...info.Labels]))
  }
  const features = (typeof cfg.features === 'object' && cfg.features !== null ? cfg.features : {}) as Record<string, unknown>
  if (typeof features['containerd-snapshotter'] === 'boolean' && info.DriverStatus != null) {
    const usingSnapshotter = info.DriverStatus.some((row) => row.some((cell) => cell.includes('io.containerd.snapshotter')))
    add('features.containerd-snapshotter', String(features['containerd-snapshotter']), usingSnapshotter ? 'containerd image store' : 'classic image store', features['containerd-snapshotter'] === usingSnapshotter)
  }

  const findings: ConfigFinding[] = []
  const differing = checks.filter((c) => !c.same)
  if (differing.length > 0) {
    const reloadable = differing.every((c) => keySpec(c.key.split('.')[0] ?? '')?.reload === true)
    findings.push({
      id: 'daemon-config-drift',
      status: 'warn',
      key: differing.map((c) => c.key).join(', '),
      title: `The running daemon does not match ${input.file}`,
      detail: `${differing.map((c) => `${c.key}: the file says ${c.file}, the daemon runs with ${c.running}`).join('; ')}. The file was edited after the daemon started (or a value was rejected), so these edits are not in force yet.`,
      fix: reloadable
        ? 'These keys reload without a restart: run `sudo systemctl reload docker.service` (or `sudo kill -HUP <dockerd pid>`), or restart the daemon, then run this check again.'
        : 'Restart the daemon (`sudo systemctl restart docker.service`; Docker Desktop: Restart from its menu), then run this check again.',
    })
  } else if (input.fileMtimeMs !== undefined && input.daemonStartedMs !== undefined && input.fileMtimeMs > input.daemonStartedMs + 1000) {
    findings.push({
      id: 'daemon-config-edited-after-start',
      status: 'warn',
      title: `${input.file} changed after the daemon started`,
      detail: `The file was modified at ${new Date(input.fileMtimeMs).toISOString()}, after dockerd started at ${new Date(input.daemonStartedMs).toISOString()}. Everything visible in /info matches, but settings /info does not show (max-concurrent-downloads, max-download-attempts, dns, mtu…) may not be in force unless the daemon was reloaded since.`,
      fix: 'Reload (`sudo systemctl reload docker.service`) or restart the daemon to be sure the file is in force.',
    })
  }
  return {checks, findings}
}
