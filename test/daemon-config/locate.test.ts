import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, test} from 'vitest'
import {compareWithDaemon} from '../../src/core/daemon-config/drift.js'
import {dataRootSpace, spaceFindings} from '../../src/core/daemon-config/disk.js'
import {parseDockerdArgs, splitCommandLine} from '../../src/core/daemon-config/flags.js'
import {locateDaemonConfig} from '../../src/core/daemon-config/locate.js'
import {daemonForSocket, findDockerdProcesses, listenSockets} from '../../src/core/daemon-config/proc.js'
import {expandExecStart, mergeServiceFiles, parseEnvironmentFile, proxyEnvironment, readDockerService, withEnvironmentFiles} from '../../src/core/daemon-config/systemd.js'

const base = {cwd: '/home/u/src', home: '/home/u', env: {}, endpointLocal: true}

describe('which daemon.json is in force', () => {
  test('a named file wins', () => {
    expect(locateDaemonConfig({...base, explicit: 'my.json'})).toMatchObject({file: '/home/u/src/my.json', source: 'argument'})
  })
  test("the running dockerd's --config-file, relative to its working directory", () => {
    const found = locateDaemonConfig({...base, localDaemon: {pid: 7, argv: ['/usr/bin/dockerd', '--config-file=conf/d.json'], cwd: '/srv'}})
    expect(found).toMatchObject({file: '/srv/conf/d.json', source: 'dockerd-flag'})
    expect(found.why).toContain('pid 7')
    expect(locateDaemonConfig({...base, localDaemon: {pid: 7, argv: ['dockerd', '--config-file', '/etc/alt.json']}}).file).toBe('/etc/alt.json')
  })
  test('rootless from docker info security options, honouring XDG_CONFIG_HOME', () => {
    const opts = ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns']
    expect(locateDaemonConfig({...base, securityOptions: opts})).toMatchObject({file: '/home/u/.config/docker/daemon.json', source: 'rootless'})
    expect(locateDaemonConfig({...base, securityOptions: opts, env: {XDG_CONFIG_HOME: '/x/cfg'}}).file).toBe('/x/cfg/docker/daemon.json')
  })
  test('Docker Desktop keeps it in ~/.docker', () => {
    expect(locateDaemonConfig({...base, endpointLocal: false, operatingSystem: 'Docker Desktop'})).toMatchObject({file: '/home/u/.docker/daemon.json', source: 'docker-desktop', elsewhere: true})
  })
  test('the default, with the reason', () => {
    expect(locateDaemonConfig({...base, localDaemon: {pid: 9, argv: ['dockerd', '-H', 'fd://']}})).toMatchObject({file: '/etc/docker/daemon.json', source: 'default'})
    expect(locateDaemonConfig({...base, endpointLocal: false}).elsewhere).toBe(true)
  })
})

describe('dockerd command lines', () => {
  test('flags are named the way daemon.json names them', () => {
    const parsed = parseDockerdArgs(['dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock', '-D', '--label', 'a=b', '--bridge=none', '--iptables=false', '--https-proxy', 'http://p:3128', '-s', 'overlay2'])
    expect(parsed.settings.map((s) => [s.key, s.value])).toEqual([
      ['hosts', 'fd://'],
      ['containerd', '/run/containerd/containerd.sock'],
      ['debug', 'true'],
      ['labels', 'a=b'],
      ['bridge', 'none'],
      ['iptables', 'false'],
      ['proxies.https-proxy', 'http://p:3128'],
      ['storage-driver', 'overlay2'],
    ])
  })
  test('sockets a dockerd listens on', () => {
    expect(listenSockets(['dockerd'])).toEqual(['/var/run/docker.sock'])
    expect(listenSockets(['dockerd', '-H', 'unix:///tmp/a.sock', '-H', 'tcp://127.0.0.1:2375'])).toEqual(['/tmp/a.sock'])
    const daemons = [
      {pid: 1, argv: ['dockerd', '-H', 'unix:///tmp/a.sock']},
      {pid: 2, argv: ['dockerd', '-H', 'fd://']},
    ]
    expect(daemonForSocket(daemons, '/tmp/a.sock')?.pid).toBe(1)
    expect(daemonForSocket(daemons, '/run/docker.sock')?.pid).toBe(2)
  })
  test('the running daemons are found in /proc with their start time', async () => {
    const found = await findDockerdProcesses()
    for (const d of found) {
      expect(d.argv[0]).toMatch(/dockerd$/)
      expect(d.startedAtMs).toBeLessThanOrEqual(Date.now())
    }
  })
})

