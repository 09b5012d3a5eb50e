/**
One pass over the daemon config in force: read the file, lint it against the running dockerd's
version and flags, read docker.service, compare with /info, and measure data-root. The cell and
the `daemon-config` command both use it, so they report the same findings.
*/
import {existsSync} from 'node:fs'
import {stat} from 'node:fs/promises'
import {homedir} from 'node:os'
import type {Recorder} from '../notebook/recorder.js'
import type {Fact} from '../types.js'
import {dataRootSpace, formatBytes, spaceFindings, type DiskSpace} from './disk.js'
import type {DaemonDiscovery} from './discover.js'
import {compareWithDaemon, type DaemonInfo, type DriftCheck} from './drift.js'
import type {ConfigFinding} from './finding.js'
import {parseDockerdArgs, type FlagSetting} from './flags.js'
import {lintDaemonConfig, type LintResult} from './lint.js'
import {isRootless, type ConfigLocation, type DaemonProcess} from './locate.js'
import {mergeServiceFiles, proxyEnvironment, readDockerService, withEnvironmentFiles, type ServiceSettings} from './systemd.js'
import {formatVersion, parseEngineVersion, type EngineVersion} from './version.js'
import {NotRegularFileError, readRegularFile} from '../system/read-regular.js'

export interface ConfigAnalysis {
  readonly location: ConfigLocation
  /** The file does not exist: the daemon runs on defaults. */
  readonly missing: boolean
  /** Why the file could not be read, when it could not. */
  readonly readError?: string
  readonly lint?: LintResult
  /** The release the file was judged against. */
  readonly target?: EngineVersion
  readonly findings: readonly ConfigFinding[]
  readonly facts: readonly Fact[]
  readonly drift: readonly DriftCheck[]
  readonly service?: ServiceSettings
  readonly space?: DiskSpace
  readonly rootless: boolean
  readonly systemd: boolean
}

export interface AnalyseOptions {
  /** Judge against this release instead of the running daemon's. */
  readonly target?: EngineVersion
  /** Compare with the running daemon (off when a file other than the one in force is linted). */
  readonly compare?: boolean
}

async function readConfig(rec: Recorder, file: string): Promise<{bytes?: Uint8Array; mtimeMs?: number; missing: boolean; error?: string}> {
  try {
    const bytes = await rec.call('file', ['cat', file], () => readRegularFile(file), (b) => b.toString('utf8'))
    const s = await stat(file)
    return {bytes, mtimeMs: s.mtimeMs, missing: false}
  } catch (error) {
    const code = (error as {code?: string}).code
    if (code === 'ENOENT') return {missing: true}
    if (error instanceof NotRegularFileError) return {missing: false, error: error.message}
    return {missing: false, error: `${code ?? 'error'}: ${(error as Error).message}`}
  }
}

async function readService(rec: Recorder, rootless: boolean, env: NodeJS.ProcessEnv): Promise<ServiceSettings | undefined> {
  const files = await readDockerService(rootless, homedir(), env)
  if (files.length === 0) return undefined
  const expanded = await withEnvironmentFiles(mergeServiceFiles(files))
  for (const f of [...files, ...expanded.read]) rec.record({kind: 'file', argv: ['cat', f.path], exitCode: 0, output: f.text, startedAt: new Date().toISOString(), durationMs: 0})
  return expanded.settings
}

