import {sanitize} from '../core/notebook/sanitize.js'
import type {Finding} from '../core/types.js'

/** A finding as a daemon.json lint reports it: where in the file, when known. */
interface Located {
  readonly key?: string
  readonly line?: number
  readonly column?: number
}

/**
The one JSON shape of a finding, in every command's --json output: every key present, null when it
does not apply, so consumers can rely on the keys; texts cleaned on the way out (no escapes, no
secrets). Lint findings (`located`) keep the shape daemon-config --json has documented since it
shipped: `key`, `line` and `column` after the status, and no `docs` or `recipe`.
*/
export function findingJson(f: Finding & Located, {located = false}: {located?: boolean} = {}): Record<string, unknown> {
  const text = (value: string | undefined) => (value === undefined ? null : sanitize(value))
  const common = {title: sanitize(f.title), detail: text(f.detail), fix: text(f.fix)}
  if (located) return {id: f.id, status: f.status, key: f.key ?? null, line: f.line ?? null, column: f.column ?? null, ...common}
  return {id: f.id, status: f.status, ...common, docs: text(f.docs), recipe: f.recipe ?? null}
}
