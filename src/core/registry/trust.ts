/**
Which certificate authorities a probe trusts. The daemon (Go) trusts the system bundle plus
`certs.d/<host:port>/*.crt`; Node trusts Mozilla's list plus NODE_EXTRA_CA_CERTS. A probe that wants
to predict the daemon trusts the union and says where a trusted root came from.

Building a TLS context from a few hundred PEM certificates costs tens of milliseconds, more than a
whole probe on loopback, so handshakes use Node's default context and only a chain that this
context cannot anchor is checked, in JavaScript, against the extra authorities (system-only roots,
NODE_EXTRA_CA_CERTS, certs.d, CAs given to the probe), which are read and parsed only then.
*/
import {createHash, X509Certificate} from 'node:crypto'
import {readdir, readFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {createSecureContext, rootCertificates, type SecureContext} from 'node:tls'

/** Where Go looks for the system bundle, in its order (crypto/x509/root_linux.go). */
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
]

export interface TrustOptions {
  readonly env: NodeJS.ProcessEnv
  /** certs.d folders to look in; defaults to the daemon's (rootful and rootless). */
  readonly certsDirs?: readonly string[]
  /** Extra PEM text to trust (tests, or a CA the user passed). */
  readonly extraCa?: readonly string[]
}

export interface Anchor {
  readonly cert: X509Certificate
  /** Where it came from, for the report: a file, NODE_EXTRA_CA_CERTS, the system store. */
  readonly source: string
}

export interface TrustStore {
  /** The context handshakes start with: the custom authorities when there are any, else Node's default. */
  readonly context: SecureContext
  /** Sources of custom authorities, for the report. */
  readonly customSources: readonly string[]
  /** The extra authorities, parsed on first use. */
  anchors(): Promise<readonly Anchor[]>
}

export function defaultCertsDirs(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME ?? homedir()
  const xdg = env.XDG_CONFIG_HOME ?? join(home, '.config')
  return ['/etc/docker/certs.d', join(xdg, 'docker', 'certs.d')]
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return undefined
  }
}

function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []
}

function body(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
}

let defaultContext: SecureContext | undefined
let mozillaBodies: Set<string> | undefined
let mozillaFingerprints: Set<string> | undefined
const systemAnchors = new Map<string, Promise<Anchor[]>>()

function parseAnchors(pems: readonly string[], source: string): Anchor[] {
  const out: Anchor[] = []
  for (const pem of pems) {
    try {
      out.push({cert: new X509Certificate(pem), source})
    } catch {
      // An unparsable certificate anchors nothing.
    }
  }
  return out
}

/** Roots in the system bundle that Node's list lacks: local additions such as a company CA. */
function systemOnly(env: NodeJS.ProcessEnv): Promise<Anchor[]> {
  const first = env.SSL_CERT_FILE ?? ''
  let found = systemAnchors.get(first)
  if (!found) {
    found = (async () => {
      for (const file of [first, ...SYSTEM_BUNDLES]) {
        if (file === '') continue
        const text = await readIfPresent(file)
        if (text === undefined) continue
        mozillaBodies ??= new Set(rootCertificates.map(body))
        const known = mozillaBodies
        return parseAnchors(splitPem(text).filter((p) => !known.has(body(p))), `the system trust store (${file})`)
      }
      return []
    })()
    systemAnchors.set(first, found)
  }
  return found
}

/** True when a certificate with this SHA-256 fingerprint (`AB:CD:…`) is one of Node's public roots. */
export function isPublicRoot(fingerprint256: string): boolean {
  if (mozillaFingerprints === undefined) {
    mozillaFingerprints = new Set(
      rootCertificates.map((pem) =>
        (
          createHash('sha256')
            .update(Buffer.from(body(pem), 'base64'))
            .digest('hex')
            .toUpperCase()
            .match(/../g) ?? []
        ).join(':'),
      ),
    )
  }
  return mozillaFingerprints.has(fingerprint256.toUpperCase())
}

