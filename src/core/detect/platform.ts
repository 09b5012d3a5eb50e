/**
An engine for the wrong CPU: DOCKER_DEFAULT_PLATFORM makes docker pull and run other architectures
(under emulation, or not at all), and an engine image of a non-native platform runs its whole build
under QEMU or Rosetta, when it runs.
*/
import type {Finding} from '../types.js'

/** Docker's architecture names for Node's `process.arch`. */
export function dockerArch(nodeArch: string): string {
  return nodeArch === 'x64' ? 'amd64' : nodeArch === 'ia32' ? '386' : nodeArch
}

export interface PlatformFacts {
  readonly defaultPlatform?: string
  /** The daemon's architecture (`docker info`), in docker's names (`x86_64` is taken as amd64). */
  readonly daemonArch?: string
  /** The engine image's `Os`/`Architecture`, when it exists. */
  readonly engineImage?: {readonly name: string; readonly os: string; readonly architecture: string} | null
}

function normal(arch: string): string {
  const a = arch.toLowerCase()
  return a === 'x86_64' ? 'amd64' : a === 'aarch64' ? 'arm64' : a
}

export function platformFindings(facts: PlatformFacts): Finding[] {
  const findings: Finding[] = []
  const native = facts.daemonArch === undefined ? undefined : normal(facts.daemonArch)
  if (facts.defaultPlatform !== undefined && facts.defaultPlatform.trim() !== '') {
    const wanted = facts.defaultPlatform.trim()
    const foreign = native !== undefined && normal(wanted.split('/')[1] ?? '') !== native
    findings.push({
      id: 'docker-default-platform',
      status: foreign ? 'fail' : 'warn',
      title: `DOCKER_DEFAULT_PLATFORM=${wanted} is set${foreign ? ` on a ${native} daemon` : ''}`,
      detail: `Every docker pull and run in this shell asks for ${wanted}${foreign ? ', which is not the daemon\'s own architecture: the engine then runs under emulation, or fails with "exec format error"' : ''}. Dagger's troubleshooting names this variable as a cause of "unable to start container process" and codegen failures.`,
      fix: 'Run `unset DOCKER_DEFAULT_PLATFORM`, remove the engine container and image of the wrong platform, then build again.',
    })
  }
  const image = facts.engineImage ?? null
  if (image !== null && native !== undefined && normal(image.architecture) !== native) {
    findings.push({
      id: 'engine-image-foreign-platform',
      status: 'fail',
      title: `The engine image ${image.name} is ${image.os}/${image.architecture}, the daemon is ${native}`,
      detail: 'An engine of another architecture runs under emulation (QEMU, Rosetta), slowly and with its own failures, or not at all ("exec format error").',
      fix: `Remove it (\`docker rmi ${image.name}\` after removing its container) and build again without DOCKER_DEFAULT_PLATFORM; hack/build passes --platform for the host.`,
    })
  }
  return findings
}