function serviceFindings(service: ServiceSettings, daemon: DaemonProcess | undefined, info: DaemonInfo | undefined, lint: LintResult | undefined, target: EngineVersion | undefined): ConfigFinding[] {
  const out: ConfigFinding[] = []
  const proxy = proxyEnvironment(service.environment)
  const fileProxies = lint?.value?.proxies
  if ((proxy.http !== undefined || proxy.https !== undefined) && typeof fileProxies === 'object' && fileProxies !== null) {
    out.push({
      id: 'daemon-proxy-set-twice',
      status: 'warn',
      key: 'proxies',
      title: 'Proxies are set both in docker.service and in daemon.json',
      detail: `The unit sets ${Object.keys(service.environment).filter((k) => /_proxy$/i.test(k)).join(', ')} (${service.environmentFrom.HTTP_PROXY ?? service.environmentFrom.HTTPS_PROXY ?? service.files.join(', ')}), and daemon.json has "proxies". The file wins, so the unit's values are dead settings that mislead.`,
      fix: 'Keep the proxy in one place: remove the Environment= lines from the drop-in (then `sudo systemctl daemon-reload`) or remove "proxies" from daemon.json.',
    })
  }
  if (info !== undefined && (typeof fileProxies !== 'object' || fileProxies === null)) {
    const running = info.HttpsProxy || info.HttpProxy || ''
    const configured = proxy.https ?? proxy.http ?? ''
    const strip = (u: string) => u.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1')
    if (strip(running) !== strip(configured)) {
      out.push({
        id: 'daemon-unit-drift',
        status: 'warn',
        title: 'The daemon runs with other proxies than docker.service sets',
        detail: `docker.service sets ${configured === '' ? 'no proxy' : `proxy ${configured}`}, the running daemon uses ${running === '' ? 'none' : running}. The unit or a drop-in changed after the daemon started.`,
        fix: 'Apply the unit: `sudo systemctl daemon-reload && sudo systemctl restart docker.service`.',
      })
    }
  }
  if (daemon !== undefined && service.execStart !== undefined) {
    const unitArgs = service.execStart.slice(1).join(' ')
    const runningArgs = daemon.argv.slice(1).join(' ')
    if (unitArgs !== runningArgs) {
      out.push({
        id: 'daemon-unit-drift',
        status: 'warn',
        title: 'dockerd runs with other flags than docker.service says',
        detail: `ExecStart= (${service.execStartFile ?? 'docker.service'}) is \`${service.execStart.join(' ')}\`, but dockerd (pid ${daemon.pid}) runs as \`${daemon.argv.join(' ')}\`. Either the unit changed after the daemon started, or this dockerd was not started by systemd.`,
        fix: 'If you changed the unit: `sudo systemctl daemon-reload && sudo systemctl restart docker.service`.',
      })
    }
    if (lint?.root !== undefined && target !== undefined) {
      const conflicts = lintDaemonConfig(lint.text, {target, flags: parseDockerdArgs(service.execStart).settings, flagsSource: `docker.service's ExecStart= (${service.execStartFile ?? ''})`, risks: false}).findings.filter((f) => f.id === 'flag-file-conflict')
      const already = new Set(lint.findings.filter((f) => f.id === 'flag-file-conflict').map((f) => f.key))
      out.push(...conflicts.filter((f) => !already.has(f.key)))
    }
  }
  return out
}

