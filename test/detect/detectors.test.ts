import {execFileSync, spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {concurrentBuildFinding, isDevBuild, readProcesses} from '../../src/core/detect/concurrent-builds.js'
import {parseDaggerVersion, versionSkewFindings} from '../../src/core/detect/cli-versions.js'
import {dataRootFinding} from '../../src/core/detect/data-root-disk.js'
import {engineConfigFindings, parseEngineConfig} from '../../src/core/detect/engine-config.js'
import {natFinding, readNatFacts} from '../../src/core/detect/iptables.js'
import {platformFindings} from '../../src/core/detect/platform.js'
import {engineProxyFinding, envRecord} from '../../src/core/detect/proxy-env.js'
import {bootTimeFrom, restartFinding} from '../../src/core/detect/restart.js'

const dirs: string[] = []
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'dx-detect-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, {recursive: true, force: true})
})

describe('concurrent dev builds', () => {
  it.each([
    [['bash', '/src/dagger/hack/dev'], true],
    [['/bin/bash', './hack/build'], true],
    [['dagger', '--x-release', '00cb7d3a', 'api', 'call', 'dev', '--docker=unix:///var/run/docker.sock', 'deploy', '--output', './bin'], true],
    [['go', 'run', 'main.go', '-w', '../..', 'engine:dev'], true],
    [['vim', 'hack/dev.md'], false],
    [['dagger', 'call', 'engine-dev', 'test'], false],
  ] as const)('%j is a dev build: %s', (argv, yes) => {
    expect(isDevBuild(argv)).toBe(yes)
  })

  it('finds a real second build in /proc and ignores our own process tree', async () => {
    const dir = tempDir()
    mkdirSync(path.join(dir, 'hack'))
    const script = path.join(dir, 'hack', 'build')
    writeFileSync(script, '#!/bin/sh\nsleep 30\n', {mode: 0o755})
    const child = spawn(script, [], {stdio: 'ignore'})
    try {
      await new Promise((r) => setTimeout(r, 200))
      const processes = readProcesses()
      const f = concurrentBuildFinding(processes, new Set([process.pid]))
      expect(f?.id).toBe('dev-build-running')
      expect(f?.detail).toContain(`${child.pid}: `)
      expect(concurrentBuildFinding(processes, new Set([process.pid, child.pid ?? 0]))).toBeNull()
    } finally {
      child.kill()
    }
  })
})

describe('dagger versions', () => {
  it('reads both shapes of `dagger version`', () => {
    expect(parseDaggerVersion('dagger v0.18.14 (registry.dagger.io/engine:v0.18.14) linux/amd64 go1.24.4')).toEqual({version: 'v0.18.14'})
    expect(parseDaggerVersion('version: v1.0.0-beta.10\ncommit: 0e19eba6d3aa\ndirty: false\nplatform: linux/amd64\n')).toEqual({version: 'v1.0.0-beta.10', commit: '0e19eba6d3aa'})
    expect(parseDaggerVersion('command not found')).toBeNull()
  })

  it('warns when PATH, ./bin and the checkout disagree, and says nothing when they agree', () => {
    const old = {version: {version: 'v0.11.9'}, file: '/usr/local/bin/dagger'}
    const ids = versionSkewFindings({onPath: old, bin: {version: 'v0.19.2'}, checkout: 'v0.19.2'}).map((f) => f.id)
    expect(ids).toEqual(['dagger-path-vs-bin', 'dagger-path-older-than-checkout'])
    expect(versionSkewFindings({onPath: {version: {version: 'v0.19.2'}, file: '/x'}, bin: {version: 'v0.19.2-dev'}, checkout: 'v0.19.2'})).toEqual([])
    expect(versionSkewFindings({})).toEqual([])
  })
})

describe('platform', () => {
  it('flags DOCKER_DEFAULT_PLATFORM, worse when it is not the daemon\'s architecture', () => {
    expect(platformFindings({defaultPlatform: 'linux/amd64', daemonArch: 'x86_64'})[0]).toMatchObject({id: 'docker-default-platform', status: 'warn'})
    expect(platformFindings({defaultPlatform: 'linux/amd64', daemonArch: 'aarch64'})[0]).toMatchObject({id: 'docker-default-platform', status: 'fail'})
    expect(platformFindings({daemonArch: 'x86_64'})).toEqual([])
  })

  it('flags an engine image of another architecture than the daemon', () => {
    expect(platformFindings({daemonArch: 'x86_64', engineImage: {name: 'localhost/dagger-engine.dev:latest', os: 'linux', architecture: 'arm64'}}).map((f) => f.id)).toEqual(['engine-image-foreign-platform'])
    expect(platformFindings({daemonArch: 'x86_64', engineImage: {name: 'e', os: 'linux', architecture: 'amd64'}})).toEqual([])
  })
})

