/**
Finds the daemon this machine talks to, its /info, and the local dockerd process serving it; every
call goes through the recorder so the notebook and the session log show it.
*/
import {homedir} from 'node:os'
import {classifyDockerError, connectDocker, withTimeout} from '../docker/client.js'
import {resolveEndpoint, type DockerEndpoint} from '../docker/endpoint.js'
import type {Recorder} from '../notebook/recorder.js'
import type {DaemonInfo} from './drift.js'
import {locateDaemonConfig, type ConfigLocation, type DaemonProcess} from './locate.js'
import {daemonForSocket, findDockerdProcesses} from './proc.js'

export interface DaemonDiscovery {
  readonly endpoint?: DockerEndpoint
  readonly info?: DaemonInfo
  /** Why /info could not be had, when it could not. */
  readonly infoError?: string
  /** The endpoint is a unix socket on this machine. */
  readonly local: boolean
  readonly daemon?: DaemonProcess
  readonly location: ConfigLocation
}

export async function fetchDaemonInfo(rec: Recorder, endpoint: DockerEndpoint, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<{info?: DaemonInfo; error?: string}> {
  try {
    const docker = await connectDocker(endpoint, timeoutMs, env)
    const info = await rec.call('api', ['GET', '/info'], () => withTimeout(docker.info() as Promise<DaemonInfo>, timeoutMs, 'GET /info'), (i) => JSON.stringify(i, null, 2))
    return {info}
  } catch (error) {
    const e = classifyDockerError(error)
    return {error: `${e.failure}: ${e.message}`}
  }
}

export async function discoverDaemon(rec: Recorder, env: NodeJS.ProcessEnv, timeoutMs: number, explicit?: string, cwd = process.cwd()): Promise<DaemonDiscovery> {
  let endpoint: DockerEndpoint | undefined
  let endpointError: string | undefined
  try {
    endpoint = await resolveEndpoint(env)
  } catch (error) {
    endpointError = (error as Error).message
  }
  const fetched = endpoint === undefined ? {error: endpointError ?? 'no endpoint'} : await fetchDaemonInfo(rec, endpoint, timeoutMs, env)
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
    local,
    location,
    ...(endpoint === undefined ? {} : {endpoint}),
    ...(info === undefined ? {} : {info}),
    ...(fetched.error === undefined ? {} : {infoError: fetched.error}),
    ...(daemon === undefined ? {} : {daemon}),
  }
}
