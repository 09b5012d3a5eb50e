import {readFileSync, statfsSync} from 'node:fs'
import path from 'node:path'
import {clientOnlyEnv} from '../docker/client-only-env.js'
import type {Recorder} from '../notebook/recorder.js'
import type {Fact, Finding} from '../types.js'
import type {DaggerCheckout} from './checkout.js'
import {hackBuildFacts} from './build-script.js'
import {compareSemVer, parseSemVer, semVerText, SHELL_SINCE, X_RELEASE_SINCE} from './era.js'
import {DEV_ENGINE_NAME, devNames} from './names.js'

/** Below this much free space the build is likely to fail half-way (the bootstrap engine caches several GB). */
export const DISK_WARN_BYTES = 10 * 1024 ** 3
export const DISK_FAIL_BYTES = 2 * 1024 ** 3

/** The `go` directive of a go.mod (`1.20`, `1.21.3`), undefined when there is none. */
export function goDirective(goMod: string): string | undefined {
  return /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goMod)?.[1]
}

/**
The go.mod the era's `go run` compiles with: the nearest one at or above the mage folder, as Go looks
it up (internal/mage/go.mod in v0.9/v0.10, ci/go.mod in v0.11, dev/go.mod, then .dagger/go.mod).
*/
export function goModFor(checkout: DaggerCheckout): {path: string; version: string} | undefined {
  let dir = path.join(checkout.root, checkout.era.mageDir ?? '.')
  for (;;) {
    const file = path.join(dir, 'go.mod')
    try {
      const version = goDirective(readFileSync(file, 'utf8'))
      if (version !== undefined) return {path: path.relative(checkout.root, file), version}
    } catch {
      // no go.mod here; Go looks in the parent folder next
    }
    if (path.relative(checkout.root, dir) === '') return undefined
    dir = path.dirname(dir)
  }
}

/** The `engineVersion` the repository's own module asks for (dagger.json; dev/dagger.json in v0.12.0 to v0.12.4). */
export function moduleEngineVersion(checkout: DaggerCheckout): {path: string; version: string} | undefined {
  for (const rel of checkout.era.id === 'dev-mage' ? ['dev/dagger.json', 'dagger.json'] : ['dagger.json']) {
    try {
      const version = (JSON.parse(readFileSync(path.join(checkout.root, rel), 'utf8')) as {engineVersion?: unknown}).engineVersion
      if (typeof version === 'string' && parseSemVer(version) !== undefined) return {path: rel, version}
    } catch {
      // no such file, or not JSON: nothing to compare with
    }
  }
  return undefined
}

/** True when `_EXPERIMENTAL_DAGGER_RUNNER_HOST` points at the dev engine the build is about to replace. */
export function runnerHostPointsAtDev(env: NodeJS.ProcessEnv): boolean {
  const host = env._EXPERIMENTAL_DAGGER_RUNNER_HOST
  return host !== undefined && (host.includes(DEV_ENGINE_NAME) || host.includes(devNames(env).container))
}

export interface PreflightReport {
  readonly findings: readonly Finding[]
  readonly facts: readonly Fact[]
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`
}

/**
What the Go on PATH does with a go line newer than itself. Measured with Debian's go1.19: it rejects a
three-part version while parsing go.mod, and compiles anyway for a two-part one. Go 1.21 and newer
enforce the line (and fetch the newer toolchain when GOTOOLCHAIN allows it).
*/
function goTooOldEffect(have: {major: number; minor: number}, wanted: string): string {
  const oldGo = have.major === 1 && have.minor < 21
  if (oldGo && wanted.split('.').length === 3) return `Go before 1.21 cannot read that line: \`go run\` stops with "go.mod:3: invalid go version '${wanted}': must match format 1.23" before building anything.`
  if (oldGo) return 'Go before 1.21 does not enforce that line: it compiles anyway and fails on whatever the module uses from newer Go.'
  return 'Go 1.21 and newer enforce it: they switch to the newer toolchain when GOTOOLCHAIN allows a download, and refuse otherwise.'
}

