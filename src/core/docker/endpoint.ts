import {DaggerExploreError} from '../errors.js'
import {createHash} from 'node:crypto'
import {homedir} from 'node:os'
import path from 'node:path'
import {NotRegularFileError, readRegularFile} from '../system/read-regular.js'

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
  /** What the docker CLI warns about on the way here (e.g. a config.json it cannot parse and skips). */
  readonly warnings?: readonly EndpointWarning[]
}

export interface EndpointWarning {
  /** What was seen, in one or two sentences. */
  readonly detail: string
  /** What to do about it. */
  readonly fix: string
}

/** Where Docker documents how the CLI picks its endpoint (DOCKER_HOST, DOCKER_CONTEXT, DOCKER_CONFIG), the rules this module follows. */
export const ENDPOINT_DOCS = 'https://docs.docker.com/engine/reference/commandline/cli/#environment-variables'

export class EndpointError extends DaggerExploreError {
  override readonly name = 'EndpointError'
  constructor(
    message: string,
    override readonly fix: string,
  ) {
    super(message, {fix, docs: ENDPOINT_DOCS})
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

/** JSON from a regular file only: a FIFO is named, never waited on (the docker CLI itself blocks there). */
async function readJson(file: string): Promise<unknown> {
  return JSON.parse((await readRegularFile(file)).toString('utf8')) as unknown
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
    // Worded as the docker CLI words it (`context "x": context not found: open …`, `context "x": parsing …`).
    throw new EndpointError(
      code === 'ENOENT'
        ? `context "${name}" (${why}): context not found: there is no ${metaFile}.`
        : error instanceof SyntaxError
          ? `context "${name}" (${why}): parsing ${metaFile}: ${error.message}.`
          : `context "${name}" (${why}): ${metaFile} could not be read: ${(error as Error).message}.`,
      code === 'ENOENT'
        ? `List contexts with \`docker context ls\`, then \`docker context use default\` or set DOCKER_CONTEXT to one that exists.`
        : `Fix or remove that context: \`docker context rm -f ${name}\` (then \`docker context use default\`), or recreate it with \`docker context create\`.`,
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
What the chosen endpoint is on this machine, checked before any connection: a named pipe exists only
on Windows (the docker CLI on Linux says "Failed to initialize: protocol not available", tested), and
a unix path that is a directory or a regular file is no socket (the CLI says only "Cannot connect").
*/
async function checkUsable(endpoint: DockerEndpoint, platform: NodeJS.Platform): Promise<DockerEndpoint> {
  if (endpoint.protocol === 'npipe') {
    if (platform !== 'win32') {
      throw new EndpointError(
        `The Docker host "${endpoint.host}" is a Windows named pipe, and this is ${platform}: named pipes exist only on Windows (the docker CLI here fails the same way, "protocol not available"). ${endpoint.reason}`,
        'Use the daemon socket of this machine (unix:///var/run/docker.sock) or tcp://HOST:PORT: unset DOCKER_HOST or fix the context.',
      )
    }
    if (endpoint.socketPath === '' || /^\\*$/.test(endpoint.socketPath ?? '')) {
      throw new EndpointError(`The Docker host "${endpoint.host}" names no pipe. ${endpoint.reason}`, 'Write it as npipe:////./pipe/docker_engine.')
    }
  }
  if (endpoint.protocol === 'unix' && endpoint.socketPath) {
    const {stat} = await import('node:fs/promises')
    const info = await stat(endpoint.socketPath).catch(() => undefined)
    if (info && !info.isSocket()) {
      const kind = info.isDirectory() ? 'a directory' : info.isFile() ? 'a regular file' : info.isFIFO() ? 'a named pipe (FIFO)' : 'not a socket'
      throw new EndpointError(
        `The Docker host "${endpoint.host}" points at ${endpoint.socketPath}, which is ${kind}, not a socket: no daemon can listen there. ${endpoint.reason}`,
        'Name the daemon\'s socket file (usually unix:///var/run/docker.sock; `ls -l` shows an "s" for a socket), or unset DOCKER_HOST.',
      )
    }
  }
  return endpoint
}

/**
Resolves the daemon endpoint exactly as the docker CLI does: DOCKER_HOST, then DOCKER_CONTEXT, then
`currentContext` in the docker config (DOCKER_CONFIG honoured), then the platform default.
*/
export async function resolveEndpoint(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Promise<DockerEndpoint> {
  return checkUsable(await chooseEndpoint(env, platform), platform)
}

async function chooseEndpoint(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<DockerEndpoint> {
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
  const warnings: EndpointWarning[] = []
  const configFile = path.join(configDir, 'config.json')
  try {
    const config = (await readJson(configFile)) as {currentContext?: unknown} | null
    if (typeof config?.currentContext === 'string' && config.currentContext !== '') current = config.currentContext
  } catch (error) {
    if (error instanceof NotRegularFileError && error.kind !== 'a directory') {
      // The docker CLI opens it and waits forever (a FIFO, tested) or fails; there is no endpoint it would use.
      const cli = error.kind === 'a named pipe (FIFO)' ? ' The docker CLI blocks opening it.' : ''
      throw new EndpointError(
        `The docker config ${configFile} is ${error.kind}, not a file; it was not opened.${cli}`,
        `Move it aside (\`mv ${configFile} ${configFile}.bak\`) or replace it with a regular file; DOCKER_CONFIG=DIR points the CLI at another folder.`,
      )
    }
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOTDIR') {
      // DOCKER_CONFIG (or ~/.docker) names a file: the CLI warns "open …/config.json: not a directory" and goes on.
      warnings.push({
        detail: `${configDir} is a file, not a folder, so there is no ${configFile} (ENOTDIR); like the docker CLI, the default context applies. The CLI 20.10 warns about it ("WARNING: Error loading config file: … not a directory"); 26.1 says nothing.`,
        fix:
          env.DOCKER_CONFIG && env.DOCKER_CONFIG !== ''
            ? `Point DOCKER_CONFIG at the folder that holds config.json (\`export DOCKER_CONFIG=$HOME/.docker\`), or unset it.`
            : `Move ${configDir} aside (\`mv ${configDir} ${configDir}.bak\`): the docker CLI keeps its config.json in a folder there.`,
      })
    } else if (code !== 'ENOENT') {
      // The docker CLI (20.10 and 26.1, both in the lab) warns "Error loading config file" and goes on with the default context.
      warnings.push({
        detail: `${configFile} could not be used (${(error as Error).message}); like the docker CLI, its settings are skipped and the default context applies. The docker CLI warns about it too ("WARNING: Error loading config file" from CLI 20.10 and 26.1) and carries on the same way.`,
        fix: error instanceof SyntaxError ? 'Fix the JSON in that file or move it aside (`docker login` writes a fresh one).' : 'Replace it with a regular JSON file or move it aside (`docker login` writes a fresh one).',
      })
    }
  }
  const withWarnings = (endpoint: DockerEndpoint): DockerEndpoint => (warnings.length === 0 ? endpoint : {...endpoint, warnings})
  if (current !== undefined && current !== 'default') {
    return withWarnings(await readContext(configDir, current, 'currentContext', `currentContext in ${configFile}`))
  }
  const host = defaultHost(platform)
  const why = current === 'default' ? `currentContext in ${configFile} is "default"` : 'No DOCKER_HOST, DOCKER_CONTEXT or current context is set'
  return withWarnings(parseHost(host, {rule: 'default', reason: `${why}, so the platform default ${host} is used.`}))
}
