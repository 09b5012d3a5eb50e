/**
The proxy a registry request goes through, chosen the way Go's `httpproxy` does (which is what
dockerd uses): UPPERCASE variables first, loopback never proxied, NO_PROXY entries matching a
domain and its subdomains (`.example.com` only subdomains), IPs and CIDRs, an optional port, `*`.
*/
import {isIP} from 'node:net'

export interface ProxyChoice {
  /** Proxy URL without credentials, for display. */
  readonly display: string
  readonly url: URL
}

function pick(env: NodeJS.ProcessEnv, upper: string): string | undefined {
  const value = env[upper] ?? env[upper.toLowerCase()]
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0)
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/')
  if (base === undefined || bitsText === undefined || isIP(base) !== 4 || isIP(ip) !== 4) return false
  const bits = Number(bitsText)
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
  return ((ipv4ToInt(ip) & mask) >>> 0) === ((ipv4ToInt(base) & mask) >>> 0)
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase()
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'))
}

/** True when NO_PROXY says `host:port` goes direct. */
export function bypassesProxy(host: string, port: number, noProxy: string | undefined): boolean {
  if (isLoopback(host)) return true
  if (!noProxy) return false
  const target = host.toLowerCase()
  for (const raw of noProxy.split(',')) {
    let entry = raw.trim().toLowerCase()
    if (entry === '') continue
    if (entry === '*') return true
    if (entry.includes('/')) {
      if (inCidr(target, entry)) return true
      continue
    }
    let entryPort: number | undefined
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.startsWith('[') ? entry.replace(/^\[(.*)\]/, '$1') : entry)
    if (m?.[2] !== undefined && isIP(entry) !== 6) {
      entry = m[1] ?? entry
      entryPort = Number(m[2])
    }
    if (entryPort !== undefined && entryPort !== port) continue
    if (isIP(entry) !== 0) {
      if (entry === target) return true
      continue
    }
    if (entry.startsWith('.')) {
      if (target.endsWith(entry)) return true
    } else if (entry.startsWith('*.')) {
      if (target.endsWith(entry.slice(1))) return true
    } else if (target === entry || target.endsWith(`.${entry}`)) {
      return true
    }
  }
  return false
}

/** The HTTPS proxy for a registry host, or undefined to go direct. Throws on an unusable proxy URL. */
export function proxyFor(host: string, port: number, env: NodeJS.ProcessEnv): ProxyChoice | undefined {
  const value = pick(env, 'HTTPS_PROXY')
  if (value === undefined) return undefined
  if (bypassesProxy(host, port, pick(env, 'NO_PROXY'))) return undefined
  let url: URL
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`)
  } catch {
    throw new Error(`HTTPS_PROXY is set to "${value}", which is not a URL.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`HTTPS_PROXY uses the scheme "${url.protocol}", which this probe (like docker) cannot use.`)
  }
  const display = `${url.protocol}//${url.host}`
  return {display, url}
}
