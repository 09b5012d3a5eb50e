/** Installed packages, read from the package database inside the image (apk for Alpine and Wolfi, dpkg for Debian/Ubuntu). */

export interface InstalledPackage {
  readonly name: string
  readonly version: string
  readonly arch?: string
  /** Names this package also answers to (apk `p:` lines, without versions). */
  readonly provides: readonly string[]
}

export type PackageDbKind = 'apk' | 'dpkg'

/** Where the databases live; the first one present in the merged tree is read. */
export const PACKAGE_DBS: readonly {path: string; kind: PackageDbKind}[] = [
  {path: 'lib/apk/db/installed', kind: 'apk'},
  {path: 'usr/lib/apk/db/installed', kind: 'apk'},
  {path: 'var/lib/dpkg/status', kind: 'dpkg'},
]

/** apk's `installed` file: stanzas separated by blank lines, one `X:value` field per line. */
export function parseApkInstalled(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = []
  for (const stanza of text.split(/\n\s*\n/)) {
    let name = ''
    let version = ''
    let arch: string | undefined
    const provides: string[] = []
    for (const line of stanza.split('\n')) {
      const key = line[0]
      if (line[1] !== ':') continue
      const value = line.slice(2).trim()
      if (key === 'P') name = value
      else if (key === 'V') version = value
      else if (key === 'A') arch = value
      else if (key === 'p') for (const item of value.split(/\s+/)) if (item) provides.push(item.split(/[=<>~]/)[0] ?? item)
    }
    if (name) out.push({name, version, ...(arch ? {arch} : {}), provides})
  }
  return out
}

/** dpkg's `status` file: only packages whose status says installed. */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = []
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>()
    for (const line of stanza.split('\n')) {
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line)
      if (match) fields.set(match[1]?.toLowerCase() ?? '', match[2] ?? '')
    }
    const name = fields.get('package')
    if (!name || !/\binstalled\b/.test(fields.get('status') ?? '')) continue
    const arch = fields.get('architecture')
    const provides = (fields.get('provides') ?? '').split(',').map((p) => p.trim().split(/\s/)[0] ?? '').filter(Boolean)
    out.push({name, version: fields.get('version') ?? '', ...(arch ? {arch} : {}), provides})
  }
  return out
}

export function parsePackageDb(kind: PackageDbKind, text: string): InstalledPackage[] {
  return kind === 'apk' ? parseApkInstalled(text) : parseDpkgStatus(text)
}

/** The package that satisfies `name`, by its own name or by what it provides. */
export function findPackage(packages: readonly InstalledPackage[], name: string): InstalledPackage | undefined {
  return packages.find((p) => p.name === name) ?? packages.find((p) => p.provides.includes(name))
}
