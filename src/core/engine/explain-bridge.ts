import {createReadStream} from 'node:fs'
import {sanitize} from '../notebook/sanitize.js'

/** One failure taken from a build's output, ready to list in the cell. */
export interface BuildFailure {
  readonly title: string
  readonly detail?: string
}

export interface BuildExplanation {
  /** `explainer` when src/core/explain produced it, `fallback` when this module's own scan did. */
  readonly source: 'explainer' | 'fallback'
  readonly failures: readonly BuildFailure[]
  /** Image or registry references the failures name, for the Registry cell. */
  readonly refs: readonly string[]
  /** The explainer's report as it returned it, for callers that know its shape. */
  readonly report?: unknown
}

// The shared explainer (src/core/explain/, another engineer's module). Loaded by a computed name so this
// module builds before it lands; see the report to the lead.
const EXPLAIN_MODULE = ['..', 'explain', 'index.js'].join('/')

interface ExplainModule {
  explainFile?: (path: string) => Promise<unknown>
  explainStream?: (readable: NodeJS.ReadableStream) => Promise<unknown> | unknown
  CATEGORY_ADVICE?: Record<string, {meaning?: string; fix?: string}>
  explainText?: (text: string) => Promise<unknown> | unknown
  refsFrom?: (report: unknown) => unknown
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

/** Reads failures out of an explainer report without depending on its exact type. */
export function failuresFromReport(report: unknown, advice: ExplainModule['CATEGORY_ADVICE'] = {}): BuildFailure[] {
  const r = report as Record<string, unknown> | undefined
  const list = (r?.failures ?? r?.findings ?? r?.errors ?? r?.items) as unknown
  if (!Array.isArray(list)) return []
  return list.slice(0, 50).map((item: unknown) => {
    if (typeof item === 'string') return {title: sanitize(item)}
    const o = item as Record<string, unknown>
    const category = text(o.category)
    const count = typeof o.count === 'number' && o.count > 1 ? ` (${o.count} times)` : ''
    const title = `${text(o.text) ?? text(o.title) ?? text(o.summary) ?? text(o.message) ?? JSON.stringify(item).slice(0, 200)}${count}`
    const tip = category === undefined ? undefined : advice?.[category]
    const said = tip === undefined ? undefined : [tip.meaning, tip.fix === undefined ? undefined : `Fix: ${tip.fix}`].filter(Boolean).join(' ')
    const detail = text(o.detail) ?? text(o.explanation) ?? text(said)
    return {title: sanitize(title), ...(detail === undefined ? {} : {detail: sanitize(detail)})}
  })
}

function refsToStrings(value: unknown): string[] {
  if (!Array.isArray(value)) return []
  return value
    .map((v: unknown) => (typeof v === 'string' ? v : text((v as Record<string, unknown>)?.ref) ?? text((v as Record<string, unknown>)?.reference) ?? text((v as Record<string, unknown>)?.image)))
    .filter((v): v is string => v !== undefined)
}

const REGISTRY_URL = /https?:\/\/([^/\s"]+)\/v2\/(.+?)\/(manifests|blobs)\/([^\s"':]+(?::[0-9a-f]+)?)/g
const IMAGE_CONFIG = /resolve image config for ([^\s]+)/

/** A small scan for when the explainer is not there: error lines and the images they name. */
export function fallbackExplain(lines: readonly string[]): BuildExplanation {
  const failures: BuildFailure[] = []
  const refs = new Set<string>()
  for (const line of lines) {
    if (!/(\sERROR\b|^Error:|\berror:)/.test(line)) continue
    if (failures.length < 20 && !failures.some((f) => f.title === line.trim())) failures.push({title: line.trim()})
    for (const m of line.matchAll(REGISTRY_URL)) {
      const host = m[1] === 'registry-1.docker.io' ? 'docker.io' : (m[1] ?? '')
      refs.add(m[3] === 'manifests' ? `${host}/${m[2]}:${m[4]}` : `${host}/${m[2]}@${m[4]}`)
    }
    const cfg = IMAGE_CONFIG.exec(line)?.[1]
    if (cfg) refs.add(cfg)
  }
  return {source: 'fallback', failures, refs: [...refs]}
}

/** Explains a failed build from its sidecar file; falls back to a local scan of `tail` if the explainer is unavailable or fails. */
export async function explainBuild(sidecarPath: string, tail: readonly string[]): Promise<BuildExplanation> {
  let mod: ExplainModule | undefined
  try {
    mod = (await import(EXPLAIN_MODULE)) as ExplainModule
  } catch {
    mod = undefined
  }
  if (mod?.explainFile !== undefined || mod?.explainStream !== undefined || mod?.explainText !== undefined) {
    try {
      const report =
        mod.explainFile !== undefined
          ? await mod.explainFile(sidecarPath)
          : mod.explainStream !== undefined
            ? await mod.explainStream(createReadStream(sidecarPath))
            : await mod.explainText?.(tail.join('\n'))
      const refs = mod.refsFrom === undefined ? [] : refsToStrings(await mod.refsFrom(report))
      const failures = failuresFromReport(report, mod.CATEGORY_ADVICE)
      const fallback = fallbackExplain(tail)
      return {source: 'explainer', failures: failures.length > 0 ? failures : fallback.failures, refs: refs.length > 0 ? refs : fallback.refs, report}
    } catch {
      // an explainer bug must not hide the build's own failure
    }
  }
  return fallbackExplain(tail)
}
