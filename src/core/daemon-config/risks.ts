/**
Settings that dockerd accepts but that get in the way of building and running a Dagger dev engine.
Each rule names the default, why the setting matters for Dagger, and the fix. The field report's
first real fix was one of these: a raised `max-concurrent-downloads` made Docker Hub answer EOF.
*/
import type {ConfigFinding} from './finding.js'
import {at} from './finding.js'
import type {JsonMember, JsonNode} from './json-strict.js'
import {isCidr} from './values.js'

export interface HostFacts {
  /** 1 or 2, from `docker info` CgroupVersion or /sys/fs/cgroup. */
  readonly cgroupVersion?: 1 | 2
  /** systemd runs as PID 1 on the daemon's host. */
  readonly systemd?: boolean
  /** Filesystem type under data-root, e.g. `overlay`, `ext4` (from fs.statfs's magic number). */
  readonly dataRootFsType?: string
}

/** Keys a reset offers to drop, in the order they are shown. */
export const RESETTABLE_RISK_KEYS = [
  'max-concurrent-downloads',
  'max-concurrent-uploads',
  'max-download-attempts',
  'registry-mirrors',
  'mtu',
  'dns',
  'ipv6',
  'proxies',
  'insecure-registries',
  'storage-driver',
  'exec-opts',
  'features',
  'default-address-pools',
] as const

/** Last member per key, as dockerd's decoder keeps the last of duplicates. */
export function lastMembers(root: JsonNode | undefined): Map<string, JsonMember> {
  const out = new Map<string, JsonMember>()
  if (root?.kind === 'object') for (const m of root.members) out.set(m.key, m)
  return out
}

function risk(member: JsonMember, key: string, title: string, detail: string, fix: string, node: JsonNode = member.value): ConfigFinding {
  return {id: `daemon-${key.replace(/\./g, '-')}`, status: 'warn', key, ...at(node === member.value ? member.keyPos : node.pos), title, detail, fix, recipe: 'reset-daemon-config'}
}

function num(node: JsonNode): number | undefined {
  return node.kind === 'number' && Number.isInteger(node.value) ? node.value : undefined
}

function strings(node: JsonNode): string[] {
  return node.kind === 'array' ? node.items.flatMap((i) => (i.kind === 'string' ? [i.value] : [])) : []
}

