import {describe, expect, test} from 'vitest'
import {lintDaemonConfig} from '../../src/core/daemon-config/lint.js'
import {parseStrictJson} from '../../src/core/daemon-config/json-strict.js'
import type {EngineVersion} from '../../src/core/daemon-config/version.js'

interface Case {
  readonly name: string
  readonly text: string | Uint8Array
  readonly id: string
  readonly status: 'fail' | 'warn'
  readonly line: number
  readonly column: number
  readonly key?: string
  readonly target?: EngineVersion
  readonly host?: Parameters<typeof lintDaemonConfig>[1] extends infer O ? (O extends {host?: infer H} ? H : never) : never
}

const bytes = (...parts: (string | number[])[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p)] : p)))

/** Bad and risky configs: the finding each must produce, and where. */
const CASES: readonly Case[] = [
  {name: 'line comment', text: '{\n  // mirrors\n  "debug": true\n}', id: 'json-comment', status: 'fail', line: 2, column: 3},
  {name: 'block comment', text: '{\n  "debug": true /* on */\n}', id: 'json-comment', status: 'fail', line: 2, column: 17},
  {name: 'hash comment', text: '{\n# note\n"debug": true}', id: 'json-comment', status: 'fail', line: 2, column: 1},
  {name: 'trailing comma in object', text: '{\n  "debug": true,\n}', id: 'json-trailing-comma', status: 'fail', line: 2, column: 16},
  {name: 'trailing comma in list', text: '{"dns": ["192.0.2.1",\n]}', id: 'json-trailing-comma', status: 'fail', line: 1, column: 21},
  {name: 'duplicate key', text: '{\n  "debug": true,\n  "debug": false\n}', id: 'json-duplicate-key', status: 'warn', line: 3, column: 3, key: 'debug'},
  {name: 'root is a list', text: '[{"debug": true}]', id: 'json-root-not-object', status: 'fail', line: 1, column: 1},
  {name: 'root is a string', text: '\n  "debug"', id: 'json-root-not-object', status: 'fail', line: 2, column: 3},
  {name: 'root is null', text: 'null', id: 'json-root-null', status: 'warn', line: 1, column: 1},
  {name: 'empty file (current)', text: '', id: 'json-empty', status: 'warn', line: 1, column: 1},
  {name: 'empty file (20.10)', text: '  \n', id: 'json-empty', status: 'fail', line: 1, column: 1, target: [20, 10]},
  {name: 'binary file', text: bytes('{"a', [0x00, 0xff, 0xfe], '"}'), id: 'json-binary', status: 'fail', line: 1, column: 4},
  {name: 'invalid UTF-8 on line 2', text: bytes('{\n  "x": "', [0xc3, 0x28], '"}'), id: 'json-binary', status: 'fail', line: 2, column: 9},
  {name: 'too large', text: new Uint8Array(2 * 1024 * 1024).fill(0x20), id: 'json-too-large', status: 'fail', line: 1, column: 1},
  {name: 'BOM (20.10)', text: bytes([0xef, 0xbb, 0xbf], '{"debug": true}'), id: 'json-bom', status: 'fail', line: 1, column: 1, target: [20, 10]},
  {name: 'BOM (current)', text: bytes([0xef, 0xbb, 0xbf], '{"debug": true}'), id: 'json-bom', status: 'warn', line: 1, column: 1},
  {name: 'text after the object (current)', text: '{"debug": true}\n{"x": 1}', id: 'json-trailing-content', status: 'fail', line: 2, column: 1},
  {name: 'text after the object (20.10 ignores it)', text: '{"debug": true} // done', id: 'json-trailing-content', status: 'warn', line: 1, column: 17, target: [20, 10]},
  {name: 'missing comma', text: '{\n  "debug": true\n  "ipv6": false\n}', id: 'json-syntax', status: 'fail', line: 3, column: 3},
  {name: 'single quotes', text: "{'debug': true}", id: 'json-syntax', status: 'fail', line: 1, column: 2},
  {name: 'unclosed object', text: '{\n  "debug": true\n', id: 'json-syntax', status: 'fail', line: 3, column: 1},
  {name: 'unknown key', text: '{\n  "max-concurent-downloads": 3\n}', id: 'key-unknown', status: 'fail', line: 2, column: 3, key: 'max-concurent-downloads'},
  {name: 'key with the flag spelling (accepted, then ignored)', text: '{"registry-mirror": ["https://m.example"]}', id: 'key-flag-name-ignored', status: 'warn', line: 1, column: 2, key: 'registry-mirror'},
  {name: 'top-level proxy key (a flag since 23.0)', text: '{"https-proxy": "http://127.0.0.1:3128"}', id: 'key-flag-name-ignored', status: 'warn', line: 1, column: 2},
  {name: 'top-level proxy key on 20.10', text: '{"https-proxy": "http://127.0.0.1:3128"}', id: 'key-unknown', status: 'fail', line: 1, column: 2, target: [20, 10]},
  {name: 'key in the wrong case', text: '{"Debug": true}', id: 'key-unknown', status: 'fail', line: 1, column: 2, key: 'Debug'},
  {name: 'struct spelling of containerd-plugins-namespace', text: '{"containerd-plugin-namespace": "x"}', id: 'key-unknown', status: 'fail', line: 1, column: 2},
  {name: 'unknown object of known names', text: '{"daemon": {"debug": true}}', id: 'key-unknown-ignored', status: 'warn', line: 1, column: 2, key: 'daemon'},
  {name: 'unknown key inside proxies', text: '{"proxies": {"http_proxy": "http://127.0.0.1:3128"}}', id: 'key-unknown', status: 'fail', line: 1, column: 14, key: 'proxies.http_proxy'},
  {name: 'proxies on 20.10', text: '{\n "proxies": {"http-proxy": "http://127.0.0.1:3128"}}', id: 'key-too-new', status: 'fail', line: 2, column: 2, key: 'proxies', target: [20, 10]},
  {name: 'log-format on 20.10', text: '{"log-format": "json"}', id: 'key-too-new', status: 'fail', line: 1, column: 2, target: [20, 10]},
  {name: 'removed key', text: '{"cluster-store": "consul://127.0.0.1:8500"}', id: 'key-removed', status: 'fail', line: 1, column: 2},
  {name: 'removed key still accepted by 20.10', text: '{"cluster-store": ""}', id: 'key-deprecated', status: 'warn', line: 1, column: 2, target: [20, 10]},
  {name: 'number as string', text: '{"max-concurrent-downloads": "10"}', id: 'key-wrong-type', status: 'fail', line: 1, column: 30, key: 'max-concurrent-downloads'},
  {name: 'bool as string', text: '{\n  "debug": "true"\n}', id: 'key-wrong-type', status: 'fail', line: 2, column: 12},
  {name: 'fraction', text: '{"max-concurrent-uploads": 2.5}', id: 'key-bad-value', status: 'fail', line: 1, column: 28},
  {name: 'negative downloads', text: '{"max-concurrent-downloads": -1}', id: 'key-bad-value', status: 'fail', line: 1, column: 30},
  {name: 'negative mtu on 20.10', text: '{"mtu": -1}', id: 'key-odd-value', status: 'warn', line: 1, column: 9, target: [20, 10]},
  {name: 'log level', text: '{"log-level": "verbose"}', id: 'key-bad-value', status: 'fail', line: 1, column: 15},
  {name: 'dns not an IP', text: '{"dns": ["1.1.1.1", "dns.example"]}', id: 'key-bad-value', status: 'fail', line: 1, column: 21, key: 'dns'},
  {name: 'mirror without scheme (20.10)', text: '{"registry-mirrors": ["mirror.example"]}', id: 'key-bad-value', status: 'fail', line: 1, column: 23, target: [20, 10]},
  {name: 'mirror without scheme (current)', text: '{"registry-mirrors": ["mirror.example"]}', id: 'key-bad-value', status: 'fail', line: 1, column: 23},
  {name: 'mirror with a path (20.10)', text: '{"registry-mirrors": ["https://mirror.example/hub/"]}', id: 'key-bad-value', status: 'fail', line: 1, column: 23, target: [20, 10]},
  {name: 'mirror with a query', text: '{"registry-mirrors": ["https://mirror.example/?x=1"]}', id: 'key-bad-value', status: 'fail', line: 1, column: 23},
  {name: 'mirror with credentials', text: '{"registry-mirrors": ["https://u:p@mirror.example"]}', id: 'key-bad-value', status: 'fail', line: 1, column: 23},
  {name: 'insecure registry with http:// (stripped)', text: '{"insecure-registries": ["http://127.0.0.1:5000"]}', id: 'key-odd-value', status: 'warn', line: 1, column: 26},
  {name: 'insecure registry with another scheme', text: '{"insecure-registries": ["ftp://127.0.0.1:5000"]}', id: 'key-bad-value', status: 'fail', line: 1, column: 26},
  {name: 'insecure registry with a hyphen', text: '{"insecure-registries": ["-bad-"]}', id: 'key-bad-value', status: 'fail', line: 1, column: 26},
  {name: 'bad cgroup driver', text: '{"exec-opts": ["native.cgroupdriver=foo"]}', id: 'key-bad-value', status: 'fail', line: 1, column: 16},
  {name: 'unknown exec-opt (20.10 ignores it)', text: '{"exec-opts": ["foo=bar"]}', id: 'key-odd-value', status: 'warn', line: 1, column: 16, target: [20, 10]},
  {name: 'log-opts number', text: '{"log-opts": {"max-file": 3}}', id: 'key-wrong-type', status: 'fail', line: 1, column: 27, key: 'log-opts.max-file'},
  {name: 'pool size smaller than base', text: '{"default-address-pools": [{"base": "10.10.0.0/16", "size": 8}]}', id: 'key-bad-value', status: 'fail', line: 1, column: 61},
  {name: 'ip6tables without experimental (20.10)', text: '{"ip6tables": true}', id: 'ip6tables-needs-experimental', status: 'fail', line: 1, column: 2, target: [20, 10]},
  {name: 'unknown feature', text: '{"features": {"containerd-snapshoter": true}}', id: 'feature-unknown', status: 'warn', line: 1, column: 15},
  {name: 'null value', text: '{"max-concurrent-downloads": null}', id: 'key-null', status: 'warn', line: 1, column: 30},
  // Risk rules.
  {name: 'raised downloads', text: '{\n  "max-concurrent-downloads": 10\n}', id: 'daemon-max-concurrent-downloads', status: 'warn', line: 2, column: 3},
  {name: 'raised uploads', text: '{"max-concurrent-uploads": 20}', id: 'daemon-max-concurrent-uploads', status: 'warn', line: 1, column: 2},
  {name: 'one download attempt', text: '{"max-download-attempts": 1}', id: 'daemon-max-download-attempts', status: 'warn', line: 1, column: 2},
  {name: 'mirror', text: '{"registry-mirrors": ["https://mirror.example"]}', id: 'daemon-registry-mirrors', status: 'warn', line: 1, column: 2},
  {name: 'insecure registry', text: '{"insecure-registries": ["registry.lan:5000"]}', id: 'daemon-insecure-registries', status: 'warn', line: 1, column: 2},
  {name: 'proxies', text: '{"proxies": {"https-proxy": "http://127.0.0.1:3128"}}', id: 'daemon-proxies', status: 'warn', line: 1, column: 2},
  {name: 'dns', text: '{"dns": ["192.0.2.53"]}', id: 'daemon-dns', status: 'warn', line: 1, column: 2},
  {name: 'jumbo mtu', text: '{"mtu": 9000}', id: 'daemon-mtu', status: 'warn', line: 1, column: 2},
  {name: 'ipv6', text: '{"ipv6": true, "fixed-cidr-v6": "fd00:1::/64"}', id: 'daemon-ipv6', status: 'warn', line: 1, column: 2},
  {name: 'vfs', text: '{"storage-driver": "vfs"}', id: 'daemon-storage-driver', status: 'warn', line: 1, column: 2},
  {name: 'overlay on overlay', text: '{"storage-driver": "overlay2"}', id: 'daemon-storage-driver-overlay-on-overlay', status: 'warn', line: 1, column: 2, host: {dataRootFsType: 'overlay'}},
  {name: 'cgroupfs on systemd v2', text: '{"exec-opts": ["native.cgroupdriver=cgroupfs"]}', id: 'daemon-exec-opts', status: 'warn', line: 1, column: 2, host: {cgroupVersion: 2, systemd: true}},
  {name: 'snapshotter', text: '{"features": {\n  "containerd-snapshotter": true}}', id: 'daemon-features-containerd-snapshotter', status: 'warn', line: 2, column: 29},
  {name: 'pool over the Dagger network', text: '{"default-address-pools": [{"base": "10.80.0.0/12", "size": 24}]}', id: 'daemon-default-address-pools', status: 'warn', line: 1, column: 28},
  {name: 'tiny pool', text: '{"default-address-pools": [{"base": "172.30.0.0/24", "size": 26}]}', id: 'daemon-default-address-pools', status: 'warn', line: 1, column: 28},
]