describe('docker.service and its drop-ins', () => {
  test('drop-ins override ExecStart (after an empty reset) and add Environment', () => {
    const merged = mergeServiceFiles([
      {path: '/lib/systemd/system/docker.service', text: '[Unit]\nDescription=Docker\n[Service]\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\nEnvironment=FOO=1\n'},
      {path: '/etc/systemd/system/docker.service.d/http-proxy.conf', text: '[Service]\nEnvironment="HTTP_PROXY=http://proxy.example:3128" "NO_PROXY=localhost,127.0.0.1"\nEnvironment=HTTPS_PROXY=http://u:p%%40@proxy.example:3128\n'},
      {path: '/etc/systemd/system/docker.service.d/override.conf', text: '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd \\\n  --config-file /etc/docker/alt.json\n'},
    ])
    expect(merged.execStart).toEqual(['/usr/bin/dockerd', '--config-file', '/etc/docker/alt.json'])
    expect(merged.execStartFile).toBe('/etc/systemd/system/docker.service.d/override.conf')
    expect(merged.environment).toEqual({FOO: '1', HTTP_PROXY: 'http://proxy.example:3128', NO_PROXY: 'localhost,127.0.0.1', HTTPS_PROXY: 'http://u:p%40@proxy.example:3128'})
    expect(proxyEnvironment(merged.environment)).toEqual({http: 'http://proxy.example:3128', https: 'http://u:p%40@proxy.example:3128', no: 'localhost,127.0.0.1'})
  })
  test("Debian's $DOCKER_OPTS from /etc/default/docker is expanded into flags", async () => {
    const env = parseEnvironmentFile('# Docker Upstart and SysVinit configuration file\nexport DOCKER_OPTS="--dns 192.0.2.53 --mtu 1400"\nX=\'y z\'\n')
    expect(env).toEqual({DOCKER_OPTS: '--dns 192.0.2.53 --mtu 1400', X: 'y z'})
    expect(expandExecStart(['/usr/sbin/dockerd', '-H', 'fd://', '$DOCKER_OPTS', '--label=x=${X}'], env)).toEqual(['/usr/sbin/dockerd', '-H', 'fd://', '--dns', '192.0.2.53', '--mtu', '1400', '--label=x=y z'])
    const root = await mkdtemp(path.join(os.tmpdir(), 'dx-daemoncfg-envfile-'))
    try {
      await mkdir(path.join(root, 'etc/default'), {recursive: true})
      await writeFile(path.join(root, 'etc/default/docker'), 'DOCKER_OPTS="--mtu 1400"\n')
      const merged = mergeServiceFiles([{path: '/lib/systemd/system/docker.service', text: '[Service]\nEnvironmentFile=-/etc/default/docker\nEnvironmentFile=-/etc/default/missing\nExecStart=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS\n'}])
      const {settings, read} = await withEnvironmentFiles(merged, root)
      expect(read.map((r) => r.path)).toEqual(['/etc/default/docker'])
      expect(settings.execStart).toEqual(['/usr/sbin/dockerd', '-H', 'fd://', '--mtu', '1400'])
    } finally {
      await rm(root, {recursive: true, force: true})
    }
  })
  test('ExecStart prefixes and quotes', () => {
    expect(splitCommandLine('-/usr/bin/dockerd --label "a=b c" -H fd://')).toEqual(['/usr/bin/dockerd', '--label', 'a=b c', '-H', 'fd://'])
  })
  test('reads the unit and drop-ins from a root folder in systemd order', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dx-daemoncfg-unit-'))
    try {
      await mkdir(path.join(root, 'lib/systemd/system'), {recursive: true})
      await mkdir(path.join(root, 'etc/systemd/system/docker.service.d'), {recursive: true})
      await writeFile(path.join(root, 'lib/systemd/system/docker.service'), '[Service]\nExecStart=/usr/bin/dockerd -H fd://\n')
      await writeFile(path.join(root, 'etc/systemd/system/docker.service.d/10-proxy.conf'), '[Service]\nEnvironment=HTTPS_PROXY=http://127.0.0.1:3128\n')
      const files = await readDockerService(false, '/home/u', {}, root)
      expect(files.map((f) => f.path)).toEqual(['/lib/systemd/system/docker.service', '/etc/systemd/system/docker.service.d/10-proxy.conf'])
    } finally {
      await rm(root, {recursive: true, force: true})
    }
  })
})

describe('drift against /info', () => {
  const info = {
    RegistryConfig: {Mirrors: ['https://m.example/'], InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {'docker.io': {Name: 'docker.io', Secure: true}}},
    HttpsProxy: 'http://xxxxx:xxxxx@proxy.example:3128',
    LiveRestoreEnabled: false,
    Debug: true,
    CgroupDriver: 'systemd',
  }
  test('matching file: no findings', () => {
    const r = compareWithDaemon({config: {'registry-mirrors': ['https://m.example'], proxies: {'https-proxy': 'http://user:secret@proxy.example:3128'}, 'exec-opts': ['native.cgroupdriver=systemd']}, info, file: 'f', flags: [{flag: '-D', name: 'debug', key: 'debug', value: 'true'}]})
    expect(r.findings).toEqual([])
    expect(r.checks.every((c) => c.same)).toBe(true)
  })
  test('an edited file: one finding naming each difference', () => {
    const r = compareWithDaemon({config: {'registry-mirrors': [], 'insecure-registries': ['10.1.0.0/16'], 'live-restore': true, debug: true}, info, file: '/etc/docker/daemon.json'})
    expect(r.findings.map((f) => f.id)).toEqual(['daemon-config-drift'])
    expect(r.findings[0]?.key).toBe('registry-mirrors, insecure-registries, live-restore')
    expect(r.findings[0]?.fix).toContain('reload')
  })
})

describe('data-root space', () => {
  test('statfs of a real folder, and the thresholds', async () => {
    const space = await dataRootSpace(os.tmpdir())
    expect(space.totalBytes).toBeGreaterThan(0)
    expect(space.fsType).toBeTruthy()
    expect(spaceFindings({...space, freeBytes: 1024 ** 3}).map((f) => f.status)).toEqual(['fail'])
    expect(spaceFindings({...space, freeBytes: 10 * 1024 ** 3}).map((f) => f.status)).toEqual(['warn'])
    expect(spaceFindings({...space, freeBytes: 100 * 1024 ** 3})).toEqual([])
  })
})