async function goFindings(checkout: DaggerCheckout, env: NodeJS.ProcessEnv, rec: Recorder, facts: Fact[]): Promise<Finding[]> {
  const wanted = goModFor(checkout)
  const mageDir = checkout.era.mageDir ?? '.'
  const need = wanted === undefined ? 'a Go toolchain' : `Go ${wanted.version} or newer (the \`go\` directive of ${wanted.path})`
  const run = await rec.exec('go', ['env', 'GOVERSION'], {timeoutMs: 20_000, env})
  if (run.notFound) {
    return [
      {
        id: 'go-missing',
        status: 'fail',
        title: `Go toolchain not found: this checkout needs ${wanted === undefined ? 'Go' : `Go ${wanted.version}`}`,
        detail: `The build of this era starts with \`go run\` in ${mageDir} (mage), so it needs ${need} on the host. There is no \`go\` on PATH.`,
        fix: `Install ${wanted === undefined ? 'Go' : `Go ${wanted.version} or newer`} from https://go.dev/dl/ (or your package manager) and make sure \`go\` is on PATH, then run this step again.`,
        docs: 'https://go.dev/doc/install',
      },
    ]
  }
  const have = /go(\d+\.\d+(?:\.\d+)?)/.exec(run.stdout)?.[1]
  if (run.exitCode !== 0 || have === undefined) {
    return [
      {
        id: 'go-broken',
        status: 'fail',
        title: '`go env GOVERSION` did not answer with a version',
        detail: `The Go toolchain on PATH did not report its version (exit ${run.exitCode ?? 'none'}), so the mage build would likely fail too.`,
        fix: 'Run `go version` in a terminal to see what is wrong, or reinstall Go from https://go.dev/dl/.',
      },
    ]
  }
  facts.push({label: 'Go toolchain', value: `go${have}`})
  if (wanted !== undefined) {
    const haveV = parseSemVer(have)
    const wantV = parseSemVer(wanted.version)
    if (haveV !== undefined && wantV !== undefined && compareSemVer(haveV, wantV) < 0) {
      return [
        {
          id: 'go-too-old',
          status: 'fail',
          title: `Go ${have} is older than the Go ${wanted.version} this checkout needs`,
          detail: `${wanted.path} says \`go ${wanted.version}\`. ${goTooOldEffect(haveV, wanted.version)}`,
          fix: `Install Go ${wanted.version} or newer from https://go.dev/dl/, or set GOTOOLCHAIN=go${wanted.version} if your Go can fetch toolchains.`,
          docs: 'https://go.dev/doc/toolchain',
        },
      ]
    }
  }
  return [{id: 'go-ok', status: 'pass', title: `Go ${have} found${wanted === undefined ? '' : ` (needs ${wanted.version})`}`}]
}

/** The dagger CLI the era's build starts with: `_EXPERIMENTAL_DAGGER_CLI_BIN` wins for mage's `dagger call`, as its DaggerCall does. */
function daggerBinary(checkout: DaggerCheckout, env: NodeJS.ProcessEnv): string {
  return checkout.era.daggerCli === 'call' && env._EXPERIMENTAL_DAGGER_CLI_BIN ? env._EXPERIMENTAL_DAGGER_CLI_BIN : 'dagger'
}

/** Why the build needs a dagger CLI, in one sentence, from the era and its hack/build. */
function daggerNeed(checkout: DaggerCheckout): string {
  const build = hackBuildFacts(checkout.root)
  switch (checkout.era.daggerCli) {
    case 'call':
      return `The mage target in ${checkout.era.mageDir ?? 'the mage folder'} runs \`dagger call …\` with the \`dagger\` on PATH (or _EXPERIMENTAL_DAGGER_CLI_BIN) to build the engine on the repository's own module.`
    case 'shell':
      return `hack/build is a dagger shell script (\`${build?.shebang ?? '#!/usr/bin/env -S dagger shell'}\`): the \`dagger\` on PATH is its interpreter${build?.xRelease ? ', run with --x-release' : ''}.`
    default:
      return `hack/build runs \`dagger --x-release ${build?.xReleaseRef ?? '<ref>'} api call ${build?.devModule ?? 'dev'} … deploy\`: the \`dagger\` on PATH fetches and runs the CLI built from that pinned commit.`
  }
}

