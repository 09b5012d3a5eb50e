/**
A diagnosis of several references: N attempts per reference at once (as a puller opens them), one
control probe run alongside, and a verdict per reference with scope, flakiness and a fix.
*/
import type {Category, LayerName, LayerResult} from './categories.js'
import {fixFor, type Scope} from './fixes.js'
import {probeReference, type FamilyOutcome, type ProbeOptions, type ProbeResult, type RateLimit, type Redirect} from './prober.js'
import {parseReference, type ImageReference} from './reference.js'

export const DEFAULT_CONTROL = 'gcr.io/distroless/static-debian12'

export interface Verdict {
  readonly category: Category
  readonly layer: LayerName | null
  readonly host: string | null
  /** Where it failed as people name it: the registry with its port (`127.0.0.1:5443`), or the other host a redirect led to. */
  readonly where: string | null
  readonly scope: Scope
  readonly flaky: boolean
  readonly successRatio: number
  /** One line: what failed where, or that all passed. */
  readonly summary: string
  readonly fix: string
}

export interface AttemptOutcome {
  readonly ok: boolean
  readonly category: Category
  readonly layer: LayerName | null
  readonly host: string | null
  readonly ms: number
}

export interface ControlSummary {
  readonly ref: string
  readonly ok: boolean
  readonly category: Category
  readonly layer: LayerName | null
  readonly host: string | null
  readonly layers: readonly LayerResult[]
}

export interface Diagnosis {
  readonly ref: string
  readonly canonical: string
  readonly ok: boolean
  readonly verdict: Verdict
  readonly layers: readonly LayerResult[]
  readonly families: readonly FamilyOutcome[]
  readonly attempts: readonly AttemptOutcome[]
  readonly rateLimit: RateLimit | null
  readonly redirects: readonly Redirect[]
  readonly digest: string | null
  readonly auth: string
  readonly notes: readonly string[]
  readonly ms: number
  readonly control: ControlSummary | null
}

export interface DiagnoseOptions extends ProbeOptions {
  /** Parallel attempts per reference (default 1). */
  readonly attempts?: number
  /** Control reference; null to run none. */
  readonly control?: string | null
  /** What the Docker daemon cell said about a raised max-concurrent-downloads, to name it in fixes. */
  readonly concurrencyRaised?: string
  /** Stops waiting when aborted (the probes still end within their own timeouts). */
  readonly signal?: AbortSignal
}

export interface DiagnoseReport {
  readonly ok: boolean
  readonly results: readonly Diagnosis[]
  readonly control: ControlSummary | null
  readonly ms: number
}

function summarise(result: ProbeResult): AttemptOutcome {
  const ms = result.layers.reduce((sum, l) => sum + l.ms, 0)
  return {ok: result.ok, category: result.failure?.category ?? 'ok', layer: result.failure?.name ?? null, host: result.failure?.host ?? null, ms}
}

function controlSummary(result: ProbeResult): ControlSummary {
  return {ref: result.ref, ok: result.ok, category: result.failure?.category ?? 'ok', layer: result.failure?.name ?? null, host: result.failure?.host ?? null, layers: result.layers}
}

