/**
Which daemon.json is in force, and why. dockerd reads `--config-file` when given, else
/etc/docker/daemon.json; rootless dockerd reads $XDG_CONFIG_HOME/docker/daemon.json; Docker
Desktop keeps it in ~/.docker/daemon.json and applies it inside its VM.
*/
import path from 'node:path'
import {parseDockerdArgs} from './flags.js'

export interface DaemonProcess {
  readonly pid: number
  readonly argv: readonly string[]
  /** The process's working directory, for a relative --config-file. */
  readonly cwd?: string
  /** Start time in ms since the epoch. */
  readonly startedAtMs?: number
}

export type ConfigSource = 'argument' | 'dockerd-flag' | 'rootless' | 'docker-desktop' | 'default'

export interface ConfigLocation {
  readonly file: string
  readonly source: ConfigSource
  /** One sentence: why this file. */
  readonly why: string
  /** The daemon runs elsewhere (remote host, VM): the file on this machine may not be the one it reads. */
  readonly elsewhere?: boolean
}

export interface LocateInput {
  /** A file named on the command line wins. */
  readonly explicit?: string
  readonly cwd: string
  readonly home: string
  readonly env: NodeJS.ProcessEnv
  /** The dockerd process serving the endpoint, when it runs on this machine. */
  readonly localDaemon?: DaemonProcess
  /** The endpoint is a unix socket on this machine. */
  readonly endpointLocal: boolean
  /** `/info` SecurityOptions, e.g. ["name=seccomp,profile=builtin", "name=rootless"]. */
  readonly securityOptions?: readonly string[]
  /** `/info` OperatingSystem, "Docker Desktop" on Desktop. */
  readonly operatingSystem?: string
}

export const DEFAULT_CONFIG_FILE = '/etc/docker/daemon.json'

export function isRootless(securityOptions: readonly string[] | undefined, daemonArgv?: readonly string[]): boolean {
  if (securityOptions?.some((o) => o.split(',').includes('name=rootless'))) return true
  return daemonArgv?.includes('--rootless') === true
}

export function rootlessConfigFile(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env.XDG_CONFIG_HOME
  return path.join(xdg !== undefined && xdg !== '' ? xdg : path.join(home, '.config'), 'docker', 'daemon.json')
}

export function locateDaemonConfig(input: LocateInput): ConfigLocation {
  if (input.explicit !== undefined) {
    return {file: path.resolve(input.cwd, input.explicit), source: 'argument', why: 'The file was named on the command line.'}
  }
  if (input.operatingSystem !== undefined && /docker desktop/i.test(input.operatingSystem)) {
    return {
      file: path.join(input.home, '.docker', 'daemon.json'),
      source: 'docker-desktop',
      why: 'The daemon is Docker Desktop, which keeps its daemon config in ~/.docker/daemon.json (Settings → Docker Engine) and applies it inside its VM.',
      elsewhere: true,
    }
  }
  const daemon = input.localDaemon
  if (daemon !== undefined) {
    const flag = parseDockerdArgs(daemon.argv).configFile
    if (flag !== undefined && flag !== '') {
      return {
        file: path.resolve(daemon.cwd ?? '/', flag),
        source: 'dockerd-flag',
        why: `The running dockerd (pid ${daemon.pid}) was started with --config-file ${flag}.`,
      }
    }
  }
  if (isRootless(input.securityOptions, daemon?.argv)) {
    const file = rootlessConfigFile(input.env, input.home)
    return {
      file,
      source: 'rootless',
      why: `The daemon runs rootless (docker info lists name=rootless), and rootless dockerd reads ${input.env.XDG_CONFIG_HOME ? '$XDG_CONFIG_HOME' : '~/.config'}/docker/daemon.json.`,
    }
  }
  if (daemon !== undefined) {
    return {file: DEFAULT_CONFIG_FILE, source: 'default', why: `The running dockerd (pid ${daemon.pid}) has no --config-file, so it reads the default ${DEFAULT_CONFIG_FILE}.`}
  }
  if (!input.endpointLocal) {
    return {
      file: DEFAULT_CONFIG_FILE,
      source: 'default',
      why: `The daemon is not on this machine; ${DEFAULT_CONFIG_FILE} is the default there, and the copy here (if any) may not be what it reads.`,
      elsewhere: true,
    }
  }
  return {file: DEFAULT_CONFIG_FILE, source: 'default', why: `No dockerd process is visible here to say otherwise, so this is the default ${DEFAULT_CONFIG_FILE}.`}
}