/** Builds the trust store for one registry authority (`host:port`, port omitted for 443). */
export async function loadTrust(authority: string, options: TrustOptions): Promise<TrustStore> {
  const custom: {pem: string; source: string}[] = []
  const extraFile = options.env.NODE_EXTRA_CA_CERTS
  if (extraFile) {
    const text = await readIfPresent(extraFile)
    for (const pem of splitPem(text ?? '')) custom.push({pem, source: `NODE_EXTRA_CA_CERTS (${extraFile})`})
  }
  for (const dir of options.certsDirs ?? defaultCertsDirs(options.env)) {
    const folder = join(dir, authority)
    let names: string[]
    try {
      names = await readdir(folder)
    } catch {
      continue
    }
    for (const name of names.filter((n) => n.endsWith('.crt')).sort()) {
      const text = await readIfPresent(join(folder, name))
      for (const pem of splitPem(text ?? '')) custom.push({pem, source: join(folder, name)})
    }
  }
  for (const pem of options.extraCa ?? []) for (const one of splitPem(pem)) custom.push({pem: one, source: 'a CA given to the probe'})
  let anchors: Promise<readonly Anchor[]> | undefined
  const env = options.env
  if (custom.length === 0) {
    // Node's default context loads its whole root store: made once, and only when needed.
    defaultContext ??= createSecureContext()
    return {
      context: defaultContext,
      customSources: [],
      anchors() {
        anchors ??= systemOnly(env)
        return anchors
      },
    }
  }
  // With custom authorities for this registry (a private registry or the lab), try them first: a
  // context of a few certificates is cheap, and the public list is only parsed if they do not anchor.
  const key = custom.map((c) => c.pem).join('')
  let context = customContexts.get(key)
  if (!context) {
    context = createSecureContext({ca: custom.map((c) => c.pem)})
    customContexts.set(key, context)
  }
  return {
    context,
    customSources: [...new Set(custom.map((c) => c.source))],
    anchors() {
      anchors ??= (async () => [...custom.flatMap((c) => parseAnchors([c.pem], c.source)), ...publicAnchors(), ...(await systemOnly(env))])()
      return anchors
    },
  }
}

const customContexts = new Map<string, SecureContext>()
let publicParsed: Anchor[] | undefined

function publicAnchors(): Anchor[] {
  publicParsed ??= parseAnchors(rootCertificates, 'a public CA')
  return publicParsed
}

/** Error codes that mean "no trusted root for this chain", which extra authorities may fix. */
export const UNKNOWN_ISSUER_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
])

/**
Checks a presented chain (leaf first, DER) against extra authorities: each link must be issued and
signed by the next, and some certificate must be an anchor or be issued and signed by one. Returns
the anchor's source and the first validity problem on the anchored path, or undefined.
*/
export function anchorChain(chain: readonly Buffer[], anchors: readonly Anchor[], now = new Date()): {source: string; problem?: 'CERT_HAS_EXPIRED' | 'CERT_NOT_YET_VALID'} | undefined {
  const certs: X509Certificate[] = []
  for (const der of chain) {
    try {
      certs.push(new X509Certificate(der))
    } catch {
      return undefined
    }
  }
  const dates = (path: readonly X509Certificate[]) => {
    for (const c of path) {
      if (now < new Date(c.validFrom)) return 'CERT_NOT_YET_VALID' as const
      if (now > new Date(c.validTo)) return 'CERT_HAS_EXPIRED' as const
    }
    return undefined
  }
  for (let i = 0; i < certs.length; i++) {
    const cert = certs[i] as X509Certificate
    for (const anchor of anchors) {
      const path = certs.slice(0, i + 1)
      if (anchor.cert.raw.equals(cert.raw) || (cert.checkIssued(anchor.cert) && cert.verify(anchor.cert.publicKey))) {
        const problem = dates([...path, anchor.cert])
        return problem ? {source: anchor.source, problem} : {source: anchor.source}
      }
    }
    const next = certs[i + 1]
    if (!next || !cert.checkIssued(next) || !cert.verify(next.publicKey)) return undefined
  }
  return undefined
}