/** Verdict from the attempts of one reference and the control (if it ran). */
export function decide(ref: ImageReference, attempts: readonly ProbeResult[], control: ControlSummary | null, concurrencyRaised?: string): Verdict {
  const passed = attempts.filter((a) => a.ok).length
  const successRatio = attempts.length === 0 ? 0 : passed / attempts.length
  const flaky = passed > 0 && passed < attempts.length
  const failing = attempts.filter((a) => !a.ok && a.failure)
  if (failing.length === 0) {
    return {category: 'ok', layer: null, host: null, where: null, scope: null, flaky: false, successRatio, summary: `all layers pass for ${ref.canonical}`, fix: 'Nothing to fix.'}
  }
  // The most common failure across attempts decides; ties go to the earliest layer.
  const counts = new Map<string, {n: number; failure: LayerResult}>()
  for (const a of failing) {
    const f = a.failure as LayerResult
    const key = `${f.category}|${f.name}|${f.host}`
    const entry = counts.get(key)
    if (entry) entry.n++
    else counts.set(key, {n: 1, failure: f})
  }
  const top = [...counts.values()].sort((a, b) => b.n - a.n)[0]?.failure as LayerResult
  const scope: Scope = control === null ? null : control.ok ? 'registry_specific' : 'general'
  const where = top.host === ref.host ? ref.authority : top.host
  const fix = fixFor({
    category: top.category,
    layer: top.name,
    host: where,
    registryHost: ref.host,
    registryName: ref.domain,
    isDockerHub: ref.isDockerHub,
    scope,
    flaky,
    ...(control ? {controlRef: control.ref} : {}),
    otherHost: top.host !== ref.host,
    ...(concurrencyRaised ? {concurrencyRaised} : {}),
  })
  const ratio = attempts.length > 1 ? ` in ${attempts.length - passed} of ${attempts.length} attempts` : ''
  return {
    category: top.category,
    layer: top.name,
    host: top.host,
    where,
    scope,
    flaky,
    successRatio,
    summary: `${top.category} at ${top.name} on ${where}${ratio}${flaky ? ' (flaky)' : ''}`,
    fix,
  }
}

async function diagnoseOne(ref: ImageReference, options: DiagnoseOptions, control: Promise<ControlSummary | null>): Promise<Diagnosis> {
  const started = performance.now()
  const n = Math.max(1, Math.floor(options.attempts ?? 1))
  const attempts = await Promise.all(Array.from({length: n}, () => probeReference(ref, options)))
  const anyFailed = attempts.some((a) => !a.ok)
  const controlResult = anyFailed ? await control : null
  const verdict = decide(ref, attempts, controlResult, options.concurrencyRaised)
  const shown = attempts.find((a) => !a.ok) ?? attempts[0]
  if (!shown) throw new Error('no attempt ran')
  return {
    ref: ref.input,
    canonical: ref.canonical,
    ok: !anyFailed,
    verdict,
    layers: shown.layers,
    families: shown.families,
    attempts: attempts.map(summarise),
    rateLimit: shown.rateLimit ?? null,
    redirects: shown.redirects,
    digest: shown.digest ?? null,
    auth: shown.auth,
    notes: shown.notes,
    ms: Math.round(performance.now() - started),
    control: controlResult,
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('The registry diagnosis was interrupted.'))
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('The registry diagnosis was interrupted.'))
    signal.addEventListener('abort', onAbort, {once: true})
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error instanceof Error ? error : new Error(String(error)))
      },
    )
  })
}

/**
Diagnoses references in parallel. The control starts at once alongside them so a failing
reference's scope costs no extra wait. Throws `ImageReferenceError` before any network use for a bad
reference.
*/
export async function diagnose(refs: readonly string[], options: DiagnoseOptions): Promise<DiagnoseReport> {
  const started = performance.now()
  const parsed = refs.map((r) => parseReference(r))
  const controlRef = options.control === undefined ? DEFAULT_CONTROL : options.control
  const controlParsed = controlRef === null ? null : parseReference(controlRef)
  const control: Promise<ControlSummary | null> = controlParsed
    ? probeReference(controlParsed, {...options}).then(controlSummary)
    : Promise.resolve(null)
  // A rejected control must not become an unhandled rejection when no reference needs it.
  control.catch(() => undefined)
  const work = Promise.all([Promise.all(parsed.map((ref) => diagnoseOne(ref, options, control))), control] as const)
  const [results, controlResult] = options.signal ? await untilAborted(work, options.signal) : await work
  return {ok: results.every((r) => r.ok), results, control: controlResult, ms: Math.round(performance.now() - started)}
}
