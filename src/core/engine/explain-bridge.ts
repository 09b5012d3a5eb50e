import {CATEGORY_ADVICE, explainFile, explainText, type ExplainCategory, type ExplainReport, refsFrom} from '../explain/index.js'
import {sanitize} from '../notebook/sanitize.js'

/** One failure taken from a build's output, ready to list in the cell. */
export interface BuildFailure {
  readonly title: string
  readonly detail?: string
}

export interface BuildExplanation {
  /** `explainer` when src/core/explain produced it, `fallback` when this module's own scan did (explainer error). */
  readonly source: 'explainer' | 'fallback'
  readonly failures: readonly BuildFailure[]
  /** Image or registry references the failures name, for the Registry cell. */
  readonly refs: readonly string[]
  /** The explainer's report, when it ran. */
  readonly report?: ExplainReport
}

/** The explainer's failures as cell lines: the failing statement, and what it means and what to do. */
export function failuresFromReport(report: ExplainReport): BuildFailure[] {
  return report.failures.slice(0, 50).map((f) => {
    const advice = CATEGORY_ADVICE[f.category]
    const title = `${f.text}${f.count > 1 ? ` (${f.count} times, first on line ${f.line})` : ` (line ${f.line})`}`
    return {title: sanitize(title), detail: sanitize(`${f.hint ?? advice.meaning} Fix: ${advice.fix} Check with: ${advice.next}.`)}
  })
}

/** What the explainer makes of a failure message and the log lines around it (a launch error and the engine's log). */
export interface MessageExplanation {
  readonly category: ExplainCategory
  readonly why: string
  readonly fix: string
  readonly next: string
}

/**
The first cause the explainer finds in `text`, with its advice; null when it finds none or only
`other`. The Launch cell uses it so that an engine that will not start is explained in the same
words as `explain` and the Build cell use.
*/
export function explainMessage(text: string): MessageExplanation | null {
  const first = explainText(text).failures.find((f) => f.category !== 'other')
  if (first === undefined) return null
  const advice = CATEGORY_ADVICE[first.category]
  return {category: first.category, why: first.hint ?? advice.meaning, fix: advice.fix, next: advice.next}
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

/** Explains a failed build from its sidecar file with the shared explainer; falls back to a local scan of `tail` if it fails. */
export async function explainBuild(sidecarPath: string, tail: readonly string[]): Promise<BuildExplanation> {
  try {
    const report = await explainFile(sidecarPath)
    const failures = failuresFromReport(report)
    const refs = refsFrom(report)
    const fallback = fallbackExplain(tail)
    return {source: 'explainer', failures: failures.length > 0 ? failures : fallback.failures, refs: refs.length > 0 ? refs : fallback.refs, report}
  } catch {
    // an explainer bug must not hide the build's own failure
    return fallbackExplain(tail)
  }
}
