import type {ExplainCategory} from './categories.js'

/** One distinct failure found in a log. */
export interface ExplainFailure {
  readonly category: ExplainCategory
  /** What failed: `manifest HEAD`, `blob GET`, `token GET`, `ping GET`, `DNS lookup`, `dial`, `docker socket`, ... */
  readonly op: string
  /** The innermost request's URL, secrets redacted; null when the message names none. */
  readonly url: string | null
  readonly host: string | null
  /** Normalised image reference (`docker.io/library/golang:1.21.3-alpine3.18`), or null. */
  readonly ref: string | null
  /** How many times the log shows this failure. */
  readonly count: number
  /** 1-based line of its first occurrence. */
  readonly line: number
  /** What this message means beyond its category (a specific cause and check), or null. */
  readonly hint: string | null
  /** The first occurrence, joined from its wrapped lines and sanitised. */
  readonly text: string
}

export interface ExplainReport {
  /** In order of first appearance. */
  readonly failures: readonly ExplainFailure[]
  readonly lines: number
  readonly bytes: number
  /** Image references named near the failures (step titles such as `pull docker.io/tonistiigi/xx:1.2.1`). */
  readonly images: readonly string[]
  /** Distinct failures left out once the report held its maximum; their repeats are not counted. */
  readonly omitted: number
}
