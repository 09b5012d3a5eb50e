import {readFileSync} from 'node:fs'
import type Docker from 'dockerode'
import {withDeadline} from '../deadline.js'
import {trackAgent} from './open-connections.js'
import {DaggerExploreError} from '../errors.js'
import {SshTransportError} from './ssh-error.js'
import type {DockerEndpoint} from './endpoint.js'

export const DEFAULT_DOCKER_TIMEOUT_MS = 3000

/** Why a Docker call failed, in the terms a user can act on. */
export type DockerFailure =
  | 'socket_missing'
  | 'permission_denied'
  | 'refused'
  | 'timeout'
  | 'dns'
  | 'tls'
  | 'ssh'
  | 'http_error'
  | 'other'

/** Failures where nothing answered at the socket: the daemon is down, or this user may not use it. */
const UNREACHABLE: ReadonlySet<DockerFailure> = new Set(['socket_missing', 'permission_denied', 'refused'])

export class DockerCallError extends DaggerExploreError {
  override readonly name = 'DockerCallError'
  constructor(
    message: string,
    readonly failure: DockerFailure,
    readonly code?: string,
  ) {
    // The fix follows from the failure kind (the error's code), never from the message's wording.
    super(message, UNREACHABLE.has(failure) ? {fix: 'Is the Docker daemon running, and can you use its socket? (`docker version` tells.)'} : {})
  }
}

/** Rejects with a `timeout` DockerCallError when `promise` takes longer than `ms`: the one timeout for Docker calls. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withDeadline(promise, ms, () => new DockerCallError(`${what} got no answer within ${ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}`, 'timeout', 'ETIMEDOUT'))
}

/** Maps a Node/docker-modem error to a failure kind. */
export function classifyDockerError(error: unknown): DockerCallError {
  if (error instanceof DockerCallError) return error
  if (error instanceof SshTransportError) {
    return new DockerCallError(error.message, 'ssh', error.code)
  }
  const err = error as NodeJS.ErrnoException & {statusCode?: number; reason?: string; json?: {message?: string}}
  const code = err.code
  const message = err.json?.message ?? err.message ?? String(error)
  switch (code) {
    case 'ENOENT':
      return new DockerCallError(message, 'socket_missing', code)
    case 'EACCES':
    case 'EPERM':
      return new DockerCallError(message, 'permission_denied', code)
    case 'ECONNREFUSED':
      return new DockerCallError(message, 'refused', code)
    case 'ETIMEDOUT':
      return new DockerCallError(message, 'timeout', code)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DockerCallError(message, 'dns', code)
    default:
      break
  }
  if (code?.startsWith('ERR_TLS') || code?.startsWith('ERR_SSL') || /certificate|self.signed|SSL|TLS/i.test(message)) {
    return new DockerCallError(message, 'tls', code)
  }
  if (/ssh|handshake|All configured authentication methods failed/i.test(message) && !/TLS/.test(message)) {
    return new DockerCallError(message, 'ssh', code)
  }
  if (typeof err.statusCode === 'number') return new DockerCallError(`HTTP ${err.statusCode}: ${message}`, 'http_error', code)
  return new DockerCallError(message, 'other', code)
}

function readOptional(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined
  try {
    return readFileSync(file)
  } catch {
    return undefined
  }
}

/**
Creates a dockerode client for the endpoint (only DockerService calls it: everything else asks the session's service); loading dockerode is deferred so start-up does not pay for it.
`env` is what a child process (ssh for ssh:// endpoints) runs with: PATH, HOME, SSH_AUTH_SOCK.
*/
export async function connectDocker(endpoint: DockerEndpoint, timeoutMs = DEFAULT_DOCKER_TIMEOUT_MS, env: NodeJS.ProcessEnv = process.env): Promise<Docker> {
  const {default: DockerCtor} = await import('dockerode')
  switch (endpoint.protocol) {
    case 'unix':
    case 'npipe':
      return new DockerCtor({socketPath: endpoint.socketPath ?? '/var/run/docker.sock', timeout: timeoutMs, agent: trackAgent(new (await import('node:http')).Agent())} as Docker.DockerOptions)
    case 'ssh': {
      // The docker CLI's way, not ssh2's: the system ssh runs `docker system dial-stdio`, so
      // ~/.ssh/config, keys, the agent and known_hosts apply. The host name below is never
      // dialled; it only fills the HTTP Host header.
      const {sshAgent} = await import('./ssh-transport.js')
      const target = {
        hostname: endpoint.hostname ?? 'localhost',
        ...(endpoint.port === undefined ? {} : {port: endpoint.port}),
        ...(endpoint.username === undefined ? {} : {username: endpoint.username}),
      }
      return new DockerCtor({
        protocol: 'http',
        host: 'docker',
        port: 80,
        timeout: timeoutMs,
        agent: trackAgent(sshAgent(target, {env, connectTimeoutMs: timeoutMs})),
      } as Docker.DockerOptions)
    }
    case 'tcp': {
      const tls = endpoint.tls
      const ca = readOptional(tls?.ca)
      const cert = readOptional(tls?.cert)
      const key = readOptional(tls?.key)
      return new DockerCtor({
        protocol: tls ? 'https' : 'http',
        host: endpoint.hostname ?? 'localhost',
        port: endpoint.port ?? (tls ? 2376 : 2375),
        timeout: timeoutMs,
        ...(ca ? {ca} : {}),
        ...(cert ? {cert} : {}),
        ...(key ? {key} : {}),
        ...(tls && !tls.verify ? {rejectUnauthorized: false} : {}),
        agent: trackAgent(tls ? new (await import('node:https')).Agent() : new (await import('node:http')).Agent()),
      } as Docker.DockerOptions)
    }
  }
}
