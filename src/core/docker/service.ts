import type Docker from 'dockerode'
import {connectDocker, DEFAULT_DOCKER_TIMEOUT_MS} from './client.js'
import {EndpointError, resolveEndpoint, type DockerEndpoint, type EndpointRule} from './endpoint.js'

/**
The one Docker daemon a session talks to, resolved once (DOCKER_HOST, DOCKER_CONTEXT, the current
context, the default, as the docker CLI does). Every cell, command and recipe asks it for clients, so
the endpoint, the reason for it and the transport (unix, tcp with TLS, ssh, npipe) are the same everywhere.
*/
export interface DockerService {
  /** Undefined when no endpoint can be chosen; `error` then says why and what to do. */
  readonly endpoint: DockerEndpoint | undefined
  readonly error: EndpointError | undefined
  /** As the user would write it, or `unresolved`. */
  readonly host: string
  /** One sentence: why this endpoint (or why none). */
  readonly why: string
  readonly rule: EndpointRule | undefined
  readonly transport: DockerEndpoint['protocol'] | undefined
  /** The endpoint is this machine; false when unresolved. */
  readonly local: boolean
  /** What a child (ssh for ssh:// endpoints) runs with, and what cells read Docker-related variables from. */
  readonly env: NodeJS.ProcessEnv
  /** A client whose socket times out after `timeoutMs` of silence; rejects with the EndpointError when unresolved. */
  client(timeoutMs?: number): Promise<Docker>
  /** `host (chosen by rule: context name)`, or `unresolved: why`, for the session header. */
  describe(): string
}

export function dockerServiceFor(resolved: DockerEndpoint | EndpointError, env: NodeJS.ProcessEnv): DockerService {
  const endpoint = resolved instanceof EndpointError ? undefined : resolved
  const error = resolved instanceof EndpointError ? resolved : undefined
  // One client per timeout: an ssh endpoint keeps its agent (and its ssh processes) instead of dialling again.
  const clients = new Map<number, Promise<Docker>>()
  return {
    endpoint,
    error,
    host: endpoint?.host ?? 'unresolved',
    why: endpoint?.reason ?? error?.message ?? '',
    rule: endpoint?.rule,
    transport: endpoint?.protocol,
    local: endpoint?.local ?? false,
    env,
    client(timeoutMs = DEFAULT_DOCKER_TIMEOUT_MS) {
      if (endpoint === undefined) return Promise.reject(error)
      let client = clients.get(timeoutMs)
      if (client === undefined) {
        client = connectDocker(endpoint, timeoutMs, env)
        clients.set(timeoutMs, client)
        client.catch(() => clients.delete(timeoutMs))
      }
      return client
    },
    describe() {
      return endpoint ? `${endpoint.host} (chosen by ${endpoint.rule}${endpoint.context ? `: context ${endpoint.context}` : ''})` : `unresolved: ${error?.message ?? 'no endpoint'}`
    },
  }
}

/** Resolves the endpoint once; a malformed DOCKER_HOST or context becomes the service's `error`, never a throw. */
export async function dockerService(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Promise<DockerService> {
  const resolved = await resolveEndpoint(env, platform).catch((error: unknown) => {
    if (error instanceof EndpointError) return error
    return new EndpointError(error instanceof Error ? error.message : String(error), 'Check DOCKER_HOST, DOCKER_CONTEXT and ~/.docker/config.json.')
  })
  return dockerServiceFor(resolved, env)
}
