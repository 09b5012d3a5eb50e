/**
Docker Hub's remaining pull quota, read the way `regctl image ratelimit` does: an anonymous token,
then a manifest HEAD on Docker's own `ratelimitpreview/test`, whose answer carries
`ratelimit-limit: 100;w=21600` and `ratelimit-remaining: 76;w=21600`. A HEAD costs no pull. Every
wait is bounded; the host can be redirected (DAGGER_EXPLORE_REGISTRY_HOST, as the Registry cell
does), which is how the tests point it at a loopback fake.
*/
import {Agent, request} from 'undici'
import {DOCKER_HUB_API_HOST} from '../registry/reference.js'
import {parseChallenge} from '../registry/challenge.js'
import type {Finding} from '../types.js'

export const QUOTA_REPOSITORY = 'ratelimitpreview/test'
const ACCEPT = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json'

export interface HubQuota {
  readonly host: string
  /** Pulls allowed per window and left, null when the registry sent no such header (an account without limits). */
  readonly limit: number | null
  readonly remaining: number | null
  readonly windowSeconds: number | null
  /** docker-ratelimit-source: the address the quota is counted for. */
  readonly source: string | null
  readonly status: number
}

export interface QuotaOptions {
  readonly host?: string
  readonly env?: NodeJS.ProcessEnv
  readonly timeoutMs?: number
}

/** The host the check talks to: the option, else DAGGER_EXPLORE_REGISTRY_HOST, else Docker Hub. */
export function quotaHost(options: QuotaOptions): string {
  return options.host ?? (options.env?.DAGGER_EXPLORE_REGISTRY_HOST?.trim() || DOCKER_HUB_API_HOST)
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** `100;w=21600` -> 100 and 21600. */
export function parseQuotaHeader(value: string | undefined): {count: number | null; window: number | null} {
  if (value === undefined) return {count: null, window: null}
  const count = Number(/^\s*(\d+)/.exec(value)?.[1] ?? Number.NaN)
  const window = Number(/w=(\d+)/.exec(value)?.[1] ?? Number.NaN)
  return {count: Number.isFinite(count) ? count : null, window: Number.isFinite(window) ? window : null}
}

/** Reads the quota with one token GET and one manifest HEAD. Throws with a plain message when the host cannot be asked. */
export async function readHubQuota(options: QuotaOptions = {}): Promise<HubQuota> {
  const host = quotaHost(options)
  const timeout = options.timeoutMs ?? 5000
  const dispatcher = new Agent({connect: {timeout}, headersTimeout: timeout, bodyTimeout: timeout})
  const signal = AbortSignal.timeout(timeout * 3)
  try {
    const manifestUrl = `https://${host}/v2/${QUOTA_REPOSITORY}/manifests/latest`
    const first = await request(manifestUrl, {method: 'HEAD', headers: {accept: ACCEPT}, dispatcher, signal})
    await first.body.dump()
    let answer = first
    if (first.statusCode === 401) {
      const challenge = parseChallenge(first.headers['www-authenticate'])
      const realm = challenge?.scheme === 'bearer' ? challenge.params.realm : undefined
      if (realm === undefined) throw new Error(`${host} answered 401 without a Bearer challenge`)
      const tokenUrl = new URL(realm)
      if (challenge?.params.service) tokenUrl.searchParams.set('service', challenge.params.service)
      tokenUrl.searchParams.set('scope', `repository:${QUOTA_REPOSITORY}:pull`)
      const tokenRes = await request(tokenUrl, {method: 'GET', dispatcher, signal})
      const body = (await tokenRes.body.json()) as {token?: string; access_token?: string}
      const token = body.token ?? body.access_token
      if (tokenRes.statusCode !== 200 || !token) throw new Error(`the token service ${tokenUrl.host} answered ${tokenRes.statusCode} without a token`)
      answer = await request(manifestUrl, {method: 'HEAD', headers: {accept: ACCEPT, authorization: `Bearer ${token}`}, dispatcher, signal})
      await answer.body.dump()
    }
    const limit = parseQuotaHeader(header(answer.headers, 'ratelimit-limit'))
    const remaining = parseQuotaHeader(header(answer.headers, 'ratelimit-remaining'))
    return {host, limit: limit.count, remaining: remaining.count, windowSeconds: limit.window ?? remaining.window, source: header(answer.headers, 'docker-ratelimit-source') ?? null, status: answer.statusCode}
  } finally {
    await dispatcher.close()
  }
}

/** Below this many pulls left, a dev build (a dozen base images and more) is likely to hit the limit. */
export const QUOTA_WARN_REMAINING = 20

export function quotaFinding(q: HubQuota): Finding {
  const window = q.windowSeconds === null ? '' : ` per ${Math.round(q.windowSeconds / 3600)} h`
  const who = q.source === null ? '' : ` for ${q.source}`
  if (q.status === 429 || q.remaining === 0) {
    return {
      id: 'hub-quota-exhausted',
      status: 'fail',
      title: `Docker Hub pull quota used up${who}: 0 of ${q.limit ?? '?'} left${window}`,
      detail: 'A build that pulls base images from Docker Hub will fail with "toomanyrequests: You have reached your pull rate limit". This was read with a manifest HEAD, which costs no pull.',
      fix: 'Run `docker login` (an account has a larger quota), set a registry mirror (registry-mirrors in daemon.json, or mirror.gcr.io in ~/.config/dagger/engine.json), or wait for the window to pass.',
    }
  }
  if (q.remaining === null) return {id: 'hub-quota-unlimited', status: 'pass', title: `${q.host} sent no pull quota headers (HTTP ${q.status}): no anonymous limit applies here`}
  if (q.remaining < QUOTA_WARN_REMAINING) {
    return {
      id: 'hub-quota-low',
      status: 'warn',
      title: `Only ${q.remaining} of ${q.limit ?? '?'} Docker Hub pulls left${window}${who}`,
      detail: 'The dev build pulls several images from Docker Hub (through the bootstrap engine), and each retry pulls again. Read with a manifest HEAD, which costs no pull.',
      fix: 'Run `docker login` first, or configure a mirror; a build that runs out fails with "toomanyrequests".',
    }
  }
  return {id: 'hub-quota-ok', status: 'pass', title: `Docker Hub pulls left: ${q.remaining} of ${q.limit ?? '?'}${window}${who}`}
}
