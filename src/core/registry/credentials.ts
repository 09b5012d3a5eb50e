/**
The user's docker credentials for a registry, found where the docker CLI keeps them: config.json
`credHelpers`, then `credsStore`, then inline `auths`. Secrets stay in memory: callers get a
description of where they came from, never the values.
*/
import {readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {credentialKeys, type ImageReference} from './reference.js'

export interface Credentials {
  readonly username: string
  readonly secret: string
  /** e.g. `credential helper "pass"` or `config.json auths`; safe to show. */
  readonly source: string
}

interface DockerConfig {
  auths?: Record<string, {auth?: string; username?: string; password?: string; identitytoken?: string}>
  credHelpers?: Record<string, string>
  credsStore?: string
}

export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  const dir = env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker')
  return join(dir, 'config.json')
}

async function readConfig(env: NodeJS.ProcessEnv): Promise<DockerConfig | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(dockerConfigPath(env), 'utf8'))
    return parsed !== null && typeof parsed === 'object' ? (parsed as DockerConfig) : undefined
  } catch {
    return undefined
  }
}

async function fromHelper(helper: string, serverUrl: string, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper)) return undefined
  const {execa} = await import('execa')
  const result = await execa(`docker-credential-${helper}`, ['get'], {
    input: serverUrl,
    reject: false,
    timeout: timeoutMs,
    env,
    extendEnv: false,
    stripFinalNewline: true,
  })
  if (result.exitCode !== 0 || typeof result.stdout !== 'string') return undefined
  try {
    const data = JSON.parse(result.stdout) as {Username?: unknown; Secret?: unknown}
    if (typeof data.Username !== 'string' || typeof data.Secret !== 'string' || data.Secret === '') return undefined
    // `<token>` marks an identity token (OAuth refresh token), which Basic auth cannot carry.
    if (data.Username === '<token>') return undefined
    return {username: data.Username, secret: data.Secret, source: `credential helper "${helper}"`}
  } catch {
    return undefined
  }
}

/** Looks up credentials for a reference's registry; undefined means anonymous. Never throws. */
export async function findCredentials(
  ref: Pick<ImageReference, 'domain' | 'isDockerHub'>,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<Credentials | undefined> {
  const config = await readConfig(env)
  if (!config) return undefined
  const keys = credentialKeys(ref)
  for (const key of keys) {
    const helper = config.credHelpers?.[key]
    if (helper) return fromHelper(helper, key, timeoutMs, env)
  }
  const auths = config.auths ?? {}
  const key = keys.find((k) => auths[k] !== undefined)
  if (config.credsStore) {
    const found = await fromHelper(config.credsStore, keys[0] ?? ref.domain, timeoutMs, env)
    if (found) return found
  }
  if (key === undefined) return undefined
  const entry = auths[key]
  if (!entry) return undefined
  if (entry.username && entry.password) return {username: entry.username, secret: entry.password, source: 'config.json auths'}
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon > 0) return {username: decoded.slice(0, colon), secret: decoded.slice(colon + 1), source: 'config.json auths'}
  }
  return undefined
}
