import type {Finding} from '../core/types.js'

const SHORT_TITLE = 80

/**
A fix shown once: a finding whose fix (or whose detail's "Fix: …" sentence) repeats an earlier
finding's says "the same fix as …" and names that finding, so five failing references on the same
registry carry one 8-line fix, not five.
*/
export function fixOnce(findings: readonly Finding[]): Finding[] {
  const seen = new Map<string, string>()
  const label = (f: Finding): string => (f.title.length > SHORT_TITLE ? `${f.title.slice(0, SHORT_TITLE - 1)}…` : f.title)
  return findings.map((f) => {
    let out = f
    if (f.fix !== undefined && f.fix !== '') {
      const first = seen.get(f.fix)
      if (first === undefined) seen.set(f.fix, label(f))
      else out = {...out, fix: `The same fix as for "${first}" above.`}
    }
    // Extracted build failures carry their fix inside the detail ("… Fix: X Check with: Y.").
    const inDetail = out.detail === undefined ? undefined : /\sFix: [\s\S]*$/.exec(out.detail)?.[0]
    if (inDetail !== undefined && out.detail !== undefined) {
      const key = `detail:${inDetail.trim()}`
      const first = seen.get(key)
      if (first === undefined) seen.set(key, label(f))
      else out = {...out, detail: `${out.detail.slice(0, out.detail.length - inDetail.length)} (Fix: as for "${first}" above.)`}
    }
    return out
  })
}
