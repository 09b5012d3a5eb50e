import {sanitize} from '../notebook/sanitize.js'
import type {Finding} from '../types.js'

/** A finding that points at a place in a file (daemon.json): its key, line and column. */
export interface PlacedFinding extends Finding {
  readonly key?: string
  readonly line?: number
  readonly column?: number
}

/**
The one `--json` shape of a finding, in every command (README "Non-interactive use"): every key always
present, `null` when it does not apply, texts cleaned (a consumer's `jq -r` prints them raw). A finding
about a place in a file (`placed`) carries `key`, `line` and `column` too.
*/
export function findingJson(f: PlacedFinding, options: {placed?: boolean} = {}): Record<string, unknown> {
  const text = (value: string | undefined): string | null => (value === undefined ? null : sanitize(value))
  return {
    id: f.id,
    status: f.status,
    ...(options.placed ? {key: text(f.key), line: f.line ?? null, column: f.column ?? null} : {}),
    title: sanitize(f.title),
    detail: text(f.detail),
    fix: text(f.fix),
    docs: text(f.docs),
    recipe: text(f.recipe),
  }
}
