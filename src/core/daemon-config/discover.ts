/**
Finds the daemon this machine talks to, its /info, and the local dockerd process serving it; every
call goes through the recorder so the notebook and the session log show it.
*/
import {homedir} from 'node:os'
import {classifyDockerError, withTimeout} from '../docker/client.js'
import type {DockerEndpoint} from '../docker/endpoint.js'
import type {DockerService} from '../docker/service.js'
import type {Recorder} from '../notebook/recorder.js'
import type {DaemonInfo} from './drift.js'
import {locateDaemonConfig, type ConfigLocation, type DaemonProcess} from './locate.js'
import {daemonForSocket, findDockerdProcesses} from './proc.js'

export interface DaemonDiscovery {
  /** The service asked: later calls (a re-check after a restart) go to the same daemon. */
  readonly docker: DockerService
  readonly endpoint?: DockerEndpoint
  readonly info?: DaemonInfo
  /** Why /info could not be had, when it could not. */
  readonly infoError?: string
  /** The endpoint is a unix socket on this machine. */
  readonly local: boolean
  readonly daemon?: DaemonProcess
  readonly location: ConfigLocation
}

export async function fetchDaemonInfo(rec: Recorder, service: DockerService, timeoutMs: number): Promise<{info?: DaemonInfo; error?: string}> {
  try {
    const docker = await service.client(timeoutMs)
    const info = await rec.call('api', ['GET', '/info'], () => withTimeout(docker.info() as Promise<DaemonInfo>, timeoutMs, 'GET /info'), (i) => JSON.stringify(i, null, 2))
    return {info}
  } catch (error) {
    const e = classifyDockerError(error)
    return {error: `${e.failure}: ${e.message}`}
  }
}

/** `docker` is the session's service: its endpoint is the daemon asked, its env the one config files are looked up in. */
export async function discoverDaemon(rec: Recorder, docker: DockerService, timeoutMs: number, explicit: string | undefined, cwd: string): Promise<DaemonDiscovery> {
  const {endpoint, env} = docker
  const fetched = endpoint === undefined ? {error: docker.error?.message ?? 'no endpoint'} : await fetchDaemonInfo(rec, docker, timeoutMs)
  const local = endpoint?.protocol === 'unix' && endpoint.local
  const processes = local
    ? await rec.call('file', ['ls', '/proc/*/comm (dockerd processes)'], () => findDockerdProcesses(), (p) => p.map((d) => `${d.pid}: ${d.argv.join(' ')}`).join('\n') || '(none)')
    : []
  const daemon = local && endpoint?.socketPath !== undefined ? daemonForSocket(processes, endpoint.socketPath) : undefined
  const info = fetched.info
  const location = locateDaemonConfig({
    ...(explicit === undefined ? {} : {explicit}),
    cwd,
    home: homedir(),
    env,
    endpointLocal: local,
    ...(daemon === undefined ? {} : {localDaemon: daemon}),
    ...(info?.SecurityOptions == null ? {} : {securityOptions: info.SecurityOptions}),
    ...(info?.OperatingSystem === undefined ? {} : {operatingSystem: info.OperatingSystem}),
  })
  return {
    docker,
    local,
    location,
    ...(endpoint === undefined ? {} : {endpoint}),
    ...(info === undefined ? {} : {info}),
    ...(fetched.error === undefined ? {} : {infoError: fetched.error}),
    ...(daemon === undefined ? {} : {daemon}),
  }
}
