import {readFileSync} from 'node:fs'
import path from 'node:path'

/**
What a checkout's `hack/build` says about itself. Within one era the script changed in small ways
(which module functions, `--debug` on `start`, a pinned `--x-release` in the shebang for a few
hours of 2026-07-30), so the build's facts are read from the file, not assumed from the version.
*/
export interface HackBuildFacts {
  /** The first line, e.g. `#!/usr/bin/env -S dagger shell --no-mod`. */
  readonly shebang: string
  /** The script is run by `dagger shell` (its interpreter is the dagger CLI). */
  readonly daggerShell: boolean
  /** The script (or its shebang) runs `dagger --x-release`. */
  readonly xRelease: boolean
  /** The default ref it pins (`X_RELEASE=${DAGGER_X_RELEASE:-REF}` or `--x-release REF` in the shebang). */
  readonly xReleaseRef?: string
  /** It exports the engine tarball to ./bin/engine.tar. */
  readonly writesEngineTar: boolean
  /** It starts the engine container itself (`| start` in the shell script, `deploy` of the dev module). */
  readonly startsEngine: boolean
  /** The shell script's `start` gets `--debug` (which publishes -p 6060:6060); undefined when there is no `start`. */
  readonly startDebug?: boolean
  /** The module the bash script calls (`dev`), when it does. */
  readonly devModule?: string
}

export function readHackBuild(root: string): string | undefined {
  try {
    return readFileSync(path.join(root, 'hack', 'build'), 'utf8')
  } catch {
    return undefined
  }
}

/** Code lines of a script, without comments (a `# HACK:` comment inside a pipeline is common in these scripts). */
function codeLines(text: string): string[] {
  return text
    .split('\n')
    .slice(1)
    .filter((l) => !/^\s*#/.test(l))
}

export function parseHackBuild(text: string): HackBuildFacts {
  const shebang = text.split('\n')[0] ?? ''
  const code = codeLines(text).join('\n')
  const daggerShell = /^#!.*\bdagger\b.*\bshell\b/.test(shebang)
  const shebangRef = /--x-release[ =](\S+)/.exec(shebang)?.[1]
  const pinned = /^\s*X_RELEASE=\$\{DAGGER_X_RELEASE:-([^}]+)\}/m.exec(text)?.[1]
  const xRelease = shebangRef !== undefined || /\bdagger\s+--x-release\b/.test(code)
  const xReleaseRef = shebangRef ?? pinned
  const writesEngineTar = /export\s+\.?\/?bin\/engine\.tar\b/.test(code)
  // `start` is the last stage of the load-to-docker pipeline, its flags on the continuation lines.
  const startAt = code.search(/\|\s*\\?\s*\n?\s*start\b/)
  const startBlock = startAt < 0 ? undefined : code.slice(startAt, code.slice(startAt).search(/&\s*$/m) + startAt + 1)
  const deploy = /\bapi\s+call\s+(\S+)[^\n]*\bdeploy\b/.exec(code)
  const startsEngine = startBlock !== undefined || deploy !== null
  return {
    shebang,
    daggerShell,
    xRelease,
    ...(xReleaseRef === undefined ? {} : {xReleaseRef}),
    writesEngineTar,
    startsEngine,
    ...(startBlock === undefined ? {} : {startDebug: /--debug\b/.test(startBlock)}),
    ...(deploy === null ? {} : {devModule: deploy[1] as string}),
  }
}

export function hackBuildFacts(root: string): HackBuildFacts | undefined {
  const text = readHackBuild(root)
  return text === undefined ? undefined : parseHackBuild(text)
}
