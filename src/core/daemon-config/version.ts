/** Docker Engine versions as [major, minor]; the linter targets one of them. */
export type EngineVersion = readonly [number, number]

/** The newest engine line the key table describes; "current dockerd" means this. */
export const CURRENT_ENGINE: EngineVersion = [29, 0]

/** Parses "20.10.24+dfsg1", "v28.2.2", "29.0"; undefined when it does not look like a version. */
export function parseEngineVersion(text: string | undefined): EngineVersion | undefined {
  if (text === undefined) return undefined
  const m = /^v?(\d+)\.(\d+)/.exec(text.trim())
  if (m === null) return undefined
  return [Number(m[1]), Number(m[2])]
}

/** -1, 0 or 1 like a comparator. */
export function compareVersions(a: EngineVersion, b: EngineVersion): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1
  return 0
}

export function atLeast(v: EngineVersion, min: EngineVersion): boolean {
  return compareVersions(v, min) >= 0
}

export function formatVersion(v: EngineVersion): string {
  return `${v[0]}.${v[1]}`
}
