import {access, readFile} from 'node:fs/promises'
import os from 'node:os'

export interface OsRelease {
  readonly id?: string
  readonly versionId?: string
  readonly prettyName?: string
}

/** Parses /etc/os-release (KEY=value lines, values optionally quoted). */
export function parseOsRelease(text: string): OsRelease {
  const values = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim())
    if (!match?.[1]) continue
    let value = match[2] ?? ''
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["$`\\])/g, '$1')
    values.set(match[1], value)
  }
  const pick = (key: string) => values.get(key)
  const id = pick('ID')
  const versionId = pick('VERSION_ID')
  const prettyName = pick('PRETTY_NAME') ?? pick('NAME')
  return {...(id ? {id} : {}), ...(versionId ? {versionId} : {}), ...(prettyName ? {prettyName} : {})}
}

export async function readOsRelease(file = '/etc/os-release'): Promise<OsRelease | undefined> {
  try {
    return parseOsRelease(await readFile(file, 'utf8'))
  } catch {
    try {
      return parseOsRelease(await readFile('/usr/lib/os-release', 'utf8'))
    } catch {
      return undefined
    }
  }
}

export type CgroupVersion = 'v1' | 'v2' | 'hybrid' | 'none'

/** cgroup v2 mounts one unified hierarchy with cgroup.controllers at its root; v1 has per-controller dirs. */
export async function cgroupVersion(root = '/sys/fs/cgroup'): Promise<CgroupVersion> {
  const exists = async (p: string) => access(p).then(() => true, () => false)
  if (await exists(`${root}/cgroup.controllers`)) return 'v2'
  if (await exists(`${root}/unified/cgroup.controllers`)) return 'hybrid'
  if (await exists(`${root}/memory`) || (await exists(`${root}/cpu`))) return 'v1'
  return 'none'
}

export interface HostFacts {
  readonly os: string
  readonly kernel: string
  readonly arch: string
  readonly node: string
  readonly cgroup: CgroupVersion
  readonly hostname: string
  readonly platform: NodeJS.Platform
}

/** Docker's names for CPU architectures differ from Node's. */
export function dockerArch(nodeArch: string): string {
  const map: Record<string, string> = {x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64'}
  return map[nodeArch] ?? nodeArch
}

export async function hostFacts(): Promise<HostFacts> {
  const release = process.platform === 'linux' ? await readOsRelease() : undefined
  const osName = release?.prettyName ?? `${os.type()} ${os.release()}`
  return {
    os: osName,
    kernel: `${os.type()} ${os.release()}`,
    arch: `${dockerArch(process.arch)} (${process.arch})`,
    node: process.version,
    cgroup: process.platform === 'linux' ? await cgroupVersion() : 'none',
    hostname: os.hostname(),
    platform: process.platform,
  }
}