async function daggerFindings(checkout: DaggerCheckout, env: NodeJS.ProcessEnv, rec: Recorder, facts: Fact[]): Promise<Finding[]> {
  const need = checkout.era.daggerCli
  const bin = daggerBinary(checkout, env)
  const why = daggerNeed(checkout)
  const run = await rec.exec(bin, ['version'], {timeoutMs: 30_000, env})
  if (run.notFound) {
    return [
      {
        id: 'dagger-cli-missing',
        status: 'fail',
        title: `dagger CLI not found: ${need === 'call' ? 'the mage build' : 'hack/build'} needs one`,
        detail: `${why} There is no \`${bin}\`${bin === 'dagger' ? ' on PATH' : ''}.`,
        fix: 'Install the dagger CLI (https://docs.dagger.io/install, e.g. `curl -fsSL https://dl.dagger.io/dagger/install.sh | BIN_DIR=$HOME/.local/bin sh`) and make sure it is on PATH.',
        docs: 'https://docs.dagger.io/install',
      },
    ]
  }
  if (run.exitCode !== 0) {
    return [
      {
        id: 'dagger-cli-broken',
        status: 'fail',
        title: '`dagger version` failed',
        detail: `The dagger CLI on PATH exited with ${run.exitCode ?? 'no code'}: ${(run.stderr || run.stdout).trim().slice(0, 300)}`,
        fix: 'Run `dagger version` in a terminal to see what is wrong; reinstall it from https://docs.dagger.io/install if needed.',
      },
    ]
  }
  const line = run.stdout.trim().split('\n')[0] ?? ''
  facts.push({label: 'dagger CLI', value: line})
  const have = /^dagger\s+(v\d+\.\d+\.\d+)/.exec(line)?.[1]
  const haveV = have === undefined ? undefined : parseSemVer(have)
  const build = hackBuildFacts(checkout.root)
  const minimum: {since: typeof SHELL_SINCE; what: string}[] = []
  if (need === 'shell') minimum.push({since: SHELL_SINCE, what: 'a `shell` command'})
  if (need === 'x-release' || build?.xRelease) minimum.push({since: X_RELEASE_SINCE, what: 'the `--x-release` flag'})
  if (build?.xRelease && build.xReleaseRef !== undefined) facts.push({label: 'Pinned dagger', value: `${build.xReleaseRef} (DAGGER_X_RELEASE overrides it); the dagger on PATH fetches that CLI from dl.dagger.io`})
  if (haveV === undefined) {
    if (minimum.length === 0) return [{id: 'dagger-cli-ok', status: 'pass', title: 'dagger CLI found'}]
    return [
      {
        id: 'dagger-cli-unknown-version',
        status: 'warn',
        title: `Cannot tell whether this dagger CLI has ${minimum.map((m) => m.what).join(' and ')}`,
        detail: `\`dagger version\` printed "${line}", which names no release. ${why}`,
        fix: `If the build stops at its first command, install a released dagger CLI, ${semVerText(minimum.at(-1)?.since ?? X_RELEASE_SINCE)} or newer (https://docs.dagger.io/install).`,
      },
    ]
  }
  for (const m of minimum) {
    if (compareSemVer(haveV, m.since) < 0) {
      return [
        {
          id: m.since === X_RELEASE_SINCE ? 'dagger-cli-no-x-release' : 'dagger-cli-no-shell',
          status: 'fail',
          title: `dagger ${have} has no ${m.what.replace(/^(a|the) /, '')}: this checkout needs dagger ${semVerText(m.since)} or newer`,
          detail: `${why} ${m.what[0]?.toUpperCase()}${m.what.slice(1)} came with dagger ${semVerText(m.since)}; the CLI on PATH is ${have}.`,
          fix: `Install dagger ${semVerText(m.since)} or newer (https://docs.dagger.io/install) and make sure it comes first on PATH.`,
          docs: 'https://docs.dagger.io/install',
        },
      ]
    }
  }
  const wanted = need === 'x-release' ? undefined : moduleEngineVersion(checkout)
  const wantedV = wanted === undefined ? undefined : parseSemVer(wanted.version)
  if (wanted !== undefined && wantedV !== undefined && compareSemVer(haveV, wantedV) < 0) {
    return [
      {
        id: 'dagger-cli-older-than-module',
        status: 'warn',
        title: `dagger ${have} is older than the ${wanted.version} the repository's module was written for`,
        detail: `${why} ${wanted.path} says \`"engineVersion": "${wanted.version}"\`, and the CLI on PATH is ${have}.`,
        fix: `If the build fails early, install dagger ${wanted.version} (https://docs.dagger.io/install) and run it again.`,
      },
    ]
  }
  return [{id: 'dagger-cli-ok', status: 'pass', title: `dagger CLI ${have} found${minimum.length > 0 ? ` (has ${minimum.map((m) => m.what.replace(/^(a|the) /, '')).join(' and ')})` : ''}`}]
}