describe('lint table: each bad or risky config gives its finding at its position', () => {
  test.each(CASES)('$name', (c) => {
    const result = lintDaemonConfig(c.text, {...(c.target === undefined ? {} : {target: c.target}), ...(c.host === undefined ? {} : {host: c.host})})
    const found = result.findings.find((f) => f.id === c.id)
    expect(found, `findings: ${result.findings.map((f) => `${f.id}@${f.line}:${f.column}`).join(', ')}`).toBeDefined()
    expect({status: found?.status, line: found?.line, column: found?.column}).toEqual({status: c.status, line: c.line, column: c.column})
    if (c.key !== undefined) expect(found?.key).toBe(c.key)
    expect(found?.detail).toBeTruthy()
    expect(found?.fix).toBeTruthy()
    expect(result.valid).toBe(!result.findings.some((f) => f.status === 'fail'))
  })

  test('a mirror under a path is fine on current dockerd', () => {
    expect(lintDaemonConfig('{"registry-mirrors": ["https://mirror.example/hub"]}', {risks: false}).findings).toEqual([])
  })

  test('a clean config has no findings and is valid', () => {
    const result = lintDaemonConfig('{\n  "debug": false,\n  "log-level": "info",\n  "max-concurrent-downloads": 3,\n  "features": {"containerd-snapshotter": false}\n}\n', {risks: false})
    expect(result.findings).toEqual([])
    expect(result.valid).toBe(true)
  })

  test('several problems are all reported in one pass', () => {
    const result = lintDaemonConfig('{\n  // one\n  "debug": true,\n  "debug": true,\n  "nope": 1,\n}\n')
    expect(result.findings.map((f) => f.id).sort()).toEqual(['json-comment', 'json-duplicate-key', 'json-trailing-comma', 'key-unknown'])
  })

  test('a key set by a flag and in the file is a conflict, as dockerd sees it', () => {
    const result = lintDaemonConfig('{"hosts": ["unix:///tmp/x.sock"], "proxies": {"http-proxy": "http://127.0.0.1:1"}}', {
      flags: [
        {flag: '-H', name: 'host', key: 'hosts', value: 'fd://'},
        {flag: '--http-proxy', name: 'http-proxy', key: 'proxies.http-proxy', value: 'http://127.0.0.1:2'},
        {flag: '--add-runtime', name: 'add-runtime', key: 'runtimes', value: 'x=/bin/x'},
      ],
    })
    const conflicts = result.findings.filter((f) => f.id === 'flag-file-conflict')
    expect(conflicts.map((f) => [f.key, f.line, f.column])).toEqual([
      ['hosts', 1, 2],
      ['proxies.http-proxy', 1, 47],
    ])
  })

  test('the reader keeps values and positions', () => {
    const parsed = parseStrictJson('{"a": [1, "x\\u0041"], "b": {"c": null}}')
    expect(parsed.problems).toEqual([])
    expect(parsed.root?.kind).toBe('object')
    if (parsed.root?.kind === 'object') {
      expect(parsed.root.members.map((m) => [m.key, m.keyPos.column])).toEqual([
        ['a', 2],
        ['b', 23],
      ])
    }
  })
})
