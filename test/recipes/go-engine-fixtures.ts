import {execFileSync, spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {importImage} from './fixtures.js'

/**
Real parts for the Delve tests: the Go stand-in engine (test/fixtures/engine-standin, built here with
the lab's Go), images laid out like the v0.9 dev engine (the entrypoint script execs the engine: PID 1)
and the current one (the script execs tini, the engine is its child; buildctl a symlink to dial-stdio).
*/

export const STANDIN_SRC = fileURLToPath(new URL('../fixtures/engine-standin', import.meta.url))

export type EngineBuild = 'debug' | 'stripped' | 'no-dwarf'

const LDFLAGS: Record<EngineBuild, string[]> = {
  debug: ['-gcflags=all=-N -l'],
  stripped: ['-ldflags=-s -w'],
  'no-dwarf': ['-ldflags=-w'],
}

/** Under CI the lab must have installed Go, Delve and tini; elsewhere their absence skips the file. */
export function skipWithoutGoTools(): boolean {
  const missing = ['go', 'dlv'].filter((c) => spawnSync(c, ['version'], {stdio: 'ignore', timeout: 10_000}).status !== 0)
  const tini = spawnSync('test', ['-x', '/usr/bin/tini-static']).status === 0
  if (!tini) missing.push('/usr/bin/tini-static')
  if (missing.length === 0) return false
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`The Delve tests need ${missing.join(', ')}: test/lab/up.sh installs them (golang-go, delve, tini).`)
  return true
}

/** A copy of the stand-in checkout, so builds write their bin/ outside the repository. */
export function standinCheckout(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dxr-standin-'))
  cpSync(STANDIN_SRC, dir, {recursive: true})
  return dir
}

export function goBuildEnv(): NodeJS.ProcessEnv {
  return {...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local'}
}

/** Builds the stand-in engine into `outDir` and returns the binary's path. */
export function buildStandin(outDir: string, build: EngineBuild): string {
  const out = path.join(outDir, `dagger-engine-${build}`)
  execFileSync('go', ['build', ...LDFLAGS[build], '-o', out, './cmd/engine'], {cwd: STANDIN_SRC, env: goBuildEnv(), stdio: 'pipe', timeout: 240_000})
  return out
}

export type Layout = 'v0.9' | 'current'

const ENTRYPOINT: Record<Layout, string> = {
  'v0.9': '#!/bin/sh\nset -e\nexec /usr/local/bin/dagger-engine --config /etc/dagger/engine.toml "$@"\n',
  current: '#!/bin/sh\nset -e\nexec /usr/local/bin/tini -- /usr/local/bin/dagger-engine --config /etc/dagger/engine.toml "$@"\n',
}

// The CLI reaches the current engine through `buildctl dial-stdio`; here a script stands for dial-stdio.
const DIAL_STDIO = '#!/bin/sh\necho "dial-stdio stand-in: $*" >&2\nexit 1\n'

/** An engine image of the given layout holding `binary` as /usr/local/bin/dagger-engine. */
export async function engineImage(tag: string, binary: string, layout: Layout): Promise<string> {
  const files = [
    {name: 'usr/local/bin/dagger-engine', data: readFileSync(binary)},
    {name: 'usr/local/bin/dagger-entrypoint.sh', data: Buffer.from(ENTRYPOINT[layout])},
    {name: 'etc/dagger/engine.toml', mode: 0o600, data: Buffer.from('debug = true\n')},
    {name: 'var/lib/dagger/.keep', mode: 0o644},
    ...(layout === 'current'
      ? [
          {name: 'usr/local/bin/tini', data: readFileSync('/usr/bin/tini-static')},
          {name: 'usr/bin/dial-stdio', data: Buffer.from(DIAL_STDIO)},
          {name: 'usr/bin/buildctl', link: 'dial-stdio'},
        ]
      : []),
  ]
  return importImage(tag, files, ['/usr/local/bin/dagger-entrypoint.sh'])
}

/** The flags each era's hack/dev starts the engine with, published on loopback only. */
export function engineRunArgs(layout: Layout): {options: string[]; args: string[]} {
  return layout === 'v0.9'
    ? {options: ['--privileged'], args: ['--debug']}
    : {options: ['--privileged', '-p', '127.0.0.1::6060'], args: ['--extra-debug', '--debugaddr=0.0.0.0:6060']}
}