/** Risk findings for a parsed config. Type errors are reported elsewhere; rules skip values of the wrong type. */
export function riskFindings(root: JsonNode | undefined, host: HostFacts = {}): ConfigFinding[] {
  const members = lastMembers(root)
  const out: ConfigFinding[] = []
  const get = (k: string) => members.get(k)

  const mcd = get('max-concurrent-downloads')
  const mcdValue = mcd === undefined ? undefined : num(mcd.value)
  if (mcd !== undefined && mcdValue !== undefined && mcdValue > 3) {
    out.push(
      risk(
        mcd,
        'max-concurrent-downloads',
        `max-concurrent-downloads is raised to ${mcdValue}`,
        `The default is 3. The limit is engine-wide, so ${mcdValue} parallel layer downloads hit Docker Hub at once; Hub answers bursts with EOF and rate-limit errors. The dev build pulls many images (Go, Alpine, tonistiigi/xx…), and a raised value here is exactly what made the field report's build fail with "EOF" until it was set back.`,
        'Remove the key (or set it back to 3), then reload or restart the daemon. `dagger-explore daemon-config reset` does this and shows the diff first.',
      ),
    )
  }
  const mcu = get('max-concurrent-uploads')
  const mcuValue = mcu === undefined ? undefined : num(mcu.value)
  if (mcu !== undefined && mcuValue !== undefined && mcuValue > 5) {
    out.push(
      risk(
        mcu,
        'max-concurrent-uploads',
        `max-concurrent-uploads is raised to ${mcuValue}`,
        `The default is 5. Pushing a dev engine image to a registry with more parallel uploads than the registry tolerates gives broken-pipe and 429 errors that look like network faults.`,
        'Remove the key (or set it back to 5) unless the registry you push to is known to take more.',
      ),
    )
  }
  const mda = get('max-download-attempts')
  const mdaValue = mda === undefined ? undefined : num(mda.value)
  if (mda !== undefined && mdaValue !== undefined && mdaValue !== 0 && mdaValue !== 5 && (mdaValue < 5 || mdaValue > 10)) {
    out.push(
      risk(
        mda,
        'max-download-attempts',
        mdaValue < 5 ? `max-download-attempts is lowered to ${mdaValue}` : `max-download-attempts is raised to ${mdaValue}`,
        mdaValue < 5
          ? `The default is 5 attempts per layer with a growing pause between them. With ${mdaValue}, one dropped connection to Docker Hub fails the whole pull instead of being retried. (It applies to the classic image store only; the containerd store ignores it.)`
          : `The default is 5. With ${mdaValue} attempts and a backoff of 5 s × attempt, a pull from a registry that is really down hangs for many minutes before it reports anything.`,
        'Remove the key to go back to 5.',
      ),
    )
  }
  const mirrors = get('registry-mirrors')
  if (mirrors !== undefined && strings(mirrors.value).length > 0) {
    const list = strings(mirrors.value)
    out.push(
      risk(
        mirrors,
        'registry-mirrors',
        `${list.length} registry mirror${list.length === 1 ? '' : 's'} configured`,
        `Default: none. The daemon tries ${list.join(', ')} before Docker Hub for every docker.io pull; a mirror that is down or slow delays every pull until it times out, and a mirror that serves stale tags gives surprising images. It applies only to pulls the Docker daemon makes: the Dagger engine inside its container pulls on its own and does not use daemon.json mirrors.`,
        'Check each mirror answers (the Registry cell probes them), and drop the ones you do not rely on.',
      ),
    )
  }
  const insecure = get('insecure-registries')
  if (insecure !== undefined && strings(insecure.value).length > 0) {
    const list = strings(insecure.value)
    out.push(
      risk(
        insecure,
        'insecure-registries',
        `${list.length} insecure registr${list.length === 1 ? 'y' : 'ies'} configured`,
        `Default: only 127.0.0.0/8. The daemon talks plain HTTP or skips TLS checks for ${list.join(', ')}. This covers docker pull/push only: the Dagger engine reads its own engine.toml, so a local registry listed here still fails inside Dagger with a TLS error unless it is configured there too.`,
        'Keep only registries you control; configure the same registries as insecure in the Dagger engine config if the engine must reach them.',
      ),
    )
  }
  const proxies = get('proxies')
  if (proxies !== undefined && proxies.value.kind === 'object' && proxies.value.members.length > 0) {
    out.push(
      risk(
        proxies,
        'proxies',
        'Daemon proxies configured',
        'Default: none (the daemon uses HTTP_PROXY/HTTPS_PROXY/NO_PROXY from its environment). These proxies take precedence over the environment, need a restart (not a reload) to change, and apply only to the daemon itself: the Dagger engine container does not inherit them, so pulls made by Dagger go direct while docker pull goes through the proxy. A proxy URL with https:// that actually speaks plain HTTP fails with "first record does not look like a TLS handshake".',
        'Check the proxy URL scheme matches what the proxy speaks, add registries that must bypass it to no-proxy, and pass the same proxy to the Dagger engine container if it needs one.',
      ),
    )
  }
  const dns = get('dns')
  if (dns !== undefined && strings(dns.value).length > 0) {
    out.push(
      risk(
        dns,
        'dns',
        'Container DNS servers are fixed',
        `Default: containers copy the host's resolv.conf. With "dns" set to ${strings(dns.value).join(', ')}, every container — including the Dagger engine and each build step — resolves through those servers; if they are unreachable from containers (a VPN-only or corporate resolver), engine pulls and go mod downloads fail with lookup timeouts while the host itself resolves fine. dockerd's own pulls still use the host resolver, which makes this confusing.`,
        'Remove "dns" unless the host resolver is unusable from containers; if you keep it, check containers can reach those servers.',
      ),
    )
  }
  const mtu = get('mtu')
  const mtuValue = mtu === undefined ? undefined : num(mtu.value)
  if (mtu !== undefined && mtuValue !== undefined && mtuValue > 1500) {
    out.push(
      risk(
        mtu,
        'mtu',
        `mtu is ${mtuValue}, above the usual 1500`,
        `The default is 1500. It sets the default bridge's MTU. A container MTU larger than the path MTU to the registry makes large packets vanish: small requests work and big blobs stall midway, which looks like a registry hang. The Dagger engine started on the default bridge and its build steps inherit it.`,
        'Remove "mtu" (or set it at or below the path MTU, e.g. 1500, or 1400 behind a VPN).',
      ),
    )
  }
  const ipv6 = get('ipv6')
  if (ipv6 !== undefined && ipv6.value.kind === 'boolean' && ipv6.value.value) {
    out.push(
      risk(
        ipv6,
        'ipv6',
        'IPv6 is enabled for the default bridge',
        'Default: false. Containers on the default bridge get IPv6 addresses; when the host has no working IPv6 route, tools inside the Dagger engine that try IPv6 first wait for timeouts before falling back.',
        'Set "ipv6" to false unless the host has IPv6 connectivity; if you need it, give "fixed-cidr-v6" too.',
      ),
    )
  }
  const sd = get('storage-driver')
  if (sd !== undefined && sd.value.kind === 'string') {
    const driver = sd.value.value
    if (driver === 'vfs') {
      out.push(
        risk(
          sd,
          'storage-driver',
          'storage-driver is vfs',
          'Default: chosen automatically (overlay2 on most hosts). vfs copies every layer in full: loading the dev engine image and its cache takes many times the disk and time, and data-root fills up quickly.',
          'Remove "storage-driver" so dockerd picks overlay2. Images stored under vfs are not visible to the new driver; re-pull or re-load them.',
        ),
      )
    } else if (['aufs', 'devicemapper', 'overlay', 'btrfs', 'zfs'].includes(driver)) {
      out.push(
        risk(
          sd,
          'storage-driver',
          `storage-driver is ${driver}`,
          `Default: chosen automatically. ${driver === 'btrfs' || driver === 'zfs' ? `${driver} works only on a ${driver} data-root and behaves differently from overlay2 with the Dagger engine's nested overlay mounts.` : `${driver} is deprecated or removed in current Docker releases; a daemon upgrade can refuse to start with it.`}`,
          'Remove "storage-driver" unless you know you need it.',
        ),
      )
    }
    if ((driver === 'overlay2' || driver === 'overlay') && host.dataRootFsType === 'overlay') {
      out.push(
        risk(
          sd,
          'storage-driver-overlay-on-overlay',
          'overlay2 on top of an overlay filesystem',
          'data-root sits on an overlay filesystem (typical inside a container or some CI runners). overlay2 cannot stack on overlay reliably: the daemon falls back or fails, and the Dagger engine, which mounts overlays itself, fails with "invalid argument" mount errors.',
          'Move data-root to a real filesystem (a volume or tmpfs-backed bind mount) or run the engine on a host that has one.',
        ),
      )
    }
  } else if (sd === undefined && host.dataRootFsType === 'overlay') {
    out.push({
      id: 'daemon-storage-driver-overlay-on-overlay',
      status: 'warn',
      title: 'data-root is on an overlay filesystem',
      detail: 'data-root sits on an overlay filesystem (typical inside a container). overlay2 cannot stack on it, so dockerd picks a slow driver (vfs) or fails, and the Dagger engine, which mounts overlays itself, fails with "invalid argument" mount errors.',
      fix: 'Give data-root a real filesystem (a volume or bind mount) and restart the daemon.',
    })
  }
  const exec = get('exec-opts')
  if (exec !== undefined) {
    const driver = strings(exec.value)
      .map((o) => /^\s*native\.cgroupdriver\s*=\s*(\S+)\s*$/i.exec(o)?.[1])
      .find((d) => d !== undefined)
    if (driver === 'cgroupfs' && host.cgroupVersion === 2 && host.systemd === true) {
      out.push(
        risk(
          exec,
          'exec-opts',
          'cgroupfs cgroup driver on a systemd cgroup v2 host',
          'Default on cgroup v2 with systemd: the systemd driver. With cgroupfs two managers (systemd and dockerd) write the same cgroup tree; containers can lose limits or fail to start under load, and the Dagger engine, which creates nested cgroups for each build step, is the first to notice.',
          'Remove native.cgroupdriver=cgroupfs from exec-opts (or set native.cgroupdriver=systemd) and restart the daemon.',
        ),
      )
    } else if (driver === 'systemd' && host.systemd === false) {
      out.push(
        risk(
          exec,
          'exec-opts',
          'systemd cgroup driver but systemd is not running',
          'native.cgroupdriver=systemd asks systemd to create container cgroups; without systemd as PID 1, containers fail to start.',
          'Remove native.cgroupdriver=systemd from exec-opts on this host.',
        ),
      )
    }
  }
  const features = get('features')
  if (features !== undefined && features.value.kind === 'object') {
    const snap = [...features.value.members].reverse().find((m) => m.key === 'containerd-snapshotter')
    if (snap !== undefined && snap.value.kind === 'boolean') {
      out.push(
        risk(
          features,
          'features.containerd-snapshotter',
          `The containerd image store is turned ${snap.value.value ? 'on' : 'off'} explicitly`,
          `Default: on for fresh installs of recent Docker (not when classic image data already exists), off on older releases. This switch decides which puller runs: with the containerd store pull errors read "failed to copy: httpReadSeeker…" and max-download-attempts is ignored; with the classic store they read "download failed after attempts=". Flipping it hides the images stored by the other store, so a loaded dagger-engine.dev image seems to vanish.`,
          'Leave it as it is once images are loaded; after switching, re-load the dev engine image. Remove the key to get the platform default.',
          snap.value,
        ),
      )
    }
  }
  const pools = get('default-address-pools')
  if (pools !== undefined && pools.value.kind === 'array') {
    for (const item of pools.value.items) {
      if (item.kind !== 'object') continue
      const base = item.members.find((m) => m.key === 'base')?.value
      const size = item.members.find((m) => m.key === 'size')?.value
      if (base?.kind !== 'string' || !isCidr(base.value) || size?.kind !== 'number') continue
      const prefix = Number(base.value.split('/')[1])
      const networks = 2 ** Math.max(0, size.value - prefix)
      const overlapsDagger = DAGGER_SUBNETS.some((d) => overlapsCidr(base.value, d))
      if (networks < 16 || overlapsDagger) {
        out.push(
          risk(
            pools,
            'default-address-pools',
            overlapsDagger ? `Address pool ${base.value} overlaps the Dagger engine's network` : `Address pool ${base.value} leaves room for only ${networks} networks`,
            overlapsDagger
              ? `Default pools: 172.17.0.0/16–172.31.0.0/16 and 192.168.0.0/16. ${base.value} overlaps 10.87.0.0/16 (the Dagger engine's build-container network) or 10.88.0.0/16 (the one ./hack/dev gives the dev engine); a Docker network there makes traffic from build steps to those addresses go to the wrong place.`
              : `Default pools give 31 + 256 networks. ${base.value} cut into /${size.value} gives ${networks}; once they are used, creating a network (compose, tests, engine sessions) fails with "could not find an available, non-overlapping IPv4 address pool".`,
            'Pick a base range that does not overlap 10.87.0.0/16, 10.88.0.0/16 or your LAN/VPN, with room for dozens of networks (e.g. base 10.200.0.0/16 size 24), or remove the key.',
            item,
          ),
        )
      }
    }
  }
  return out
}

/** Subnets the Dagger engine uses inside its container: the default, and the dev engine's. */
const DAGGER_SUBNETS = ['10.87.0.0/16', '10.88.0.0/16']

function cidrRange(cidr: string): [number, number] | undefined {
  const [addr = '', prefix = '32'] = cidr.split('/')
  const parts = addr.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined
  const ip = (((parts[0] ?? 0) << 24) >>> 0) + ((parts[1] ?? 0) << 16) + ((parts[2] ?? 0) << 8) + (parts[3] ?? 0)
  const bits = Number(prefix)
  const size = 2 ** (32 - bits)
  const start = Math.floor(ip / size) * size
  return [start, start + size - 1]
}

function overlapsCidr(a: string, b: string): boolean {
  const ra = cidrRange(a)
  const rb = cidrRange(b)
  if (ra === undefined || rb === undefined) return false
  return ra[0] <= rb[1] && rb[0] <= ra[1]
}