describe('iptables nat table', () => {
  function fakeRoots(opts: {loaded?: string; tables?: string | null; builtin?: string; module?: boolean}) {
    const root = tempDir()
    const proc = path.join(root, 'proc')
    mkdirSync(path.join(proc, 'net'), {recursive: true})
    writeFileSync(path.join(proc, 'modules'), opts.loaded ?? 'overlay 151552 0 - Live 0x0\n')
    if (opts.tables !== null && opts.tables !== undefined) writeFileSync(path.join(proc, 'net', 'ip_tables_names'), opts.tables)
    const mods = path.join(root, 'modules', '6.18.0-test')
    const netfilter = path.join(mods, 'kernel', 'net', 'ipv4', 'netfilter')
    mkdirSync(netfilter, {recursive: true})
    writeFileSync(path.join(mods, 'modules.builtin'), opts.builtin ?? 'kernel/fs/ext4/ext4.ko\n')
    if (opts.module) writeFileSync(path.join(netfilter, 'iptable_nat.ko.zst'), '')
    return {proc, modules: path.join(root, 'modules')}
  }

  it('passes when the table is there, warns with modprobe when the module is only installed, fails when the kernel has none', () => {
    expect(natFinding(readNatFacts('6.18.0-test', fakeRoots({tables: 'filter\nnat\n'}))).status).toBe('pass')
    expect(natFinding(readNatFacts('6.18.0-test', fakeRoots({builtin: 'kernel/net/ipv4/netfilter/iptable_nat.ko\n'}))).status).toBe('pass')
    const warn = natFinding(readNatFacts('6.18.0-test', fakeRoots({module: true})))
    expect(warn).toMatchObject({id: 'iptables-nat-not-loaded', status: 'warn'})
    expect(warn.fix).toContain('sudo modprobe iptable_nat')
    expect(natFinding(readNatFacts('6.18.0-test', fakeRoots({})))).toMatchObject({id: 'iptables-nat-missing', status: 'fail'})
  })

  it('reads this machine\'s real /proc without failing', () => {
    const kernel = execFileSync('uname', ['-r'], {encoding: 'utf8'}).trim()
    const facts = readNatFacts(kernel)
    expect(facts.kernel).toBe(kernel)
    expect(Array.isArray(facts.loaded)).toBe(true)
    expect(['pass', 'warn', 'fail']).toContain(natFinding(facts).status)
  })
})

describe('engine.json mirrors', () => {
  const host = (modified: string) => ({path: '/home/u/.config/dagger/engine.json', config: parseEngineConfig('{"registries":{"docker.io":{"mirrors":["mirror.gcr.io"]}}}'), modified: new Date(modified)})

  it('parses mirrors and refuses broken JSON', () => {
    expect(parseEngineConfig('{"registries":{"docker.io":{"mirrors":["mirror.gcr.io"]}},"logLevel":"debug"}')).toEqual({mirrors: {'docker.io': ['mirror.gcr.io']}})
    expect(parseEngineConfig('{"registries":')).toBeNull()
  })

  it('says a provisioned engine started before the file changed, or without it mounted, must be re-provisioned', () => {
    const findings = engineConfigFindings({
      host: host('2026-12-02T10:00:00Z'),
      provisioned: [
        {name: 'dagger-engine-v0.19.2', started: new Date('2026-12-01T09:00:00Z'), mountsHostConfig: true},
        {name: 'dagger-engine-v0.18.0', started: new Date('2026-12-02T11:00:00Z'), mountsHostConfig: false},
        {name: 'dagger-engine-v0.19.1', started: new Date('2026-12-02T11:00:00Z'), mountsHostConfig: true},
      ],
    })
    expect(findings.map((f) => f.id)).toEqual(['engine-json-not-applied'])
    expect(findings[0]?.title).toContain('dagger-engine-v0.19.2, dagger-engine-v0.18.0')
    expect(findings[0]?.title).not.toContain('v0.19.1')
  })

  it('compares the dev engine\'s baked engine.json with the host\'s', () => {
    const same = engineConfigFindings({host: host('2026-12-02T10:00:00Z'), provisioned: [], dev: {name: 'dagger-engine.dev', config: parseEngineConfig('{"registries":{"docker.io":{"mirrors":["mirror.gcr.io"]}}}')}})
    expect(same.map((f) => [f.id, f.status])).toEqual([['dev-engine-json', 'pass']])
    const other = {path: '/x', config: parseEngineConfig('{"registries":{"ghcr.io":{"mirrors":["ghcr-mirror.corp.test"]}}}'), modified: new Date()}
    const differs = engineConfigFindings({host: other, provisioned: [], dev: {name: 'dagger-engine.dev', config: parseEngineConfig('{"registries":{"docker.io":{"mirrors":["mirror.gcr.io"]}}}')}})
    expect(differs.map((f) => f.id)).toEqual(['dev-engine-json-differs'])
  })
})

