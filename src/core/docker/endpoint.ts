import {createHash} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import path from 'node:path'

/** Which rule of the docker CLI's precedence chose the endpoint. */
export type EndpointRule = 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'currentContext' | 'default'

export interface TlsMaterial {
  readonly ca?: string
  readonly cert?: string
  readonly key?: string
  /** Verify the daemon's certificate (DOCKER_TLS_VERIFY, or a context without SkipTLSVerify). */
  readonly verify: boolean
  /** Where the files came from, for display. */
  readonly from: string
}

export interface DockerEndpoint {
  /** As the user would write it: `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`. */
  readonly host: string
  readonly protocol: 'unix' | 'tcp' | 'ssh' | 'npipe'
  /** For unix and npipe. */
  readonly socketPath?: string
  /** For tcp and ssh. */
  readonly hostname?: string
  readonly port?: number
  readonly username?: string
  readonly tls?: TlsMaterial
  readonly rule: EndpointRule
  /** The context name when a context chose it. */
  readonly context?: string
  /** One sentence: why this endpoint. */
  readonly reason: string
  /** The endpoint is this machine (a unix socket, or tcp to loopback). */
  readonly local: boolean
}

export class EndpointError extends Error {
  override readonly name = 'EndpointError'
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message)
  }
}

export function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG && env.DOCKER_CONFIG !== '' ? env.DOCKER_CONFIG : path.join(env.HOME ?? homedir(), '.docker')
}

function defaultHost(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock'
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])

