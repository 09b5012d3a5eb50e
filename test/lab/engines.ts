import {readdirSync, readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * The Docker engines every Docker-touching test runs on. `system` is whatever answers on
 * DOCKER_HOST (the lab's dockerd 20.10 on /var/run/docker.sock); the two 26.1 daemons are
 * the ones test/lab/up.sh starts from Debian trixie's packages. Their sockets follow from
 * the lab state dir by the same rule as up.sh, so vitest's config can name them before
 * up.sh has run (global setup brings them up).
 */
export interface LabEngineSpec {
  readonly id: 'system' | 'docker26-classic' | 'docker26-containerd'
  /** DOCKER_HOST for this engine; undefined: the caller's own (the system engine). */
  readonly host: string | undefined
}

export const LAB_ENGINE_ENV = 'DAGGER_EXPLORE_LAB_ENGINE'

/** up.sh's $STATE: DAGGER_EXPLORE_LAB_STATE, else /var/lib/dagger-explore-lab as root, else XDG state. */
export function labStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DAGGER_EXPLORE_LAB_STATE) return env.DAGGER_EXPLORE_LAB_STATE
  if (process.getuid?.() === 0) return '/var/lib/dagger-explore-lab'
  return path.join(env.XDG_STATE_HOME ?? path.join(os.homedir(), '.local/state'), 'dagger-explore-lab')
}

export function labEngines(env: NodeJS.ProcessEnv = process.env): readonly LabEngineSpec[] {
  const state = labStateDir(env)
  return [
    {id: 'system', host: undefined},
    {id: 'docker26-classic', host: `unix://${state}/docker26-classic/docker.sock`},
    {id: 'docker26-containerd', host: `unix://${state}/docker26-containerd/docker.sock`},
  ]
}

// A test file talks to a Docker Engine when it uses the Docker helpers, dockerode or the docker CLI.
const TOUCHES_DOCKER = /helpers\/docker\.js|from 'dockerode'|(?:execFileSync|execFile|execa|spawn|spawnSync)\('docker'/

/** Test files (relative to root) that touch Docker: the ones run once per engine. */
export function dockerTestFiles(root: string, dir = 'test'): string[] {
  const found: string[] = []
  for (const entry of readdirSync(path.join(root, dir), {withFileTypes: true})) {
    const rel = path.posix.join(dir, entry.name)
    if (entry.isDirectory()) found.push(...dockerTestFiles(root, rel))
    else if (/\.test\.tsx?$/.test(entry.name) && TOUCHES_DOCKER.test(readFileSync(path.join(root, rel), 'utf8'))) found.push(rel)
  }
  return found.sort()
}