export async function analyseDaemonConfig(rec: Recorder, found: DaemonDiscovery, env: NodeJS.ProcessEnv, options: AnalyseOptions = {}): Promise<ConfigAnalysis> {
  const {location, info, daemon} = found
  const compare = options.compare !== false
  const facts: Fact[] = [
    {label: 'Config file', value: location.file},
    {label: 'Why this file', value: location.why},
  ]
  if (info?.ServerVersion !== undefined) facts.push({label: 'Daemon version', value: info.ServerVersion})
  if (daemon !== undefined) facts.push({label: 'dockerd', value: `pid ${daemon.pid}: ${daemon.argv.join(' ')}`})
  const target = options.target ?? parseEngineVersion(info?.ServerVersion)
  const flags: FlagSetting[] = daemon === undefined || !compare ? [] : [...parseDockerdArgs(daemon.argv).settings]
  const systemd = existsSync('/run/systemd/system')
  const rootless = isRootless(info?.SecurityOptions ?? undefined, daemon?.argv)
  const findings: ConfigFinding[] = []
  const space: DiskSpace | undefined =
    found.local && info?.DockerRootDir !== undefined
      ? await rec.call('file', ['statfs', info.DockerRootDir], () => dataRootSpace(info.DockerRootDir ?? '/'), (s) => `${formatBytes(s.freeBytes)} free of ${formatBytes(s.totalBytes)} (${s.fsType})`).catch(() => undefined)
      : undefined

  const read = await readConfig(rec, location.file)
  let lint: LintResult | undefined
  if (read.bytes !== undefined) {
    lint = lintDaemonConfig(read.bytes, {
      ...(target === undefined ? {} : {target}),
      flags,
      flagsSource: daemon === undefined ? 'the dockerd command line' : `the running dockerd (pid ${daemon.pid})`,
      host: {
        ...(info?.CgroupVersion === '1' || info?.CgroupVersion === '2' ? {cgroupVersion: Number(info.CgroupVersion) as 1 | 2} : {}),
        ...(found.local ? {systemd} : {}),
        ...(space === undefined ? {} : {dataRootFsType: space.fsType}),
      },
    })
    findings.push(...lint.findings)
    facts.push({label: 'Judged as', value: `dockerd ${formatVersion(lint.target)}${target === undefined ? ' (current; the running version is unknown)' : ''}`})
  }

  let service: ServiceSettings | undefined
  if (compare && found.local && location.source !== 'docker-desktop') {
    service = await readService(rec, rootless, env)
    if (service !== undefined) {
      facts.push({label: 'docker.service files', value: service.files.join(', ')})
      // Without systemd as PID 1 the unit is not what started dockerd, so it is reported, not compared.
      if (systemd) findings.push(...serviceFindings(service, daemon, info, lint, lint?.target))
      else facts.push({label: 'docker.service', value: 'present but systemd does not run here, so it did not start this dockerd'})
    }
  }

  let drift: DriftCheck[] = []
  if (compare && info !== undefined && (lint?.value !== undefined || read.missing)) {
    const result = compareWithDaemon({
      config: lint?.value,
      info,
      flags,
      file: location.file,
      ...(read.mtimeMs === undefined ? {} : {fileMtimeMs: read.mtimeMs}),
      ...(daemon?.startedAtMs === undefined ? {} : {daemonStartedMs: daemon.startedAtMs}),
    })
    drift = [...result.checks]
    facts.push({label: 'Compared with /info', value: comparedText(result.checks, read.missing)})
    findings.push(...result.findings)
    // Without a file there is nothing for the daemon to match: the cell says there is no file instead.
    if (!read.missing && result.findings.length === 0 && result.checks.length > 0) findings.push({id: 'daemon-config-in-force', status: 'pass', title: 'The running daemon matches the file'})
  }
  if (info?.Driver !== undefined) facts.push({label: 'Storage driver', value: info.Driver})
  if (info?.CgroupDriver !== undefined) facts.push({label: 'Cgroup driver', value: `${info.CgroupDriver} (cgroup v${info.CgroupVersion ?? '?'})`})
  if (space !== undefined) {
    facts.push({label: 'data-root', value: `${space.path}: ${formatBytes(space.freeBytes)} free of ${formatBytes(space.totalBytes)} (${space.fsType})`})
    findings.push(...spaceFindings(space))
  }
  return {
    location,
    missing: read.missing,
    ...(read.error === undefined ? {} : {readError: read.error}),
    ...(lint === undefined ? {} : {lint}),
    ...(target === undefined ? {} : {target}),
    findings,
    facts,
    drift,
    ...(service === undefined ? {} : {service}),
    ...(space === undefined ? {} : {space}),
    rootless,
    systemd,
  }
}

/**
What was compared, with the values: `registry-mirrors = https://m/`; settings that neither side sets
are named once ("none set in the file or running: …"), never shown as an empty `key =`.
*/
export function comparedText(checks: readonly DriftCheck[], noFile: boolean): string {
  const none = (v: string): boolean => v === '(none)' || v === '(empty)' || v === ''
  const unset = checks.filter((c) => none(c.file) && none(c.running))
  const set = checks.filter((c) => !unset.includes(c))
  const parts = set.map((c) => (noFile ? `${c.key}: ${c.running} running` : c.same ? `${c.key} = ${c.running}` : `${c.key}: file ${c.file} ≠ running ${c.running}`))
  if (unset.length > 0) parts.push(`${noFile ? 'none set running' : 'none set in the file or running'}: ${unset.map((c) => c.key).join(', ')}`)
  return `${noFile ? 'no file to compare; ' : ''}${parts.join('; ') || '(nothing comparable)'}`
}