describe('restart policy after a reboot', () => {
  const boot = new Date('2026-12-02T08:00:00Z')
  const base = {name: 'dagger-engine.dev', status: 'exited', restartPolicy: '', exitCode: 255, oomKilled: false}

  it('reads the boot time from /proc/stat', () => {
    expect(bootTimeFrom('cpu  1 2 3\nbtime 1764662400\nprocesses 1\n')).toEqual(new Date(1764662400 * 1000))
    expect(bootTimeFrom(readFileSync('/proc/stat', 'utf8'))?.getTime()).toBeLessThan(Date.now())
  })

  it('tells an engine down since before the boot without a policy from one stopped since, and a killed one', () => {
    expect(restartFinding({...base, finishedAt: new Date('2026-12-01T20:00:00Z')}, boot)?.id).toBe('dev-engine-down-after-reboot')
    expect(restartFinding({...base, finishedAt: new Date('2026-12-02T09:00:00Z')}, boot)?.id).toBe('dev-engine-not-running')
    expect(restartFinding({...base, exitCode: 137, oomKilled: true, finishedAt: null}, boot)?.id).toBe('dev-engine-killed')
    expect(restartFinding({...base, status: 'running', finishedAt: null}, boot)).toBeNull()
  })
})

describe('data-root disk against the engine cache GC', () => {
  it('keeps to the GC thresholds', () => {
    expect(dataRootFinding({path: '/var/lib/docker', totalBytes: 100e9, freeBytes: 50e9}).status).toBe('pass')
    expect(dataRootFinding({path: '/var/lib/docker', totalBytes: 100e9, freeBytes: 15e9})).toMatchObject({id: 'data-root-disk-low', status: 'warn', recipe: 'clean-old-engines'})
    expect(dataRootFinding({path: '/var/lib/docker', totalBytes: 100e9, freeBytes: 5e9}).status).toBe('fail')
    // A small disk: 10% of 40 GB is reserved, not 10 GB.
    expect(dataRootFinding({path: '/v', totalBytes: 40e9, freeBytes: 5e9}).status).toBe('warn')
  })

  it('reports the same free space as df on a real filesystem', () => {
    const dir = tempDir()
    const s = statfsSync(dir)
    const df = execFileSync('df', ['-B1', '--output=size,avail', dir], {encoding: 'utf8'}).trim().split('\n')[1]?.trim().split(/\s+/).map(Number) ?? []
    const f = dataRootFinding({path: dir, totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize})
    expect(s.blocks * s.bsize).toBe(df[0])
    // Free space moves while other tests write: within 64 MB of df.
    expect(Math.abs(s.bavail * s.bsize - (df[1] ?? 0))).toBeLessThan(64 * 1024 * 1024)
    expect(f.title).toContain(dir)
  })
})

describe('proxy environment of the engine container', () => {
  it('warns when the shell has a proxy the engine lacks, without showing credentials', () => {
    const f = engineProxyFinding('dagger-engine.dev', {HTTPS_PROXY: 'http://user:secret@proxy.corp.test:3128'}, envRecord(['PATH=/usr/bin']))
    expect(f?.id).toBe('engine-proxy-env-missing')
    expect(f?.title).toContain('proxy.corp.test:3128')
    expect(JSON.stringify(f)).not.toContain('secret')
    expect(engineProxyFinding('e', {https_proxy: 'http://p:1'}, envRecord(['HTTPS_PROXY=http://p:1']))).toBeNull()
    expect(engineProxyFinding('e', {}, {})).toBeNull()
  })
})
