/**
The eras of the dagger repository's dev build. Each moved the build entrypoint; the checkout's own files
say which one applies, the version tag only confirms it.
*/

export type EraId = 'internal-mage' | 'dev-mage' | 'dagger-mage' | 'hack-build'

export interface Era {
  readonly id: EraId
  /** Human label, e.g. "mage in internal/mage (up to v0.11)". */
  readonly label: string
  /** Folder of the mage module, relative to the checkout root; undefined for the hack/build era. */
  readonly mageDir?: string
  /** The script the build runs, relative to the root. */
  readonly entrypoint: string
  /** What the entrypoint does, in one sentence for a newcomer. */
  readonly explains: string
  /** What the build needs on the host besides docker. */
  readonly needs: 'go' | 'dagger'
}

export const ERAS: Readonly<Record<EraId, Era>> = {
  'internal-mage': {
    id: 'internal-mage',
    label: 'mage in internal/mage (up to v0.11)',
    mageDir: 'internal/mage',
    entrypoint: 'hack/dev',
    explains: '`hack/dev` runs the mage target `engine:dev` with `go run` from internal/mage; mage builds the engine inside a bootstrap engine and starts dagger-engine.dev.',
    needs: 'go',
  },
  'dev-mage': {
    id: 'dev-mage',
    label: 'mage in dev/mage (v0.12)',
    mageDir: 'dev/mage',
    entrypoint: 'hack/dev',
    explains: '`hack/dev` runs the mage target `engine:dev` from dev/mage and evaluates the `export` lines it prints.',
    needs: 'go',
  },
  'dagger-mage': {
    id: 'dagger-mage',
    label: 'mage in .dagger/mage (v0.13 to v0.16)',
    mageDir: '.dagger/mage',
    entrypoint: 'hack/dev',
    explains: '`hack/dev` runs the mage target `engine:dev` from .dagger/mage, which calls the repository\'s own dagger module.',
    needs: 'go',
  },
  'hack-build': {
    id: 'hack-build',
    label: 'hack/build with the dagger CLI dev module (2025 on)',
    entrypoint: 'hack/build',
    explains: '`hack/build` runs a pinned dagger CLI (`--x-release`) that calls the `dev` module\'s `deploy`: it builds the engine and CLI into ./bin.',
    needs: 'dagger',
  },
}

/** Parsed `vMAJOR.MINOR.PATCH` (pre-release ignored); undefined when the text holds no version. */
export interface SemVer {
  readonly major: number
  readonly minor: number
  readonly patch: number
}

export function parseSemVer(text: string): SemVer | undefined {
  const m = /v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text)
  if (!m) return undefined
  return {major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0)}
}

export function compareSemVer(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch
}

/** The era a version tag belongs to, from the repository's history; used to cross-check the files. */
export function eraForVersion(version: SemVer): EraId {
  if (version.major === 0 && version.minor <= 11) return 'internal-mage'
  if (version.major === 0 && version.minor === 12) return 'dev-mage'
  if (version.major === 0 && version.minor <= 16) return 'dagger-mage'
  return 'hack-build'
}

/**
Engine arguments and published port of the era's `docker run`: v0.9.11 added the pprof endpoint on
6060, and the hack/build era swapped `--debug` for `--extra-debug`.
*/
export interface EraRunFlags {
  readonly cmd: readonly string[]
  readonly debugPort?: number
}

export function runFlagsFor(era: EraId, version: SemVer | undefined): EraRunFlags {
  if (era === 'hack-build') return {cmd: ['--extra-debug', '--debugaddr=0.0.0.0:6060'], debugPort: 6060}
  const before0911 = version !== undefined && compareSemVer(version, {major: 0, minor: 9, patch: 11}) < 0
  if (before0911) return {cmd: ['--debug']}
  return {cmd: ['--debug', '--debugaddr=0.0.0.0:6060'], debugPort: 6060}
}
