/** What a probe is asked and what it answers: the shapes shared by the prober's layers. */
import type {Category, LayerName, LayerResult} from './categories.js'
import type {Credentials} from './credentials.js'
import type {Platform} from './manifest.js'
import type {ImageReference} from './reference.js'
import type {TrustStore} from './trust.js'

export interface ProbeOptions {
  readonly env: NodeJS.ProcessEnv
  /** Per layer, milliseconds. */
  readonly timeoutMs: number
  readonly platform: Platform
  readonly certsDirs?: readonly string[]
  readonly extraCa?: readonly string[]
  /** Use the user's docker credentials (default true). */
  readonly useCredentials?: boolean
  /** Stop before the GETs that count as pulls when Docker Hub says fewer remain than this (default 5). */
  readonly minRemaining?: number
}

export interface RateLimit {
  readonly limit?: string
  readonly remaining?: string
  readonly source?: string
}

export interface Redirect {
  readonly status: number
  readonly fromHost: string
  readonly toHost: string
}

export interface FamilyOutcome {
  readonly family: 4 | 6
  readonly address: string
  readonly ok: boolean
  readonly category: Category
  readonly layer: LayerName | null
}

export interface ProbeResult {
  readonly ref: string
  readonly canonical: string
  readonly host: string
  readonly isDockerHub: boolean
  readonly ok: boolean
  /** The failing layer that decides the verdict; undefined when the probe passed. */
  readonly failure?: LayerResult
  readonly layers: readonly LayerResult[]
  readonly families: readonly FamilyOutcome[]
  readonly rateLimit?: RateLimit
  readonly redirects: readonly Redirect[]
  readonly digest?: string
  /** How the probe authenticated, in words; never the credential itself. */
  readonly auth: string
  readonly notes: readonly string[]
}

export interface Shared {
  readonly ref: ImageReference
  readonly options: ProbeOptions
  readonly credentials?: Credentials
  readonly trust: Map<string, Promise<TrustStore>>
}
