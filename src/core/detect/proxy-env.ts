/**
The engine container does not inherit the shell's proxy: a dev engine started by `docker run`
without `-e HTTPS_PROXY` fetches (git, go modules, pulls BuildKit does itself) without it, while
`docker pull` through the daemon's own proxy settings works.
*/
import type {Finding} from '../types.js'

const PROXY_VARS = ['HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy'] as const

function proxyOf(env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const name of PROXY_VARS) {
    const v = env[name]
    if (v !== undefined && v.trim() !== '') return v.trim()
  }
  return undefined
}

/** `Config.Env` of a container (`NAME=value` strings) as a record. */
export function envRecord(list: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of list ?? []) {
    const eq = entry.indexOf('=')
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1)
  }
  return out
}

/** A warning when the shell uses a proxy the engine container was not given; null otherwise. */
export function engineProxyFinding(container: string, shell: NodeJS.ProcessEnv, engine: Readonly<Record<string, string>>): Finding | null {
  const wanted = proxyOf(shell)
  if (wanted === undefined || proxyOf(engine) !== undefined) return null
  // Only the host part: a proxy URL may carry credentials.
  const shown = /^[a-z]+:\/\/(?:[^@/]*@)?([^/]+)/i.exec(wanted)?.[1] ?? 'a proxy'
  return {
    id: 'engine-proxy-env-missing',
    status: 'warn',
    title: `Your shell uses the proxy ${shown}; ${container} has no proxy in its environment`,
    detail: `The engine makes its own connections (git fetches of modules, Go module downloads, image pulls BuildKit does), and a container does not inherit the shell's HTTP(S)_PROXY. Where the network needs the proxy, those fail with timeouts or "connection refused" while \`docker pull\` (the daemon's proxy) works.`,
    fix: 'Start the engine with the proxy variables (a custom runner: `docker run -e HTTPS_PROXY=… -e NO_PROXY=…`), or set them in the engine config of the checkout\'s engine-dev module.',
  }
}
