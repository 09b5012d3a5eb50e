/** `WWW-Authenticate` parsing, as registries send it: `Bearer realm="…",service="…",scope="…"`. */

export interface Challenge {
  readonly scheme: string
  readonly params: Readonly<Record<string, string>>
}

/** Parses the first challenge of a header value; undefined when there is none. */
export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (!value) return undefined
  const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/.exec(value)
  if (!m?.[1]) return undefined
  const params: Record<string, string> = {}
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g
  for (let p = re.exec(m[2] ?? ''); p !== null; p = re.exec(m[2] ?? '')) {
    const key = p[1]?.toLowerCase()
    if (key) params[key] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '')
  }
  return {scheme: m[1].toLowerCase(), params}
}
