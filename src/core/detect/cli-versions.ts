/**
`dagger` on PATH against ./bin/dagger and the checkout: an older CLI on PATH cannot read the
checkout's dagger.toml (or knows no `--x-release`), a newer one provisions an engine of its own.
*/
import type {Finding} from '../types.js'

export interface DaggerVersion {
  /** `v0.18.14`, or a dev version (`v0.19.0-260101120000-abcdef012345`). */
  readonly version: string
  readonly commit?: string
}

/** Reads `dagger version` output: `dagger v0.18.14 (registry.dagger.io/engine:v0.18.14) linux/amd64` or the key: value form of newer CLIs. */
export function parseDaggerVersion(output: string): DaggerVersion | null {
  const keyed = /^version:\s*(\S+)/m.exec(output)
  const commit = /^commit:\s*([0-9a-f]{7,40})/m.exec(output)?.[1]
  const version = keyed?.[1] ?? /\bdagger (v\d+\.\d+\.\d+\S*)/.exec(output)?.[1] ?? /\b(v\d+\.\d+\.\d+[\w.-]*)/.exec(output)?.[1]
  if (version === undefined) return null
  return {version, ...(commit === undefined ? {} : {commit})}
}

function release(version: string): string | null {
  return /^v?(\d+\.\d+\.\d+)/.exec(version)?.[1] ?? null
}

function compare(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0)
  return 0
}

export interface VersionFacts {
  /** `dagger version` of the CLI on PATH, with where it lives. */
  readonly onPath?: {readonly version: DaggerVersion; readonly file: string} | null
  /** `./bin/dagger version`, when the checkout has one. */
  readonly bin?: DaggerVersion | null
  /** The checkout's own version (tag or engine version), e.g. `v0.19.2`. */
  readonly checkout?: string | null
}

/** Findings for CLIs that disagree with each other or with the checkout; an empty list when they agree or nothing is known. */
export function versionSkewFindings(facts: VersionFacts): Finding[] {
  const findings: Finding[] = []
  const path = facts.onPath ?? null
  const bin = facts.bin ?? null
  const pathRelease = path === null ? null : release(path.version.version)
  const binRelease = bin === null ? null : release(bin.version)
  if (path !== null && bin !== null && pathRelease !== null && binRelease !== null && compare(pathRelease, binRelease) !== 0) {
    const older = compare(pathRelease, binRelease) < 0
    findings.push({
      id: 'dagger-path-vs-bin',
      status: 'warn',
      title: `The dagger on PATH (${path.version.version}) is ${older ? 'older' : 'newer'} than ./bin/dagger (${bin.version})`,
      detail: `${path.file} answers \`dagger\` in this shell. Commands that say \`dagger\` rather than ./bin/dagger (scripts, \`./hack/with-dev bash -c 'dagger …'\`) run it instead of the CLI built from this checkout${older ? '; an older one cannot read a newer dagger.toml (`dagger check -l` prints an empty table)' : ' and provision an engine of their own'}.`,
      fix: 'Call ./bin/dagger explicitly, or run through ./hack/with-dev, which puts ./bin first on PATH.',
    })
  }
  const checkoutRelease = facts.checkout ? release(facts.checkout) : null
  if (path !== null && pathRelease !== null && checkoutRelease !== null && compare(pathRelease, checkoutRelease) < 0) {
    findings.push({
      id: 'dagger-path-older-than-checkout',
      status: 'warn',
      title: `The dagger on PATH (${path.version.version}) is older than this checkout (${facts.checkout})`,
      detail: `${path.file} is an older release than the code checked out; the checkout's modules may need a newer engine ("module requires …") and old CLIs lack flags its scripts use (\`--x-release\`).`,
      fix: 'Upgrade the dagger CLI (https://docs.dagger.io/install) or use ./bin/dagger after a dev build.',
    })
  }
  return findings
}
