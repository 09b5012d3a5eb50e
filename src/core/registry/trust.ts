/**
Which certificate authorities a probe trusts. The daemon (Go) trusts the system bundle plus
`certs.d/<host:port>/*.crt`; Node trusts Mozilla's list plus NODE_EXTRA_CA_CERTS. A probe that
wants to predict the daemon trusts the union, and says where a trusted root came from.
*/
import {X509Certificate} from 'node:crypto'
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

export interface TrustStore {
  /** PEM certificates for the `ca` option of tls/undici. */
  readonly ca: readonly string[]
  /** Files that added authorities beyond the public list, for the report. */
  readonly customSources: readonly string[]
  /** A TLS context holding `ca`; building one parses every certificate, so it is made once per set. */
  readonly context: SecureContext
}

const contexts = new Map<string, SecureContext>()

function contextFor(ca: readonly string[]): SecureContext {
  const key = ca.join('')
  let context = contexts.get(key)
  if (!context) {
    context = createSecureContext({ca: [...ca]})
    contexts.set(key, context)
  }
  return context
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

/** Builds the trust store for one registry authority (`host:port`, port omitted for 443). */
export async function loadTrust(authority: string, options: TrustOptions): Promise<TrustStore> {
  const ca: string[] = [...rootCertificates]
  const customSources: string[] = []
  const env = options.env
  const systemFile = env.SSL_CERT_FILE ?? SYSTEM_BUNDLES[0]
  for (const file of [systemFile, ...SYSTEM_BUNDLES]) {
    if (file === undefined) continue
    const text = await readIfPresent(file)
    if (text !== undefined) {
      ca.push(...splitPem(text))
      break
    }
  }
  const extraFile = env.NODE_EXTRA_CA_CERTS
  if (extraFile) {
    const text = await readIfPresent(extraFile)
    if (text !== undefined && splitPem(text).length > 0) {
      ca.push(...splitPem(text))
      customSources.push(`NODE_EXTRA_CA_CERTS (${extraFile})`)
    }
  }
  for (const dir of options.certsDirs ?? defaultCertsDirs(env)) {
    const folder = join(dir, authority)
    let names: string[]
    try {
      names = await readdir(folder)
    } catch {
      continue
    }
    for (const name of names.filter((n) => n.endsWith('.crt')).sort()) {
      const text = await readIfPresent(join(folder, name))
      if (text !== undefined && splitPem(text).length > 0) {
        ca.push(...splitPem(text))
        customSources.push(join(folder, name))
      }
    }
  }
  for (const pem of options.extraCa ?? []) {
    ca.push(...splitPem(pem))
    customSources.push('a CA given to the probe')
  }
  return {ca, customSources, context: contextFor(ca)}
}

let publicSubjects: Set<string> | undefined

/** True when `issuer` (an X.509 subject string) names a root in Node's bundled public CA list. */
export function isPublicIssuer(issuer: string): boolean {
  if (publicSubjects === undefined) {
    publicSubjects = new Set()
    for (const pem of rootCertificates) {
      try {
        publicSubjects.add(new X509Certificate(pem).subject)
      } catch {
        // A root Node cannot parse is no evidence either way.
      }
    }
  }
  return publicSubjects.has(issuer)
}
