import {busyboxLayer, type FixtureEntry, type FixtureLayer} from './fixtures.js'

/** A stand-in binary: a shell script that prints a version, like the real one would. */
const script = (line: string): string => `#!/bin/sh\necho "${line}"\n`

const apkStanza = (name: string, version: string): string => `C:Q1stub=\nP:${name}\nV:${version}\nA:x86_64\nS:1\nI:1\nT:${name}\n`

const V09_PACKAGES = ['musl', 'busybox', 'git', 'openssh', 'pigz', 'xz', 'iptables', 'ip6tables', 'dnsmasq']
const WOLFI_PACKAGES = ['ca-certificates', 'mount', 'umount', 'posix-libc-utils', 'coreutils', 'git', 'openssh-client', 'fuse3', 'glib', 'isa-l', 'pigz', 'xz', 'nftables', 'iptables-legacy', 'dnsmasq', 'e2fsprogs', 'ripgrep', 'sqlite']

export const ENTRYPOINT_V09 = '#!/bin/sh\nset -e\n# cgroup v2: enable nesting\nexec /usr/local/bin/dagger-engine --config /etc/dagger/engine.toml "$@"\n'
export const ENGINE_TOML = 'debug = true\ninsecure-entitlements = ["security.insecure"]\n'

/** The v0.9.3 dev engine layout (Alpine): stand-in files at the real paths, over three layers. */
export function v09Layers(): FixtureLayer[] {
  const base: FixtureEntry[] = [
    ...busyboxLayer(),
    {path: 'etc', type: 'dir'},
    {path: 'etc/alpine-release', type: 'file', content: '3.18.4\n'},
    {path: 'etc/os-release', type: 'file', content: 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME="Alpine Linux v3.18"\n'},
    {path: 'lib', type: 'dir'},
    {path: 'lib/apk', type: 'dir'},
    {path: 'lib/apk/db', type: 'dir'},
    {path: 'lib/apk/db/installed', type: 'file', content: V09_PACKAGES.map((p, i) => apkStanza(p, `1.${i}.0-r0`)).join('\n')},
    {path: 'tmp', type: 'dir', mode: 0o1777},
  ]
  const engine: FixtureEntry[] = [
    {path: 'usr', type: 'dir'},
    {path: 'usr/local', type: 'dir'},
    {path: 'usr/local/bin', type: 'dir'},
    {path: 'usr/local/bin/runc', type: 'file', mode: 0o700, content: script('runc version 1.1.9')},
    {path: 'usr/local/bin/buildctl', type: 'file', mode: 0o755, content: script('buildctl github.com/moby/buildkit 3d50b977')},
    {path: 'usr/local/bin/dagger-shim', type: 'file', mode: 0o755, content: script('shim')},
    // Hangs when asked its version, to prove the exec deadline.
    {path: 'usr/local/bin/dagger-engine', type: 'file', mode: 0o755, content: '#!/bin/sh\nsleep 30\n'},
    {path: 'usr/local/bin/dagger', type: 'file', mode: 0o755, content: script('dagger v0.9.3 (registry.dagger.io/engine) linux/amd64')},
    {path: 'usr/local/bin/buildkit-qemu-aarch64', type: 'file', mode: 0o755, content: 'qemu'},
    {path: 'usr/local/bin/buildkit-qemu-riscv64', type: 'file', mode: 0o755, content: 'qemu'},
    {path: 'usr/local/bin/dagger-entrypoint.sh', type: 'file', mode: 0o755, content: ENTRYPOINT_V09},
    {path: 'usr/local/bin/old-tool', type: 'file', mode: 0o755, content: 'to be deleted'},
    {path: 'opt', type: 'dir'},
    {path: 'opt/cni', type: 'dir'},
    {path: 'opt/cni/bin', type: 'dir'},
    ...['bridge', 'loopback', 'firewall', 'host-local', 'dnsname'].map((n): FixtureEntry => ({path: `opt/cni/bin/${n}`, type: 'file', mode: 0o755, content: `cni ${n}`})),
    {path: 'usr/local/share', type: 'dir'},
    {path: 'usr/local/share/dagger', type: 'dir'},
    {path: 'usr/local/share/dagger/go-module-sdk-image.tar', type: 'file', content: Buffer.alloc(3000, 7)},
    {path: 'usr/local/share/dagger/python-sdk', type: 'dir'},
    {path: 'usr/local/share/dagger/python-sdk/pyproject.toml', type: 'file', content: '[project]\nname = "dagger-io"\n'},
    {path: 'usr/local/share/dagger/python-sdk/src', type: 'dir'},
    {path: 'usr/local/share/dagger/python-sdk/src/dagger.py', type: 'file', content: 'print(1)\n'},
    {path: 'usr/local/share/dagger/python-sdk/runtime', type: 'dir'},
    {path: 'usr/local/share/dagger/python-sdk/runtime/old.py', type: 'file', content: 'old\n'},
    {path: 'var', type: 'dir'},
    {path: 'var/lib', type: 'dir'},
    {path: 'var/lib/dagger', type: 'dir'},
    {path: 'etc/dagger', type: 'dir'},
    {path: 'etc/dagger/engine.toml', type: 'file', mode: 0o600, content: ENGINE_TOML},
  ]
  const later: FixtureEntry[] = [
    // A file deleted in a later layer, and an opaque directory whose lower contents are hidden.
    {path: 'usr/local/bin/old-tool', type: 'whiteout'},
    {path: 'usr/local/share/dagger/python-sdk', type: 'dir'},
    {path: 'usr/local/share/dagger/python-sdk', type: 'opaque'},
    {path: 'usr/local/share/dagger/python-sdk/pyproject.toml', type: 'file', content: '[project]\nname = "dagger-io"\nversion = "0.9.3"\n'},
    {path: 'usr/local/share/dagger/python-sdk/runtime', type: 'dir'},
    {path: 'usr/local/share/dagger/python-sdk/runtime/main.py', type: 'file', content: 'import dagger\n'},
    // Hard links (same layer, as a daemon writes them) and symlinks, absolute and relative.
    {path: 'usr/local/bin/tool-a', type: 'file', mode: 0o755, content: 'hard linked content'},
    {path: 'usr/local/bin/tool-b', type: 'link', target: 'usr/local/bin/tool-a'},
    {path: 'usr/local/bin/engine', type: 'symlink', target: 'dagger-engine'},
    {path: 'usr/bin', type: 'dir'},
    {path: 'usr/bin/runc', type: 'symlink', target: '/usr/local/bin/runc'},
    {path: 'home', type: 'dir'},
    {path: 'home/dev', type: 'dir', mode: 0o750, uid: 1000, gid: 1000},
    {path: 'home/dev/.profile', type: 'file', mode: 0o640, uid: 1000, gid: 1000, content: 'export PATH\n'},
  ]
  return [base, engine, later]
}

/** The same, broken: a later layer deletes dnsname, re-adds runc with the wrong mode, and drops dnsmasq from the package db. */
export function v09BrokenLayers(): FixtureLayer[] {
  return [
    ...v09Layers(),
    [
      {path: 'opt/cni/bin/dnsname', type: 'whiteout'},
      {path: 'usr/local/bin/runc', type: 'file', mode: 0o755, content: script('runc version 1.1.9')},
      {path: 'lib/apk/db/installed', type: 'file', content: V09_PACKAGES.filter((p) => p !== 'dnsmasq').map((p) => apkStanza(p, '1.0.0-r0')).join('\n')},
    ],
  ]
}

export const ENGINE_JSON = '{"logLevel":"debug","registries":{"docker.io":{"mirrors":["mirror.gcr.io"]}}}\n'

/** The current Wolfi layout: merged /usr (`/lib` → `usr/lib`), buildctl a symlink to dial-stdio, SDKs as content blobs. */
export function wolfiLayers(): FixtureLayer[] {
  const bb = busyboxLayer().map((e) => ({...e, path: e.path === 'bin' ? 'usr/bin' : e.path.replace(/^bin\//, 'usr/bin/')}))
  const base: FixtureEntry[] = [
    {path: 'usr', type: 'dir'},
    ...bb,
    {path: 'bin', type: 'symlink', target: 'usr/bin'},
    {path: 'usr/lib', type: 'dir'},
    {path: 'lib', type: 'symlink', target: 'usr/lib'},
    {path: 'usr/lib/os-release', type: 'file', content: 'ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\n'},
    {path: 'etc', type: 'dir'},
    {path: 'etc/os-release', type: 'symlink', target: '../usr/lib/os-release'},
    {path: 'usr/lib/apk', type: 'dir'},
    {path: 'usr/lib/apk/db', type: 'dir'},
    {path: 'usr/lib/apk/db/installed', type: 'file', content: WOLFI_PACKAGES.map((p, i) => apkStanza(p, `2.${i}-r1`)).join('\n')},
  ]
  const engine: FixtureEntry[] = [
    {path: 'usr/local', type: 'dir'},
    {path: 'usr/local/bin', type: 'dir'},
    ...['dagger-engine', 'runc', 'tini', 'dagger-init', 'dagger', 'buildkit-qemu-aarch64'].map((n): FixtureEntry => ({path: `usr/local/bin/${n}`, type: 'file', mode: 0o755, content: script(`${n} v1.0.0`)})),
    {path: 'usr/local/bin/dagger-entrypoint.sh', type: 'file', mode: 0o755, content: '#!/bin/sh\ncat "$0"\nexec tini -- /usr/local/bin/dagger-engine --config /etc/dagger/engine.toml "$@"\n'},
    {path: 'usr/bin/dial-stdio', type: 'file', mode: 0o755, content: script('dial-stdio')},
    {path: 'usr/bin/buildctl', type: 'symlink', target: 'dial-stdio'},
    {path: 'usr/bin/sshfs', type: 'file', mode: 0o755, content: script('SSHFS version 3.7.6')},
    {path: 'opt', type: 'dir'},
    {path: 'opt/cni', type: 'dir'},
    {path: 'opt/cni/bin', type: 'dir'},
    ...['bridge', 'loopback', 'firewall', 'host-local', 'dnsname'].map((n): FixtureEntry => ({path: `opt/cni/bin/${n}`, type: 'file', mode: 0o755, content: `cni ${n}`})),
    {path: 'usr/local/share', type: 'dir'},
    {path: 'usr/local/share/dagger', type: 'dir'},
    {path: 'usr/local/share/dagger/content', type: 'dir'},
    {path: 'usr/local/share/dagger/content/blobs', type: 'dir'},
    {path: 'usr/local/share/dagger/content/blobs/sha256', type: 'dir'},
    {path: `usr/local/share/dagger/content/blobs/sha256/${'ab'.repeat(32)}`, type: 'file', content: '{"schemaVersion":2}'},
    {path: 'var', type: 'dir'},
    {path: 'var/lib', type: 'dir'},
    {path: 'var/lib/dagger', type: 'dir'},
    {path: 'etc/dagger', type: 'dir'},
    {path: 'etc/dagger/engine.json', type: 'file', mode: 0o644, content: ENGINE_JSON},
    {path: 'etc/dagger/engine.toml', type: 'file', mode: 0o644, content: ''},
  ]
  return [base, engine]
}
