/**
Gathers classified statements into distinct failures. The same failure is usually printed several
times (the step's error, the pipeline's `Error:`, the final summary), so repeats are counted, not
listed. Memory is bounded: at most MAX_FAILURES distinct failures and MAX_IMAGES image names.
*/
import {sanitize} from '../notebook/sanitize.js'
import type {Classification} from './classify.js'
import {repositoryOf} from './image-ref.js'
import type {ExplainFailure, ExplainReport} from './report.js'

const STEP_SUMMARY = /\bfailed to solve:|did not complete successfully: exit code:/i

export const MAX_FAILURES = 500
const MAX_IMAGES = 200
const MAX_TEXT = 600

interface Entry {
  failure: ExplainFailure
  count: number
}

/** What makes two occurrences the same failure. Blob fetches of one repository count as one. */
function keyOf(c: Classification, text: string): string {
  if (c.op.startsWith('blob ') && c.repository !== null) return `${c.category}|${c.op}|${c.host ?? ''}|${c.repository}`
  if (c.url !== null) return `${c.category}|${c.op}|${c.url}`
  // The same cause printed under different wrappers (the step, the pipeline, the CLI's summary) is one failure.
  if (c.category !== 'other') return `${c.category}|${c.op}|${c.host ?? ''}|${c.ref ?? ''}|${c.cause}`
  const gist = text
    .replace(/^(?:\d+: |#\d+ )?(?:\[\d+(?:\.\d+)?m?s\] |\d+\.\d+ )?/, '')
    .replace(/\b[0-9a-f]{12,}\b/g, '#')
    .replace(/\s+/g, ' ')
  return `${c.category}|${c.op}|${c.host ?? ''}|${c.ref ?? ''}|${gist}`
}

function shorten(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text
}

export class FailureCollector {
  private readonly entries = new Map<string, Entry>()
  private readonly images = new Set<string>()
  private omitted = 0

  add(c: Classification, text: string, line: number): void {
    const key = keyOf(c, text)
    const entry = this.entries.get(key)
    if (entry !== undefined) {
      entry.count++
      return
    }
    if (this.entries.size >= MAX_FAILURES) {
      this.omitted++
      return
    }
    const failure: ExplainFailure = {
      category: c.category,
      op: c.op,
      url: c.url === null ? null : sanitize(c.url),
      host: c.host,
      ref: c.ref,
      count: 1,
      line,
      hint: c.hint,
      text: shorten(sanitize(text)),
    }
    this.entries.set(key, {failure, count: 1})
  }

  addImage(ref: string): void {
    if (this.images.size < MAX_IMAGES) this.images.add(ref)
  }

  report(lines: number, bytes: number): ExplainReport {
    const all = [...this.entries.values()].map((e) => ({...e.failure, count: e.count}))
    // A bare `ERROR` line about an image whose real cause is classified elsewhere only repeats it.
    const explained = new Set(all.flatMap((f) => (f.category !== 'other' && f.ref !== null ? [repositoryOf(f.ref)] : [])))
    // BuildKit's closing `failed to solve: process … did not complete successfully` only says that a step
    // failed; when the log also holds a classified cause, that cause is the failure to show.
    const hasCause = all.some((f) => f.category !== 'other')
    const failures = all.filter(
      (f) =>
        !(f.category === 'other' && f.url === null && f.ref !== null && explained.has(repositoryOf(f.ref))) &&
        !(f.category === 'other' && hasCause && STEP_SUMMARY.test(f.text)),
    )
    failures.sort((a, b) => a.line - b.line)
    return {failures, lines, bytes, images: [...this.images], omitted: this.omitted}
  }
}