/** Parses a docker host string as the docker CLI accepts it. Throws EndpointError for a malformed one. */
export function parseHost(
  host: string,
  base: {rule: EndpointRule; reason: string; context?: string; tls?: TlsMaterial},
): DockerEndpoint {
  const trimmed = host.trim()
  const withContext = base.context === undefined ? {} : {context: base.context}
  if (trimmed.startsWith('unix://')) {
    const socketPath = trimmed.slice('unix://'.length)
    if (socketPath === '') throw new EndpointError(`The Docker host "${host}" names no socket path.`, 'Write it as unix:///path/to/docker.sock.')
    return {host: trimmed, protocol: 'unix', socketPath, rule: base.rule, reason: base.reason, local: true, ...withContext}
  }
  if (trimmed.startsWith('npipe://')) {
    return {host: trimmed, protocol: 'npipe', socketPath: trimmed.slice('npipe://'.length).replace(/\//g, '\\'), rule: base.rule, reason: base.reason, local: true, ...withContext}
  }
  if (/^(tcp|http|https|ssh):\/\//.test(trimmed)) {
    let url: URL
    try {
      url = new URL(trimmed)
    } catch {
      throw new EndpointError(`The Docker host "${host}" is not a valid address.`, 'Use tcp://HOST:PORT, ssh://USER@HOST or unix:///path/to/docker.sock.')
    }
    const isSsh = url.protocol === 'ssh:'
    const hostname = url.hostname.replace(/^\[|\]$/g, '')
    if (hostname === '') throw new EndpointError(`The Docker host "${host}" has no host name.`, 'Use tcp://HOST:PORT or ssh://USER@HOST.')
    const tls = base.tls
    // An ssh endpoint without a port leaves it to ssh (~/.ssh/config Port, else 22), as the docker CLI does.
    const port = url.port !== '' ? Number(url.port) : isSsh ? undefined : tls ? 2376 : 2375
    return {
      host: trimmed,
      protocol: isSsh ? 'ssh' : 'tcp',
      hostname,
      ...(port === undefined ? {} : {port}),
      ...(url.username === '' ? {} : {username: decodeURIComponent(url.username)}),
      ...(tls && !isSsh ? {tls} : {}),
      rule: base.rule,
      reason: base.reason,
      local: LOOPBACK.has(hostname) && !isSsh,
      ...withContext,
    }
  }
  if (/^[\w.-]+:\d+$/.test(trimmed) || trimmed.startsWith(':')) {
    // The docker CLI accepts a bare host:port as tcp.
    return parseHost(`tcp://${trimmed.startsWith(':') ? `127.0.0.1${trimmed}` : trimmed}`, base)
  }
  throw new EndpointError(
    `The Docker host "${host}" uses a scheme the docker CLI does not know.`,
    'Use unix:///var/run/docker.sock, tcp://HOST:PORT or ssh://USER@HOST.',
  )
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown
}

function envTls(env: NodeJS.ProcessEnv, configDir: string): TlsMaterial | undefined {
  const verify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0'
  const certPath = env.DOCKER_CERT_PATH && env.DOCKER_CERT_PATH !== '' ? env.DOCKER_CERT_PATH : undefined
  if (!verify && certPath === undefined) return undefined
  const dir = certPath ?? configDir
  return {ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), verify, from: certPath ? 'DOCKER_CERT_PATH' : `${dir} (DOCKER_TLS_VERIFY)`}
}

interface ContextMeta {
  readonly Name?: string
  readonly Endpoints?: {readonly docker?: {readonly Host?: string; readonly SkipTLSVerify?: boolean}}
}

/** Reads a named context as the docker CLI stores it: meta under contexts/meta/<sha256(name)>, TLS files under contexts/tls/<sha256(name)>/docker. */
async function readContext(configDir: string, name: string, rule: EndpointRule, why: string): Promise<DockerEndpoint> {
  const id = createHash('sha256').update(name).digest('hex')
  const metaFile = path.join(configDir, 'contexts', 'meta', id, 'meta.json')
  let meta: ContextMeta
  try {
    meta = (await readJson(metaFile)) as ContextMeta
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new EndpointError(
      code === 'ENOENT'
        ? `The docker context "${name}" (${why}) does not exist: there is no ${metaFile}.`
        : `The docker context "${name}" (${why}) could not be read from ${metaFile}: ${(error as Error).message}.`,
      `List contexts with \`docker context ls\`, then \`docker context use default\` or set DOCKER_CONTEXT to one that exists.`,
    )
  }
  const host = meta.Endpoints?.docker?.Host
  const tlsDir = path.join(configDir, 'contexts', 'tls', id, 'docker')
  const skip = meta.Endpoints?.docker?.SkipTLSVerify === true
  let tls: TlsMaterial | undefined
  try {
    const {readdir} = await import('node:fs/promises')
    const files = new Set(await readdir(tlsDir))
    tls = {
      ...(files.has('ca.pem') ? {ca: path.join(tlsDir, 'ca.pem')} : {}),
      ...(files.has('cert.pem') ? {cert: path.join(tlsDir, 'cert.pem')} : {}),
      ...(files.has('key.pem') ? {key: path.join(tlsDir, 'key.pem')} : {}),
      verify: !skip,
      from: `context "${name}" TLS files in ${tlsDir}`,
    }
  } catch {
    tls = undefined
  }
  const reason = `${why} selects the docker context "${name}", whose endpoint is ${host && host !== '' ? host : 'the platform default'}.`
  return parseHost(host && host !== '' ? host : defaultHost(process.platform), {rule, reason, context: name, ...(tls ? {tls} : {})})
}

/**
Resolves the daemon endpoint exactly as the docker CLI does: DOCKER_HOST, then DOCKER_CONTEXT, then
`currentContext` in the docker config (DOCKER_CONFIG honoured), then the platform default.
*/
export async function resolveEndpoint(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Promise<DockerEndpoint> {
  const configDir = dockerConfigDir(env)
  if (env.DOCKER_HOST && env.DOCKER_HOST !== '') {
    const tls = envTls(env, configDir)
    return parseHost(env.DOCKER_HOST, {rule: 'DOCKER_HOST', reason: 'DOCKER_HOST is set in the environment; it overrides contexts.', ...(tls ? {tls} : {})})
  }
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== '' && env.DOCKER_CONTEXT !== 'default') {
    return readContext(configDir, env.DOCKER_CONTEXT, 'DOCKER_CONTEXT', 'DOCKER_CONTEXT')
  }
  if (env.DOCKER_CONTEXT === 'default') {
    const host = defaultHost(platform)
    return parseHost(host, {rule: 'default', reason: `DOCKER_CONTEXT is "default", so the platform default ${host} is used.`})
  }
  let current: string | undefined
  const configFile = path.join(configDir, 'config.json')
  try {
    const config = (await readJson(configFile)) as {currentContext?: unknown}
    if (typeof config.currentContext === 'string' && config.currentContext !== '') current = config.currentContext
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new EndpointError(
        `The docker config ${configFile} could not be read: ${(error as Error).message}.`,
        'Fix the JSON in that file (or move it aside); the docker CLI fails on it too.',
      )
    }
  }
  if (current !== undefined && current !== 'default') {
    return readContext(configDir, current, 'currentContext', `currentContext in ${configFile}`)
  }
  const host = defaultHost(platform)
  const why = current === 'default' ? `currentContext in ${configFile} is "default"` : 'No DOCKER_HOST, DOCKER_CONTEXT or current context is set'
  return parseHost(host, {rule: 'default', reason: `${why}, so the platform default ${host} is used.`})
}
