import {readFileSync, statSync} from 'node:fs'
import path from 'node:path'
import type {Recorder} from '../notebook/recorder.js'
import {hackBuildFacts} from './build-script.js'
import {ERAS, type Era, type EraId, eraForVersion, parseSemVer, prereleaseNumber, type SemVer} from './era.js'

/** A dagger source checkout, as far as the build needs to know it. */
export interface DaggerCheckout {
  readonly root: string
  /** `git describe --tags` output, e.g. `v0.9.3-4-gd44c734`; undefined outside git. */
  readonly describe?: string
  /** Tags pointing at HEAD. */
  readonly tags: readonly string[]
  readonly version?: SemVer
  readonly era: Era
  /** Era the version tag suggests, when it disagrees with the files (a hint, not an error). */
  readonly versionEra?: EraId
}

/** A failed lookup says what was seen (`reason`) and, apart, what to do about it (`fix`). */
export type CheckoutLookup = {readonly ok: true; readonly checkout: DaggerCheckout} | {readonly ok: false; readonly reason: string; readonly fix?: string}

const MODULE = /^module\s+github\.com\/dagger\/dagger\s*$/m

/** True when `dir` is the root of a dagger repository: its go.mod names the module. */
export function isDaggerRoot(dir: string): boolean {
  try {
    return MODULE.test(readFileSync(path.join(dir, 'go.mod'), 'utf8'))
  } catch {
    return false
  }
}

/** Walks up from `start` to the root of a dagger checkout. */
export function findDaggerRoot(start: string): string | undefined {
  let dir = path.resolve(start)
  for (;;) {
    if (isDaggerRoot(dir)) return dir
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

/**
The era the files of the checkout belong to, newest layout first: hack/build by what it runs (a
`dagger shell` script or bash calling the dev module), else the folder holding the mage module.
*/
export function eraFromFiles(root: string): EraId | undefined {
  const build = hackBuildFacts(root)
  if (build !== undefined) return build.daggerShell ? 'dagger-shell' : 'hack-build'
  if (isDir(path.join(root, '.dagger', 'mage'))) return 'dagger-mage'
  if (isDir(path.join(root, 'dev', 'mage'))) return 'dev-mage'
  if (isDir(path.join(root, 'ci', 'mage'))) return 'ci-mage'
  if (isDir(path.join(root, 'internal', 'mage'))) return 'internal-mage'
  return undefined
}

/**
Finds the checkout from `dir` (the `--dagger-src` value or the working directory) and reads its
version with git. Never throws: a missing checkout comes back as a reason to show.
*/
export async function detectCheckout(dir: string, rec: Recorder): Promise<CheckoutLookup> {
  if (!isDir(dir)) return {ok: false, reason: `${dir} is not a directory.`, fix: 'Pass the folder of a dagger clone with --dagger-src DIR.'}
  const root = findDaggerRoot(dir)
  if (root === undefined) {
    return {
      ok: false,
      reason: `No dagger checkout found at ${path.resolve(dir)} or above it (looked for a go.mod declaring module github.com/dagger/dagger).`,
      fix: 'Run from inside a clone of github.com/dagger/dagger (`git clone https://github.com/dagger/dagger`), or pass --dagger-src DIR.',
    }
  }
  const eraId = eraFromFiles(root)
  if (eraId === undefined) {
    return {
      ok: false,
      reason: `${root} is a dagger checkout but has none of the known build entrypoints (internal/mage, ci/mage, dev/mage, .dagger/mage, hack/build), so this tool does not know how to build it.`,
      fix: `Check out a release tag from v0.9 on, for example \`git -C ${root} checkout v0.18.0\`: those are the layouts this tool knows.`,
    }
  }
  const described = await rec.exec('git', ['-C', root, 'describe', '--tags', '--match', 'v[0-9]*'], {timeoutMs: 10_000})
  let describe = described.exitCode === 0 ? described.stdout.trim() : undefined
  if (describe === undefined) {
    const any = await rec.exec('git', ['-C', root, 'describe', '--tags', '--always'], {timeoutMs: 10_000})
    if (any.exitCode === 0) describe = any.stdout.trim()
  }
  const pointing = await rec.exec('git', ['-C', root, 'tag', '--points-at', 'HEAD'], {timeoutMs: 10_000})
  const tags = pointing.exitCode === 0 ? pointing.stdout.split('\n').map((t) => t.trim()).filter(Boolean) : []
  const engineTag = tags.find((t) => /^v\d/.test(t))
  const versionTag = engineTag ?? (describe !== undefined && /^v\d/.test(describe) ? describe : '')
  const version = parseSemVer(versionTag)
  const versionEra = version === undefined ? undefined : eraForVersion(version, prereleaseNumber(versionTag))
  return {
    ok: true,
    checkout: {
      root,
      ...(describe === undefined ? {} : {describe}),
      tags,
      ...(version === undefined ? {} : {version}),
      era: ERAS[eraId],
      ...(versionEra !== undefined && versionEra !== eraId ? {versionEra} : {}),
    },
  }
}

/** `v0.9.3` style text for a version, or `unknown`. */
export function versionText(checkout: DaggerCheckout): string {
  const v = checkout.version
  return v === undefined ? (checkout.describe ?? 'unknown') : `v${v.major}.${v.minor}.${v.patch}`
}
