/**
The registry layers of one path, in the order a pull goes: GET /v2/ (ping), the token, HEAD of the
manifest, the platform's manifest from the index, and a small ranged GET of one blob (following a
redirect to a CDN). The first failing layer ends the path.
*/
import {LayerFailure} from './categories.js'
import {parseChallenge, type Challenge} from './challenge.js'
import {formatPlatform, isIndexType, listPlatforms, MANIFEST_ACCEPT, parseManifest, selectPlatform} from './manifest.js'
import {NestedFailure, type Path} from './probe-path.js'
import type {ImageReference} from './reference.js'
import {describeRateLimit, htmlTitle, isHtml, rateLimitOf, registryErrorText, unexpected} from './responses.js'

function registryUrl(ref: ImageReference, path: string): URL {
  return new URL(`https://${ref.authority}${path}`)
}

function hopsText(path: Path, from: number): string {
  const hops = path.redirects.slice(from)
  return hops.length === 0 ? '' : ` (redirected ${hops.map((h) => `${h.status} to ${h.toHost}`).join(', then ')})`
}

export async function runPath(path: Path): Promise<void> {
  const {ref, credentials} = path.shared
  const registry = await path.open(registryUrl(ref, '/v2/'), path.address)
  if (!registry) return
  const addr = path.address

  // Ping: what the classic puller does first, and the cheapest proof that this is a registry.
  const ping = await path.layer<{challenge: Challenge | null; url: URL}>('ping', ref.host, addr, async () => {
    const before = path.redirects.length
    const {res, url} = await path.send(registryUrl(ref, '/v2/'), {method: 'GET', maxBody: 8192, authorize: false})
    const via = hopsText(path, before)
    const apiVersion = res.headers['docker-distribution-api-version']
    if (res.status === 200) {
      if (isHtml(res) || (!apiVersion && !/^\s*\{/.test(res.body.toString('utf8')))) {
        const page = unexpected({...res, headers: {...res.headers, 'content-type': 'text/html'}}, 'GET /v2/', url.hostname)
        throw new LayerFailure(page.category, `${page.message}${via}`)
      }
      return {value: {challenge: null, url}, detail: `200${apiVersion ? `, ${apiVersion}` : ''}; no authentication asked${via}`}
    }
    if (res.status === 401) {
      const found = parseChallenge(res.headers['www-authenticate'])
      if (!found) {
        if (isHtml(res)) throw unexpected(res, 'GET /v2/', url.hostname)
        throw new LayerFailure('http_401', `GET /v2/ answered 401 without saying how to authenticate (no WWW-Authenticate header)${via}`)
      }
      const where = found.params.realm ? ` from ${found.params.realm}` : ''
      const kind = found.scheme === 'bearer' ? 'token auth' : found.scheme === 'basic' ? 'Basic auth' : `"${found.scheme}" auth`
      return {value: {challenge: found, url}, detail: `401 asking for ${kind}${where}${found.params.service ? `, service ${found.params.service}` : ''}${apiVersion ? `; ${apiVersion}` : ''}${via}`}
    }
    if (res.status === 404) throw new LayerFailure('not_a_registry', `GET /v2/ answered 404: ${url.host} does not serve the registry API${isHtml(res) ? ` (an HTML page${htmlTitle(res.body)})` : ''}${via}`)
    const failure = unexpected(res, 'GET /v2/', url.hostname)
    throw new LayerFailure(failure.category, `${failure.message}${via}`)
  })
  if (!ping) return

  // Token: anonymous, or with the user's docker credentials. Never recorded. A registry that lets
  // /v2/ through may still challenge on the repository; `send` answers that inside the manifest layer.
  const tokenIndex = path.layers.length
  if (ping.challenge) {
    const challenge = ping.challenge
    path.challenged.add(ping.url.origin)
    if (challenge.scheme === 'basic') {
      if (await path.authorize(challenge, ping.url).catch(() => false)) {
        path.skip('token', ref.host, `the registry uses Basic auth; using docker credentials from ${credentials?.source ?? '?'}`)
      } else {
        path.skip('token', ref.host, `the registry uses Basic auth and no docker credentials were found for ${ref.domain}`)
      }
    } else if (challenge.scheme === 'bearer') {
      const ok = await path.authorize(challenge, ping.url).catch((error: unknown) => {
        if (error instanceof NestedFailure) return false
        throw error
      })
      if (!ok) return
    } else {
      path.skip('token', ref.host, `the registry asks for "${challenge.scheme}" authentication, which this probe does not speak`)
    }
  }

  // Manifest HEAD: how containerd resolves a tag; free against Docker Hub's pull limit.
  const manifestPath = `/v2/${ref.repository}/manifests/${ref.reference}`
  const head = await path.layer('manifest', ref.host, addr, async () => {
    const before = path.redirects.length
    let {res, url} = await path.send(registryUrl(ref, manifestPath), {method: 'HEAD', headers: {accept: MANIFEST_ACCEPT}})
    if (res.status === 405) ({res, url} = await path.send(registryUrl(ref, manifestPath), {method: 'GET', headers: {accept: MANIFEST_ACCEPT}, maxBody: 4 * 1024 * 1024}))
    const via = hopsText(path, before)
    path.rateLimit = rateLimitOf(res.headers) ?? path.rateLimit
    if (res.status === 404) {
      const what = ref.digest ? `digest ${ref.digest}` : `tag "${ref.tag ?? ref.reference}"`
      throw new LayerFailure('http_404', `HEAD ${manifestPath} answered 404: ${ref.repository} has no ${what} on ${ref.domain}${via}`)
    }
    if (res.status === 401 && ref.isDockerHub) {
      throw new LayerFailure('http_401', `HEAD ${manifestPath} answered 401: Docker Hub says this for a private repository and for one that does not exist`)
    }
    if (res.status !== 200 || isHtml(res)) {
      const failure = unexpected(res, `HEAD ${manifestPath}`, url.hostname)
      throw new LayerFailure(failure.category, `${failure.message}${via}`)
    }
    const digest = res.headers['docker-content-digest']
    const type = (res.headers['content-type'] ?? 'no content type').split(';')[0] ?? ''
    if (digest) path.digest = digest
    const rl = describeRateLimit(path.rateLimit)
    return {value: {digest, type}, detail: `200, ${type}${digest ? `, ${digest}` : ''}${rl ? `; ${rl}` : ''}${via}`}
  })
  if (!path.layers.slice(tokenIndex).some((l) => l.name === 'token')) {
    path.layers.splice(tokenIndex, 0, {name: 'token', host: ref.host, address: null, family: null, status: 'skipped', ms: 0, category: 'ok', detail: 'the registry asked for no credentials'})
  }
  if (!head) return

  const remaining = Number((path.rateLimit?.remaining ?? '').split(';')[0])
  const minRemaining = path.shared.options.minRemaining ?? 5
  if (path.rateLimit?.remaining !== undefined && Number.isFinite(remaining) && remaining < minRemaining) {
    path.skip('platform', ref.host, `skipped: only ${remaining} pulls left in the rate-limit window, and a manifest GET counts as one`)
    path.skip('blob', ref.host, 'skipped with the platform manifest')
    return
  }

  // Platform: the index entry a puller for this platform takes, as `imagetools inspect` shows it.
  const want = path.shared.options.platform
  const getManifest = async (reference: string) => {
    const {res, url} = await path.send(registryUrl(ref, `/v2/${ref.repository}/manifests/${reference}`), {method: 'GET', headers: {accept: MANIFEST_ACCEPT}, maxBody: 4 * 1024 * 1024})
    if (res.status !== 200) throw unexpected(res, `GET manifest ${reference}`, url.hostname)
    return res
  }
  const layers = await path.layer('platform', ref.host, addr, async () => {
    const res = await getManifest(head.digest ?? ref.reference)
    const manifest = parseManifest(res.body, res.headers['content-type'])
    if (manifest.kind === 'index' || isIndexType(res.headers['content-type'])) {
      const chosen = selectPlatform(manifest.children, want)
      if (!chosen?.digest) {
        const has = listPlatforms(manifest.children)
        throw new LayerFailure('http_404', `the image index has no ${formatPlatform(want)} entry; it has ${has.length > 0 ? has.join(', ') : 'no platforms listed'}`)
      }
      const child = await getManifest(chosen.digest)
      const image = parseManifest(child.body, child.headers['content-type'])
      return {value: image.layers, detail: `index with ${manifest.children.length} entries; ${formatPlatform(want)} is ${chosen.digest} (${image.layers.length} layers)`}
    }
    if (manifest.kind === 'unknown') throw new LayerFailure('not_a_registry', `the manifest is not JSON (${manifest.mediaType || 'no content type'})`)
    return {value: manifest.layers, detail: `single-platform manifest (${manifest.mediaType || manifest.kind}, ${manifest.layers.length} layers); its platform is not listed, so ${formatPlatform(want)} is assumed`}
  })
  if (!layers) return
  const blob = [...layers].filter((l) => l.size > 0).sort((a, b) => a.size - b.size)[0] ?? layers[0]
  if (!blob) {
    path.skip('blob', ref.host, 'the manifest lists no layers to fetch')
    return
  }

  // Blob: a small range of the smallest layer; redirects (to a CDN) are followed and each new host
  // is opened layer by layer, without the registry's Authorization.
  await path.layer('blob', ref.host, null, async () => {
    const before = path.redirects.length
    const {res, url} = await path.send(registryUrl(ref, `/v2/${ref.repository}/blobs/${blob.digest}`), {method: 'GET', headers: {range: 'bytes=0-1023'}, maxBody: 1024})
    const via = hopsText(path, before)
    if (res.status === 200 || res.status === 206) {
      return {value: null, host: url.hostname, detail: `${res.status}, ${res.body.length} bytes of ${blob.digest.slice(0, 19)}… from ${url.host}${via}`}
    }
    if (res.status === 404) throw new LayerFailure('http_404', `GET blob answered 404 on ${url.host}: the registry lists a layer it does not have${registryErrorText(res.body)}${via}`)
    const failure = unexpected(res, `GET blob on ${url.host}`, url.hostname)
    throw Object.assign(new LayerFailure(failure.category, `${failure.message}${via}`), {host: url.hostname})
  })
}
