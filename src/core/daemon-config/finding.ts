import type {Finding} from '../types.js'
import type {Pos} from './json-strict.js'

/** A finding about daemon.json, pointing at the key and the place in the file it concerns. */
export interface ConfigFinding extends Finding {
  /** The daemon.json key (dotted for nested ones, e.g. `features.containerd-snapshotter`). */
  readonly key?: string
  readonly line?: number
  readonly column?: number
}

export function at(pos: Pos | undefined): {line?: number; column?: number} {
  return pos === undefined ? {} : {line: pos.line, column: pos.column}
}

/** "line 3, column 5: " or "" — prefix for texts shown without the JSON fields. */
export function where(f: Pick<ConfigFinding, 'line' | 'column'>): string {
  return f.line === undefined ? '' : `line ${f.line}, column ${f.column ?? 1}: `
}
