/** HTTP answers judged the way a layer needs them: rate-limit headers, HTML pages, registry error bodies, and an unexpected status as a failure of that layer. */
import {categoryForStatus, LayerFailure} from './categories.js'
import type {HttpResponse} from './http.js'
import type {RateLimit} from './probe-types.js'

export function rateLimitOf(headers: HttpResponse['headers']): RateLimit | undefined {
  const limit = headers['ratelimit-limit']
  const remaining = headers['ratelimit-remaining']
  const source = headers['docker-ratelimit-source']
  if (limit === undefined && remaining === undefined) return undefined
  return {...(limit ? {limit} : {}), ...(remaining ? {remaining} : {}), ...(source ? {source} : {})}
}

export function describeRateLimit(rl: RateLimit | undefined): string {
  if (!rl) return ''
  const window = /w=(\d+)/.exec(rl.limit ?? '')?.[1]
  const count = (v: string | undefined) => (v ? (v.split(';')[0] ?? v) : '?')
  return `rate limit: ${count(rl.remaining)} of ${count(rl.limit)} pulls left${window ? ` per ${Math.round(Number(window) / 3600)} h` : ''}${rl.source ? ` (as seen from ${rl.source})` : ''}`
}

export function htmlTitle(body: Buffer): string {
  const m = /<title[^>]*>([^<]{0,120})/i.exec(body.toString('utf8'))
  return m?.[1]?.trim() ? ` titled "${m[1].trim()}"` : ''
}

export function isHtml(res: HttpResponse): boolean {
  return /text\/html/i.test(res.headers['content-type'] ?? '') || /^\s*<(?:!doctype|html)/i.test(res.body.subarray(0, 64).toString('utf8'))
}

export function registryErrorText(body: Buffer): string {
  try {
    const data = JSON.parse(body.toString('utf8')) as {errors?: {code?: string; message?: string}[]}
    const first = data.errors?.[0]
    if (first?.code) return ` (${first.code}${first.message ? `: ${first.message}` : ''})`
  } catch {
    // Not a registry error body; the status says enough.
  }
  return ''
}

/** Explains a status that a layer did not expect, as a failure of that layer. */
export function unexpected(res: HttpResponse, what: string, host: string): LayerFailure {
  if (isHtml(res)) {
    return new LayerFailure('not_a_registry', `${what} answered ${res.status} with an HTML page${htmlTitle(res.body)}: not a registry API (a captive portal, a proxy's error page or a login page)`)
  }
  const category = categoryForStatus(res.status)
  const rl = describeRateLimit(rateLimitOf(res.headers))
  const retry = res.headers['retry-after'] ? `, retry after ${res.headers['retry-after']} s` : ''
  return new LayerFailure(category, `${what} answered ${res.status} from ${host}${registryErrorText(res.body)}${rl ? `; ${rl}` : ''}${retry}`)
}