async function dockerFindings(env: NodeJS.ProcessEnv, rec: Recorder, facts: Fact[]): Promise<Finding[]> {
  const cli = await rec.exec('docker', ['--version'], {timeoutMs: 10_000, env: clientOnlyEnv(env)})
  if (cli.notFound) {
    return [
      {
        id: 'docker-cli-missing',
        status: 'fail',
        title: 'docker CLI not found',
        detail: 'The dev build loads, tags and starts the engine with the docker CLI, and dagger reaches `docker-container://` engines through `docker exec`. There is no `docker` on PATH.',
        fix: 'Install the Docker CLI (package docker.io or docker-ce-cli) and make sure `docker` is on PATH.',
        docs: 'https://docs.docker.com/engine/install/',
      },
    ]
  }
  const server = await rec.exec('docker', ['version', '--format', '{{.Server.Version}}'], {timeoutMs: 15_000, env})
  if (server.exitCode !== 0) {
    return [
      {id: 'docker-cli-ok', status: 'pass', title: 'docker CLI found'},
      {
        id: 'docker-daemon-unreachable',
        status: 'fail',
        title: "The docker CLI can't reach a daemon",
        detail: `\`docker version\` could not get the server's version${server.timedOut ? ' in time' : ''}: ${(server.stderr || server.stdout).trim().slice(0, 300)}`,
        fix: 'Start the Docker daemon (e.g. `sudo systemctl start docker`) or point DOCKER_HOST / the docker context at one; the Docker daemon cell explains more.',
      },
    ]
  }
  facts.push({label: 'Docker server', value: server.stdout.trim()})
  return [{id: 'docker-ok', status: 'pass', title: `docker CLI and daemon ${server.stdout.trim()} answer`}]
}

function diskFindings(root: string, facts: Fact[]): Finding[] {
  let free: number
  try {
    const s = statfsSync(root)
    free = s.bavail * s.bsize
  } catch {
    return []
  }
  facts.push({label: 'Free disk at the checkout', value: gib(free)})
  if (free < DISK_FAIL_BYTES) {
    return [
      {
        id: 'disk-very-low',
        status: 'fail',
        title: `Only ${gib(free)} free on the checkout's filesystem`,
        detail: 'The build writes bin/engine.tar (hundreds of MB), and the engines cache image layers and Go builds; it will run out of space part way.',
        fix: 'Free some space (e.g. `docker system df` to see what Docker holds, then `docker image prune`), then build again.',
      },
    ]
  }
  if (free < DISK_WARN_BYTES) {
    return [
      {
        id: 'disk-low',
        status: 'warn',
        title: `${gib(free)} free on the checkout's filesystem`,
        detail: 'A first dev build commonly needs several GB between the engine cache, Go build cache and bin/engine.tar.',
        fix: 'If the build fails with "no space left on device", free space (`docker system df`, `docker image prune`) and retry.',
      },
    ]
  }
  return [{id: 'disk-ok', status: 'pass', title: `${gib(free)} free on disk`}]
}

function envFindings(env: NodeJS.ProcessEnv): Finding[] {
  if (!runnerHostPointsAtDev(env)) return []
  return [
    {
      id: 'runner-host-points-at-dev',
      status: 'warn',
      title: `_EXPERIMENTAL_DAGGER_RUNNER_HOST still points at ${DEV_ENGINE_NAME}`,
      detail: `The shell exports _EXPERIMENTAL_DAGGER_RUNNER_HOST=${env._EXPERIMENTAL_DAGGER_RUNNER_HOST ?? ''} (left over from an earlier \`eval\` of the build's export lines). The build would then run on the dev engine and remove it with \`docker rm -fv\` half-way through. This tool leaves the variable out of the build's environment.`,
      fix: 'Run `unset _EXPERIMENTAL_DAGGER_RUNNER_HOST` before running ./hack/dev yourself.',
    },
  ]
}

/** The era's pre-flight checks, each a finding. Every command goes through the recorder. */
export async function preflight(checkout: DaggerCheckout, env: NodeJS.ProcessEnv, rec: Recorder): Promise<PreflightReport> {
  const facts: Fact[] = []
  const findings: Finding[] = []
  if (checkout.era.needsGo) findings.push(...(await goFindings(checkout, env, rec, facts)))
  if (checkout.era.daggerCli !== undefined) findings.push(...(await daggerFindings(checkout, env, rec, facts)))
  findings.push(...(await dockerFindings(env, rec, facts)))
  findings.push(...diskFindings(checkout.root, facts))
  findings.push(...envFindings(env))
  return {findings, facts}
}

/** The build's environment: the caller's, minus a runner host that points at the engine being replaced. */
export function buildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {...env}
  if (runnerHostPointsAtDev(out)) delete out._EXPERIMENTAL_DAGGER_RUNNER_HOST
  return out
}
