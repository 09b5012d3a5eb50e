import {randomBytes, sign} from 'node:crypto'
import {readFileSync} from 'node:fs'
import type {LabTokenRegistry} from './facts.js'

export interface TokenAccess {
  readonly type: string
  readonly name: string
  readonly actions: readonly string[]
}

export interface MintOptions {
  readonly access?: readonly TokenAccess[]
  readonly subject?: string
  /** Seconds from now; negative makes an expired token. */
  readonly expiresIn?: number
  /** Override claims to make tokens the registry must refuse (wrong `aud`, wrong `iss`). */
  readonly claims?: Record<string, unknown>
}

/**
 * A registry token signed with the lab's token key, without going through the issuer:
 * for tests that need a token the issuer would never hand out (expired, wrong audience).
 * The issuer (token-issuer.mjs) builds the same JWT.
 */
export function mintLabToken(registry: LabTokenRegistry, options: MintOptions = {}): string {
  const key = readFileSync(registry.signingKeyFile, 'utf8')
  const der = readFileSync(registry.signingCertFile, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
  const now = Math.floor(Date.now() / 1000)
  const header = {typ: 'JWT', alg: 'ES256', x5c: [der]}
  const claims = {
    iss: registry.issuer,
    sub: options.subject ?? registry.username,
    aud: registry.service,
    exp: now + (options.expiresIn ?? 300),
    nbf: now - 10,
    iat: now,
    jti: randomBytes(12).toString('hex'),
    access: options.access ?? [],
    ...options.claims,
  }
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${b64(header)}.${b64(claims)}`
  const signature = sign('sha256', Buffer.from(input), {key, dsaEncoding: 'ieee-p1363'})
  return `${input}.${signature.toString('base64url')}`
}
