import {execFileSync} from 'node:child_process'

let cached: boolean | undefined

/** True when a Docker Engine answers on this machine (the lab's or the user's). */
export function dockerAvailable(): boolean {
  if (cached === undefined) {
    try {
      execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {stdio: 'pipe', timeout: 5000})
      cached = true
    } catch {
      cached = false
    }
  }
  return cached
}

/** Under CI a test that needs Docker must fail, never skip: this says whether to skip here. */
export function skipWithoutDocker(): boolean {
  if (dockerAvailable()) return false
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error('These tests need a Docker Engine and CI=true is set: `npm test` should have started one (test/lab/up.sh).')
  }
  return true
}

/** For use as `describe.skipIf(...)`-free guard inside a test body. */
export function requireDocker(): void {
  if (!dockerAvailable()) throw new Error('No Docker Engine answers: run `bash test/lab/up.sh` first.')
}

/** The unix socket of the engine this test run targets (DOCKER_HOST, set per lab engine by vitest.config.ts). */
export function dockerSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST ?? ''
  return host.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock'
}
