/**
The eras of the dagger repository's dev build, one row per layout of its build entrypoint (read from
the dagger repository's tags, see ../shared/reference/dagger-eras.md and the README's release table).
The checkout's own files say which one applies; the version tag only confirms it.
*/

export type EraId = 'internal-mage' | 'ci-mage' | 'dev-mage' | 'dagger-mage' | 'dagger-shell' | 'hack-build'

/** What the build needs from a dagger CLI on PATH. */
export type DaggerCliNeed =
  /** mage runs `dagger call … ` with the `dagger` on PATH (or `_EXPERIMENTAL_DAGGER_CLI_BIN`). */
  | 'call'
  /** hack/build is a `dagger shell` script. */
  | 'shell'
  /** hack/build runs `dagger --x-release REF …`. */
  | 'x-release'

export interface Era {
  readonly id: EraId
  /** Human label, e.g. "mage in internal/mage (v0.9, v0.10)". */
  readonly label: string
  /** The releases of this layout, as text. */
  readonly releases: string
  /** Folder of the mage module, relative to the checkout root; undefined for the hack/build eras. */
  readonly mageDir?: string
  /** The script the build runs, relative to the root. */
  readonly entrypoint: string
  /** What the entrypoint does, for a newcomer; every sentence checked against the release's files. */
  readonly explains: string
  /** The build starts with `go run` (mage): it needs Go at the version of the mage module's go.mod. */
  readonly needsGo: boolean
  /** What it needs from a dagger CLI on PATH; undefined when it fetches its own (v0.9/v0.10 mage uses the Go SDK). */
  readonly daggerCli?: DaggerCliNeed
  /** The build writes bin/engine.tar (every era but the bash hack/build, whose deploy writes only bin/dagger). */
  readonly writesEngineTar: boolean
  /** Variables the era's `docker run` of the dev engine passes through with `-e NAME`. */
  readonly passthroughEnv: readonly string[]
}

const MAGE_LOAD_RUN = 'runs `docker load -i bin/engine.tar`, `docker tag <id> localhost/dagger-engine.dev:latest`, `docker rm -fv dagger-engine.dev` and `docker run -d … --name dagger-engine.dev --privileged`, so the engine is already running when it ends'

