import {readFileSync} from 'node:fs'
import {Agent} from 'undici'
import {readLabFacts, type LabFacts, type LabRegistry, type LabTokenRegistry} from './facts.js'

export type {LabFacts, LabRegistry, LabTokenRegistry} from './facts.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by test/lab/global-setup.ts; null when the lab could not come up outside CI. */
    lab: LabFacts | null
  }
}

let cached: LabFacts | undefined

/** The lab's facts; throws a plain sentence naming the fix when the lab is not up. */
export function lab(): LabFacts {
  cached ??= readLabFacts()
  return cached
}

/** True when up.sh has written facts this run can use. */
export function labAvailable(): boolean {
  try {
    lab()
    return true
  } catch {
    return false
  }
}

/** The plain TLS registry (no auth), with the base image pushed as `image`. */
export function labRegistry(): LabRegistry {
  const registry = lab().registry
  if (!registry) throw new Error('The test lab has no registry (docker-registry or openssl missing): see the output of `bash test/lab/up.sh`.')
  return registry
}

/** The TLS registry that demands Bearer tokens from the lab's token issuer. */
export function labTokenRegistry(): LabTokenRegistry {
  const registry = lab().tokenRegistry
  if (!registry) throw new Error('The test lab has no token registry: see the output of `bash test/lab/up.sh`.')
  return registry
}

/** The lab CA as PEM, for `tls.connect({ca})` or an undici Agent. */
export function labCa(): string {
  return readFileSync(lab().caFile, 'utf8')
}

/** An undici dispatcher that trusts only the lab CA; close it when done. */
export function labDispatcher(timeoutMs = 5000): Agent {
  return new Agent({connect: {ca: labCa(), timeout: timeoutMs}, headersTimeout: timeoutMs, bodyTimeout: timeoutMs})
}
