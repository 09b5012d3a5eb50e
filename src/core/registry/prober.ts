/**
The layered probe of one image reference: DNS (every address) once, then per address family a path
through TCP -> (proxy CONNECT) -> TLS -> GET /v2/ -> token -> HEAD manifest -> platform manifest ->
ranged blob GET. Every request follows redirects as Go's client does, and every new host on the way
(token realm, redirect target, blob CDN) is opened layer by layer too. The first failing layer of a
path ends that path. Credentials and tokens stay inside these modules (probe-path.ts opens
and sends, pull-layers.ts walks the registry layers, tls-followup.ts takes second looks).
*/
import {LayerFailure} from './categories.js'
import {resolveHost} from './connect.js'
import {findCredentials} from './credentials.js'
import {Path} from './probe-path.js'
import type {FamilyOutcome, ProbeOptions, ProbeResult, Shared} from './probe-types.js'
import {proxyFor, type ProxyChoice} from './proxy.js'
import {runPath} from './pull-layers.js'
import {parseReference, type ImageReference} from './reference.js'

export type {FamilyOutcome, ProbeOptions, ProbeResult, RateLimit, Redirect} from './probe-types.js'

export const DEFAULT_TIMEOUT_MS = 5000

function familyName(family: 4 | 6): string {
  return family === 6 ? 'IPv6' : 'IPv4'
}

/** Probes one reference once, per address family. Throws `ImageReferenceError` for a bad reference only. */
export async function probeReference(input: string | ImageReference, options: ProbeOptions): Promise<ProbeResult> {
  const ref = typeof input === 'string' ? parseReference(input) : input
  const credentials = options.useCredentials === false ? undefined : await findCredentials(ref, options.env, options.timeoutMs).catch(() => undefined)
  const shared: Shared = {ref, options, ...(credentials ? {credentials} : {}), trust: new Map()}

  let proxy: ProxyChoice | undefined
  let proxyError: string | undefined
  try {
    proxy = proxyFor(ref.host, ref.port, options.env)
  } catch (error) {
    proxyError = (error as Error).message
  }
  const dialHost = proxy ? proxy.url.hostname.replace(/^\[(.*)\]$/, '$1') : ref.host
  const top = new Path(shared, {address: dialHost, family: 4})
  if (proxyError) await top.layer('proxy', ref.host, null, () => Promise.reject(new LayerFailure('proxy', proxyError)))
  const addresses = await top.layer('dns', dialHost, null, async () => {
    const all = await resolveHost(dialHost, options.timeoutMs)
    const literal = all.length === 1 && all[0]?.address === dialHost
    return {value: all, detail: literal ? `${dialHost} is an address; nothing to resolve` : `${all.map((a) => `${a.address} (${familyName(a.family)})`).join(', ')}${proxy ? `: the proxy ${proxy.display}` : ''}`}
  })

  const paths: Path[] = []
  if (addresses) {
    for (const family of [4, 6] as const) {
      const first = addresses.find((a) => a.family === family)
      if (first) paths.push(new Path(shared, first))
    }
    await Promise.all(
      paths.map(async (p) => {
        try {
          await runPath(p)
        } finally {
          await p.close()
        }
      }),
    )
  }

  const layers = [...top.layers, ...paths.flatMap((p) => p.layers)]
  const families: FamilyOutcome[] = paths.map((p) => ({
    family: p.address.family,
    address: p.address.address,
    ok: !p.failed,
    category: p.failed?.category ?? 'ok',
    layer: p.failed?.name ?? null,
  }))
  const okPath = paths.find((p) => !p.failed)
  const failure = top.failed ?? (okPath ? undefined : (paths.find((p) => p.address.family === 4)?.failed ?? paths[0]?.failed))
  const notes: string[] = []
  if (okPath) {
    for (const p of paths.filter((x) => x.failed)) {
      notes.push(
        `The ${familyName(p.address.family)} path (${p.address.address}) fails at ${p.failed?.name} (${p.failed?.category}) while ${familyName(okPath.address.family)} works; docker usually falls back, but a broken ${familyName(p.address.family)} route slows every pull.`,
      )
    }
  }
  const source = okPath ?? paths.find((p) => p.failed === failure) ?? paths[0]
  if (credentials && source?.authHow === 'anonymous') notes.push(`Docker credentials for ${ref.domain} were found (${credentials.source}) but the registry did not ask for them.`)
  return {
    ref: ref.input,
    canonical: ref.canonical,
    host: ref.host,
    isDockerHub: ref.isDockerHub,
    ok: failure === undefined && paths.length > 0,
    ...(failure ? {failure} : {}),
    layers,
    families,
    ...(source?.rateLimit ? {rateLimit: source.rateLimit} : {}),
    redirects: source?.redirects ?? [],
    ...(source?.digest ? {digest: source.digest} : {}),
    auth: source?.authHow ?? 'anonymous',
    notes,
  }
}