export const ERAS: Readonly<Record<EraId, Era>> = {
  'internal-mage': {
    id: 'internal-mage',
    label: 'mage in internal/mage (v0.9, v0.10)',
    releases: 'v0.9.0 to v0.10.3',
    mageDir: 'internal/mage',
    entrypoint: 'hack/dev',
    explains: `\`hack/dev\` runs \`go run main.go -w <root> engine:dev\` in internal/mage. The mage target connects through the Go SDK (which fetches its own dagger CLI and bootstrap engine), exports the engine image to bin/engine.tar, ${MAGE_LOAD_RUN}, and writes bin/dagger. hack/dev then exports _EXPERIMENTAL_DAGGER_CLI_BIN, _EXPERIMENTAL_DAGGER_RUNNER_HOST=docker-container://dagger-engine.dev, _DAGGER_TESTS_ENGINE_TAR and PATH, and execs its arguments.`,
    needsGo: true,
    writesEngineTar: true,
    passthroughEnv: ['_EXPERIMENTAL_DAGGER_CACHE_CONFIG', '_EXPERIMENTAL_DAGGER_CLOUD_TOKEN', '_EXPERIMENTAL_DAGGER_CLOUD_URL', '_EXPERIMENTAL_DAGGER_GPU_SUPPORT'],
  },
  'ci-mage': {
    id: 'ci-mage',
    label: 'mage in ci/mage (v0.11)',
    releases: 'v0.11.0 to v0.11.9',
    mageDir: 'ci/mage',
    entrypoint: 'hack/dev',
    explains: `\`hack/dev\` runs \`go run main.go -w <root> engine:dev\` in ci/mage. The mage target runs the \`dagger\` CLI on PATH (or _EXPERIMENTAL_DAGGER_CLI_BIN): \`dagger call --source=.:default … engine container export --path=./bin/engine.tar\` on the repository's own module in ci/, then ${MAGE_LOAD_RUN}, then \`dagger call … cli file … export\` to bin/dagger. hack/dev then exports _EXPERIMENTAL_DAGGER_CLI_BIN, _EXPERIMENTAL_DAGGER_RUNNER_HOST=docker-container://dagger-engine.dev, _DAGGER_TESTS_ENGINE_TAR and PATH, and execs its arguments.`,
    needsGo: true,
    daggerCli: 'call',
    writesEngineTar: true,
    passthroughEnv: ['_EXPERIMENTAL_DAGGER_CACHE_CONFIG', 'DAGGER_CLOUD_TOKEN', 'DAGGER_CLOUD_URL', '_EXPERIMENTAL_DAGGER_GPU_SUPPORT'],
  },
  'dev-mage': {
    id: 'dev-mage',
    label: 'mage in dev/mage (v0.12.0 to v0.12.4)',
    releases: 'v0.12.0 to v0.12.4',
    mageDir: 'dev/mage',
    entrypoint: 'hack/dev',
    explains: `\`hack/dev\` evaluates the \`export\` lines of \`go run main.go -w <root> engine:dev\` in dev/mage, then execs its arguments. The mage target runs the \`dagger\` CLI on PATH: \`dagger call -m dev --source=.:default … dev-export … export --path=bin\` writes bin/engine.tar and bin/dagger, then it ${MAGE_LOAD_RUN}.`,
    needsGo: true,
    daggerCli: 'call',
    writesEngineTar: true,
    passthroughEnv: ['_EXPERIMENTAL_DAGGER_CACHE_CONFIG', 'DAGGER_CLOUD_TOKEN', 'DAGGER_CLOUD_URL', '_EXPERIMENTAL_DAGGER_GPU_SUPPORT'],
  },
  'dagger-mage': {
    id: 'dagger-mage',
    label: 'mage in .dagger/mage (v0.12.5 to v0.16.1)',
    releases: 'v0.12.5 to v0.16.1',
    mageDir: '.dagger/mage',
    entrypoint: 'hack/dev',
    explains: `\`hack/dev\` evaluates the \`export\` lines of \`go run main.go -w <root> engine:dev\` in .dagger/mage, then execs its arguments. The mage target runs the \`dagger\` CLI on PATH: \`dagger call --source=.:default … dev-export … export --path=bin\` on the repository's module in .dagger/ writes bin/engine.tar and bin/dagger, then it ${MAGE_LOAD_RUN}.`,
    needsGo: true,
    daggerCli: 'call',
    writesEngineTar: true,
    passthroughEnv: ['_EXPERIMENTAL_DAGGER_CACHE_CONFIG', 'DAGGER_CLOUD_TOKEN', 'DAGGER_CLOUD_URL', '_EXPERIMENTAL_DAGGER_GPU_SUPPORT'],
  },
  'dagger-shell': {
    id: 'dagger-shell',
    label: 'hack/build as a dagger shell script (v0.16.2 to v0.21.8, v1.0.0-beta.1 to beta.7)',
    releases: 'v0.16.2 to v0.21.8, v1.0.0-beta.1 to v1.0.0-beta.7',
    entrypoint: 'hack/build',
    explains: '`hack/build` is a `dagger shell` script (its first line is `#!/usr/bin/env -S dagger shell …`), run by the `dagger` CLI on PATH on a bootstrap engine of its own. It runs three pipelines in parallel and waits for them: the CLI (`dev-binaries --platform=current | export ./bin`, with the runner host `docker-image://localhost/dagger-engine.dev?container=dagger-engine.dev&volume=dagger-engine.dev&cleanup=false` built in), the engine image (`as-tarball --forced-compression=gzip | export ./bin/engine.tar`), and `load-to-docker … | start --name=dagger-engine.dev`, which loads the image into Docker and starts the engine itself. `hack/dev` sets DOCKER_HOST from the current docker context when unset, runs hack/build, then `hack/with-dev` with its arguments.',
    needsGo: false,
    daggerCli: 'shell',
    writesEngineTar: true,
    passthroughEnv: ['DAGGER_CLOUD_TOKEN', 'DAGGER_CLOUD_URL'],
  },
  'hack-build': {
    id: 'hack-build',
    label: 'hack/build calling the dev module with a pinned dagger (--x-release, v1.0.0-beta.8 on)',
    releases: 'v1.0.0-beta.8 to v1.0.0-beta.10 and main',
    entrypoint: 'hack/build',
    explains: "`hack/build` is a bash script that execs `dagger --x-release <ref> api call dev [--docker=$DOCKER_HOST] deploy --name=dagger-engine.dev --image=localhost/dagger-engine.dev --platform=OS/ARCH --output ./bin`: the `dagger` on PATH runs a CLI built from that pinned commit, which calls the `dev` module's `deploy`. deploy loads the engine into Docker and starts dagger-engine.dev itself, and writes only bin/dagger (no bin/engine.tar). `hack/dev` sets DOCKER_HOST from the current docker context when unset, runs hack/build, then `hack/with-dev` with its arguments.",
    needsGo: false,
    daggerCli: 'x-release',
    writesEngineTar: false,
    passthroughEnv: ['DAGGER_CLOUD_TOKEN', 'DAGGER_CLOUD_URL'],
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

export function semVerText(v: SemVer): string {
  return `v${v.major}.${v.minor}.${v.patch}`
}

const v = (major: number, minor: number, patch: number): SemVer => ({major, minor, patch})
const before = (a: SemVer, b: SemVer): boolean => compareSemVer(a, b) < 0

/**
The era a version tag belongs to, from the repository's tags; used to cross-check the files.
`prerelease` is the tag's `-beta.N` number for the v1.0.0 betas.
*/
export function eraForVersion(version: SemVer, prerelease?: number): EraId {
  if (before(version, v(0, 11, 0))) return 'internal-mage'
  if (before(version, v(0, 12, 0))) return 'ci-mage'
  if (before(version, v(0, 12, 5))) return 'dev-mage'
  if (before(version, v(0, 16, 2))) return 'dagger-mage'
  if (version.major === 0) return 'dagger-shell'
  if (version.major === 1 && version.minor === 0 && version.patch === 0 && prerelease !== undefined && prerelease <= 7) return 'dagger-shell'
  return 'hack-build'
}

/** The `-beta.N` number of a tag like `v1.0.0-beta.7`, undefined for plain releases. */
export function prereleaseNumber(text: string): number | undefined {
  const m = /^v?\d+\.\d+\.\d+-[a-z]+\.(\d+)/.exec(text)
  return m ? Number(m[1]) : undefined
}

/**
Engine arguments and published port of the era's `docker run`. v0.9.11 added the pprof endpoint on
6060; v0.11 swapped `--debug` for `--extra-debug`; v0.12 to v0.16.1 publish no port (the `-p` line
is commented out); the dagger shell hack/build publishes 6060 only when it passes `--debug` to
`start` (v0.18.4 on); the dev module's deploy always does.
*/
export interface EraRunFlags {
  readonly cmd: readonly string[]
  readonly debugPort?: number
}

const EXTRA_DEBUG = ['--extra-debug', '--debugaddr=0.0.0.0:6060']

/** `startDebug`: whether hack/build passes `--debug` to `start` (read from the script); the version decides when unknown. */
export function runFlagsFor(era: EraId, version: SemVer | undefined, startDebug?: boolean): EraRunFlags {
  switch (era) {
    case 'internal-mage':
      if (version !== undefined && before(version, v(0, 9, 11))) return {cmd: ['--debug']}
      return {cmd: ['--debug', '--debugaddr=0.0.0.0:6060'], debugPort: 6060}
    case 'ci-mage':
      return {cmd: EXTRA_DEBUG, debugPort: 6060}
    case 'dev-mage':
    case 'dagger-mage':
      return {cmd: EXTRA_DEBUG}
    case 'dagger-shell': {
      const debug = startDebug ?? (version === undefined || version.major > 0 || !before(version, v(0, 18, 4)))
      return debug ? {cmd: EXTRA_DEBUG, debugPort: 6060} : {cmd: EXTRA_DEBUG}
    }
    case 'hack-build':
      return {cmd: EXTRA_DEBUG, debugPort: 6060}
  }
}

/** The first dagger CLI release with `--x-release` (cli PR #13156, in v0.21.0). */
export const X_RELEASE_SINCE = v(0, 21, 0)
/** The first dagger CLI release with a `shell` command (hidden at first). */
export const SHELL_SINCE = v(0, 13, 6)
