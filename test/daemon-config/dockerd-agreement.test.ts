/**
The linter against dockerd itself: a second, throw-away dockerd is started on each config. Configs
the linter accepts (no `fail` finding, judged as the installed dockerd's release with the test
daemon's own flags) must start it; configs it rejects must make it refuse. Every file the reset
writes is in the accepted set. The drift checks run against the same daemon.
*/
import {execaSync} from 'execa'
import {mkdtemp, readFile, rm, utimes, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {daemonCell} from '../../src/cells/daemon.js'
import {compareWithDaemon, type DaemonInfo} from '../../src/core/daemon-config/drift.js'
import {parseDockerdArgs} from '../../src/core/daemon-config/flags.js'
import {lintDaemonConfig} from '../../src/core/daemon-config/lint.js'
import {daemonForSocket, findDockerdProcesses} from '../../src/core/daemon-config/proc.js'
import {planReset, suggestedResetKeys, writeResetPlan} from '../../src/core/daemon-config/reset.js'
import {formatVersion, parseEngineVersion, type EngineVersion} from '../../src/core/daemon-config/version.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {main} from '../../src/cli/commands/daemon-config.js'
import type {CliIO} from '../../src/cli/io.js'
import {PassThrough} from 'node:stream'
import {skipWithoutDocker} from '../helpers/docker.js'
import {lab, labAvailable} from '../lab/lab.js'
import {PREFIX, createSecondDockerd, type Attempt, type DockerdBinary, type SecondDockerd} from './second-dockerd.js'
import {testContext} from '../helpers/cell-context.js'

// The dockerd whose verdict counts: the system's for the system engine; for the lab's 26.1
// engines, the same 26.1 binary started on a throwaway data-root and socket.
function engineDockerd(): DockerdBinary {
  const engine = labAvailable() ? lab().engine : undefined
  return engine?.dockerd === undefined ? {dockerd: 'dockerd', binDirs: []} : {dockerd: engine.dockerd, binDirs: engine.binDirs ?? []}
}

function dockerdVersion(): EngineVersion | undefined {
  try {
    return parseEngineVersion(/version\s+([\d.]+)/i.exec(execaSync(engineDockerd().dockerd, ['--version'], {timeout: 10_000}).stdout)?.[1])
  } catch {
    return undefined
  }
}

const b = (...parts: (string | number[])[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p)] : p)))

/** Configs to try: each is linted, then given to dockerd. */
const CONFIGS: readonly {name: string; content: string | Uint8Array}[] = [
  // Expected to be accepted by both.
  {name: 'empty object', content: '{}'},
  {name: 'debug', content: '{"debug": true}'},
  {name: 'default downloads', content: '{"max-concurrent-downloads": 3}'},
  {name: 'raised downloads (risky but valid)', content: '{\n  "max-concurrent-downloads": 10,\n  "max-concurrent-uploads": 10,\n  "max-download-attempts": 1\n}'},
  {name: 'loopback mirror', content: '{"registry-mirrors": ["https://127.0.0.1:5999"]}'},
  {name: 'insecure registry', content: '{"insecure-registries": ["127.0.0.1:5000", "10.99.0.0/16"]}'},
  {name: 'insecure registry with http:// (stripped)', content: '{"insecure-registries": ["http://127.0.0.1:5000"]}'},
  {name: 'snapshotter feature (20.10 ignores it)', content: '{"features": {"containerd-snapshotter": true}}'},
  {name: 'address pools', content: '{"default-address-pools": [{"base": "10.123.0.0/16", "size": 24}]}'},
  {name: 'labels and log opts', content: '{"labels": ["team=dx"], "log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"}}'},
  {name: 'cgroupfs driver', content: '{"exec-opts": ["native.cgroupdriver=cgroupfs"]}'},
  {name: 'duplicate key', content: '{"debug": true, "debug": false}'},
  {name: 'null root', content: 'null'},
  {name: 'unknown object of known names', content: '{"daemon": {"debug": true}}'},
  {name: 'mtu and dns', content: '{"mtu": 1400, "dns": ["192.0.2.53"]}'},
  {name: 'deprecated keys 20.10 still takes', content: '{"cluster-store": "", "api-cors-header": ""}'},
  {name: 'ipv6 with a subnet', content: '{"ipv6": true, "fixed-cidr-v6": "fd00:dead:beef::/64"}'},
  {name: 'shutdown and live-restore', content: '{"shutdown-timeout": 5, "live-restore": true, "log-level": "debug"}'},
  {name: 'ulimits', content: '{"default-ulimits": {"nofile": {"Name": "nofile", "Hard": 4096, "Soft": 1024}}}'},
  {name: 'vfs storage driver', content: '{"storage-driver": "vfs"}'},
  {name: 'cgroupns and ipc modes', content: '{"default-cgroupns-mode": "private", "default-ipc-mode": "shareable"}'},
  {name: 'flag spelling (accepted, then ignored)', content: '{"registry-mirror": ["https://127.0.0.1:5999"], "label": ["a=b"]}'},
  // Version-dependent: accepted or refused depending on the installed release.
  {name: 'empty file', content: ''},
  {name: 'byte-order mark', content: b([0xef, 0xbb, 0xbf], '{"debug": true}')},
  {name: 'comment after the object', content: '{"debug": true}\n// end'},
  {name: 'unknown exec-opt', content: '{"exec-opts": ["foo=bar"]}'},
  {name: 'negative mtu', content: '{"mtu": -1}'},
  {name: 'proxies', content: '{"proxies": {"http-proxy": "http://127.0.0.1:3128"}}'},
  {name: 'top-level proxy key', content: '{"https-proxy": "http://127.0.0.1:3128"}'},
  {name: 'log-format', content: '{"log-format": "json"}'},
  {name: 'ip6tables without experimental', content: '{"ip6tables": true}'},
  {name: 'mirror without scheme', content: '{"registry-mirrors": ["mirror.invalid"]}'},
  {name: 'no download retries (20.10 refuses 0, 26.1 takes it)', content: '{"max-download-attempts": 0}'},
  // Expected to be refused by both.
  {name: 'trailing comma', content: '{\n  "debug": true,\n}'},
  {name: 'comment inside', content: '{\n  // note\n  "debug": true\n}'},
  {name: 'missing comma', content: '{"debug": true "ipv6": false}'},
  {name: 'list root', content: '[]'},
  {name: 'binary', content: b([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0xff, 0xfe])},
  {name: 'unknown key', content: '{"max-concurent-downloads": 3}'},
  {name: 'wrong case', content: '{"Debug": true}'},
  {name: 'struct spelling of plugin namespace', content: '{"containerd-plugin-namespace": "x"}'},
  {name: 'number as string', content: '{"max-concurrent-downloads": "10"}'},
  {name: 'fraction', content: '{"max-concurrent-downloads": 2.5}'},
  {name: 'negative downloads', content: '{"max-concurrent-downloads": -1}'},
  {name: 'bad log level', content: '{"log-level": "verbose"}'},
  {name: 'dns not an IP', content: '{"dns": ["dns.invalid"]}'},
  {name: 'mirror with a path', content: '{"registry-mirrors": ["https://127.0.0.1:5999/v2/"]}'},
  {name: 'mirror with a query', content: '{"registry-mirrors": ["https://127.0.0.1:5999/?x=1"]}'},
  {name: 'mirror with credentials', content: '{"registry-mirrors": ["https://u:p@127.0.0.1:5999"]}'},
  {name: 'insecure registry with another scheme', content: '{"insecure-registries": ["ftp://127.0.0.1:5000"]}'},
  {name: 'insecure registry with a hyphen', content: '{"insecure-registries": ["-bad-"]}'},
  {name: 'bad cgroup driver', content: '{"exec-opts": ["native.cgroupdriver=foo"]}'},
  {name: 'unknown storage driver', content: '{"storage-driver": "nosuch"}'},
  {name: 'log-opts number', content: '{"log-opts": {"max-file": 3}}'},
  {name: 'label without =', content: '{"labels": ["team"]}'},
  {name: 'bad cgroupns mode', content: '{"default-cgroupns-mode": "bogus"}'},
  {name: 'bad ipc mode', content: '{"default-ipc-mode": "bogus"}'},
  {name: 'bool as string', content: '{"debug": "yes"}'},
  {name: 'ip not an IP', content: '{"ip": "not-an-ip"}'},
  {name: 'hosts clash with -H', content: '{"hosts": ["unix:///tmp/dx-other.sock"]}'},
  {name: 'bridge clash with --bridge', content: '{"bridge": "none"}'},
  {name: 'pool size below its prefix', content: '{"default-address-pools": [{"base": "10.123.0.0/16", "size": 8}]}'},
]

/** Risky files the reset rewrites; what it writes must start dockerd. */
const RESET_INPUTS: readonly {name: string; content: string}[] = [
  {name: 'field report', content: '{\n  "max-concurrent-downloads": 12,\n  "debug": true\n}\n'},
  {name: 'several risks', content: '{\n  "registry-mirrors": ["https://127.0.0.1:5999"],\n  "max-concurrent-downloads": 20,\n  "mtu": 9000,\n  "dns": ["192.0.2.53"],\n  "ipv6": false\n}\n'},
  {name: 'refused keys', content: '{\n  "debug": true,\n  "Debug": true,\n  "max-concurrent-downloads": "10",\n  "proxies": {"http-proxy": "http://127.0.0.1:3128"}\n}\n'},
  {name: 'comments and trailing commas', content: '{\n  // raised for speed\n  "max-concurrent-downloads": 10,\n  "labels": ["a=b"],\n}\n'},
  {name: 'last key dropped', content: '{"debug": false, "max-concurrent-uploads": 50}'},
  {name: 'only key dropped', content: '{\n  "max-concurrent-downloads": 10\n}\n'},
]

interface Row {
  readonly name: string
  readonly linter: 'accepts' | 'rejects'
  readonly dockerd: Attempt['outcome']
  readonly ms: number
  readonly agree: boolean
  readonly why: string
}

/** A second dockerd needs root; under CI that is required, elsewhere the suite is skipped without it. */
function skipWithoutRoot(): boolean {
  if (process.getuid?.() === 0) return false
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error('The dockerd agreement tests start a second dockerd, which needs root, and CI=true is set: run the suite as root.')
  return true
}

describe.skipIf(skipWithoutDocker() || skipWithoutRoot())('agreement with a real dockerd', () => {
  const version = dockerdVersion()
  let work: string
  let daemon: SecondDockerd
  const rows: Row[] = []
  const stopTimes: number[] = []

  beforeAll(async () => {
    if (version === undefined) throw new Error('dockerd is not installed here (dockerd --version failed); these tests start a second dockerd.')
    work = await mkdtemp(path.join(os.tmpdir(), PREFIX))
    daemon = await createSecondDockerd(path.join(work, 'daemon.json'), [], engineDockerd())
  })

  afterAll(async () => {
    await daemon?.cleanup()
    if (work !== undefined) await rm(work, {recursive: true, force: true})
    if (rows.length > 0) {
      const agreed = rows.filter((r) => r.agree).length
      const started = rows.filter((r) => r.dockerd === 'started')
      const refused = rows.filter((r) => r.dockerd === 'refused')
      const avg = (list: Row[]) => (list.length === 0 ? 0 : Math.round(list.reduce((s, r) => s + r.ms, 0) / list.length))
      const max = (list: Row[]) => list.reduce((m, r) => Math.max(m, r.ms), 0)
      console.log(
        [
          `dockerd ${version === undefined ? '?' : formatVersion(version)}: the linter agreed with dockerd on ${agreed} of ${rows.length} configs.`,
          `  started: ${started.length} (average ${avg(started)} ms to answer /info, slowest ${max(started)} ms); refused: ${refused.length} (average ${avg(refused)} ms to exit, slowest ${max(refused)} ms); stopping a started one took ${stopTimes.length === 0 ? 0 : Math.round(stopTimes.reduce((a, b) => a + b, 0) / stopTimes.length)} ms on average`,
          ...rows.map((r) => `  ${r.agree ? 'agree   ' : 'DISAGREE'} ${r.linter.padEnd(7)} ${r.dockerd.padEnd(7)} ${String(r.ms).padStart(5)} ms  ${r.name}${r.why ? `  — ${r.why.slice(0, 160)}` : ''}`),
        ].join('\n'),
      )
    }
  }, 120_000)

  async function tryConfig(name: string, content: string | Uint8Array): Promise<Row> {
    await writeFile(daemon.configFile, content)
    const lint = lintDaemonConfig(content, {...(version === undefined ? {} : {target: version}), flags: parseDockerdArgs(daemon.argv).settings, risks: false})
    const attempt = await daemon.start()
    const stopMs = await daemon.stop()
    if (attempt.outcome === 'started') stopTimes.push(stopMs)
    const linter = lint.valid ? 'accepts' : 'rejects'
    const agree = (linter === 'accepts' && attempt.outcome === 'started') || (linter === 'rejects' && attempt.outcome === 'refused')
    const why = agree ? (lint.valid ? '' : lint.findings.filter((f) => f.status === 'fail').map((f) => f.id).join(',')) : `linter: ${lint.findings.map((f) => `${f.id}/${f.status}`).join(', ') || 'no findings'}; dockerd: ${attempt.message}`
    const row: Row = {name, linter, dockerd: attempt.outcome, ms: attempt.ms, agree, why}
    rows.push(row)
    return row
  }

  test('dockerd starts on every config the linter accepts and refuses every config it rejects', async () => {
    for (const c of CONFIGS) await tryConfig(c.name, c.content)
    const disagreements = rows.filter((r) => !r.agree)
    expect(disagreements, disagreements.map((r) => `${r.name}: ${r.why}`).join('\n')).toEqual([])
    expect(rows.some((r) => r.dockerd === 'started')).toBe(true)
    expect(rows.some((r) => r.dockerd === 'refused')).toBe(true)
  }, 600_000)

  test('every file the reset writes starts dockerd', async () => {
    for (const input of RESET_INPUTS) {
      const file = path.join(work, `reset-${rows.length}.json`)
      await writeFile(file, input.content)
      const lint = lintDaemonConfig(input.content, version === undefined ? {} : {target: version})
      const keys = suggestedResetKeys(lint)
      expect(keys.length, input.name).toBeGreaterThan(0)
      const plan = planReset(file, input.content, keys)
      const outcome = await writeResetPlan(plan, new Date(), work)
      expect(outcome.written).toBe(true)
      const written = await readFile(file, 'utf8')
      expect(written).toBe(plan.after)
      expect(await readFile(outcome.backup, 'utf8')).toBe(input.content)
      const row = await tryConfig(`reset output: ${input.name} (dropped ${keys.join(', ')})`, written)
      expect(row.linter, row.why).toBe('accepts')
      expect(row.dockerd, row.why).toBe('started')
    }
  }, 300_000)

  test('drift: an edit without restart is reported, and clears after a restart', async () => {
    const before = {'registry-mirrors': ['https://127.0.0.1:5999'], 'max-concurrent-downloads': 3}
    await writeFile(daemon.configFile, JSON.stringify(before, null, 2))
    expect((await daemon.start()).outcome).toBe('started')
    const flags = parseDockerdArgs(daemon.argv).settings
    const compare = async (config: Record<string, unknown>) => {
      const processes = await findDockerdProcesses()
      const proc = daemonForSocket(processes, daemon.socket)
      const mtime = (await import('node:fs/promises')).stat(daemon.configFile)
      return compareWithDaemon({config, info: (await daemon.info()) as DaemonInfo, flags, file: daemon.configFile, fileMtimeMs: (await mtime).mtimeMs, ...(proc?.startedAtMs === undefined ? {} : {daemonStartedMs: proc.startedAtMs})})
    }
    // The file's mtime is set to the start so a fast machine does not look "edited after start".
    await utimes(daemon.configFile, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000))
    expect((await compare(before)).findings).toEqual([])

    // Edit a key /info shows, without restarting.
    const edited = {...before, 'registry-mirrors': ['https://127.0.0.1:5998']}
    await writeFile(daemon.configFile, JSON.stringify(edited, null, 2))
    const drift = await compare(edited)
    expect(drift.findings.map((f) => f.id)).toEqual(['daemon-config-drift'])
    expect(drift.findings[0]?.detail).toContain('registry-mirrors')

    // The cell, pointed at the test daemon, finds the file through dockerd's --config-file and reports the same.
    const recorder = new Recorder()
    await daemonCell.run(await testContext({env: {...process.env, DOCKER_HOST: daemon.host, DOCKER_CONTEXT: ''}, recorder, notesDir: work}))
    const facts = Object.fromEntries(recorder.facts.map((f) => [f.label, f.value]))
    expect(facts['Config file']).toBe(daemon.configFile)
    expect(facts['Why this file']).toContain('--config-file')
    expect(recorder.findings.map((f) => f.id)).toContain('daemon-config-drift')

    // A key /info does not show: caught by the file being newer than the daemon.
    await new Promise((r) => setTimeout(r, 1200))
    const hidden = {...before, 'max-concurrent-downloads': 5}
    await writeFile(daemon.configFile, JSON.stringify(hidden, null, 2))
    expect((await compare(hidden)).findings.map((f) => f.id)).toEqual(['daemon-config-edited-after-start'])

    // Restart: both clear.
    await writeFile(daemon.configFile, JSON.stringify(edited, null, 2))
    expect((await daemon.start()).outcome).toBe('started')
    expect((await compare(edited)).findings).toEqual([])
    const after = new Recorder()
    await daemonCell.run(await testContext({env: {...process.env, DOCKER_HOST: daemon.host, DOCKER_CONTEXT: ''}, recorder: after, signal: after.signal, notesDir: work}))
    expect(after.findings.map((f) => f.id)).not.toContain('daemon-config-drift')
    expect(after.findings.map((f) => f.id)).toContain('daemon-config-in-force')
    await daemon.stop()
  }, 120_000)
  test('reset of the file in force: located through dockerd, written, restart advised, then the re-check sees it', async () => {
    await writeFile(daemon.configFile, '{\n  "registry-mirrors": ["https://127.0.0.1:5999"],\n  "max-concurrent-downloads": 10\n}\n')
    expect((await daemon.start()).outcome).toBe('started')
    const run = async (argv: string[]) => {
      const stdout = new PassThrough()
      let out = ''
      stdout.on('data', (c: Buffer) => (out += c.toString()))
      const io: CliIO = {stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {...process.env, DOCKER_HOST: daemon.host, DOCKER_CONTEXT: ''}, cwd: work, color: false, interactive: false}
      const code = await main(argv, io)
      return {code, out}
    }
    const reset = await run(['reset', '--drop', 'registry-mirrors', '--drop', 'max-concurrent-downloads', '--yes'])
    expect(reset.code).toBe(0)
    expect(reset.out).toContain(`Wrote ${daemon.configFile}`)
    expect(reset.out).toMatch(/Then restart the daemon: (sudo systemctl restart docker\.service|sudo kill \d+ && sudo (\S*\/)?dockerd )/)
    expect(await readFile(daemon.configFile, 'utf8')).toBe('{}\n')

    // Not restarted yet: the lint of the file in force reports the drift.
    const before = JSON.parse((await run(['--json'])).out) as {file: string; source: string; findings: {id: string}[]}
    expect(before).toMatchObject({file: daemon.configFile, source: 'dockerd-flag'})
    expect(before.findings.map((f) => f.id)).toContain('daemon-config-drift')

    expect((await daemon.start()).outcome).toBe('started')
    const after = JSON.parse((await run(['--json'])).out) as {valid: boolean; findings: {id: string}[]}
    expect(after.findings.map((f) => f.id).filter((id) => !id.startsWith('data-root'))).toEqual(['daemon-config-in-force'])
    expect(after.valid).toBe(true)
    await daemon.stop()
  }, 120_000)
  test('interactive reset: pick keys, confirm, restart, and the re-check confirms the daemon picked it up', async () => {
    await writeFile(daemon.configFile, '{\n  "registry-mirrors": ["https://127.0.0.1:5999"],\n  "max-concurrent-downloads": 10,\n  "debug": true\n}\n')
    expect((await daemon.start()).outcome).toBe('started')
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    const stdin = new PassThrough()
    let out = ''
    // The questions come on stderr (issue 13: results to stdout, prompts to stderr).
    let asked = ''
    const prompts: string[] = []
    stdout.on('data', (c: Buffer) => {
      out += c.toString()
    })
    stderr.on('data', (c: Buffer) => {
      asked += c.toString()
    })
    // Answer each question when it appears: keep the mirror, set downloads back to 3, write, then restart and press Enter.
    const answers: [RegExp, () => Promise<string>][] = [
      [/registry-mirrors = .*drop it\? \[Y\/n.*\] $/, async () => 'n'],
      [/max-concurrent-downloads = 10 .*\[Y\/n\/d = set back to 3\] $/, async () => 'd'],
      [/Write this to .*\[y\/N\] $/, async () => 'y'],
      [
        /Press Enter once the daemon has restarted/,
        async () => {
          expect((await daemon.start()).outcome).toBe('started')
          return ''
        },
      ],
    ]
    const feeder = (async () => {
      for (const [pattern, answer] of answers) {
        const deadline = Date.now() + 30_000
        while (!pattern.test(asked.slice(asked.lastIndexOf('\n') + 1)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
        prompts.push(asked.slice(asked.lastIndexOf('\n') + 1))
        stdin.write(`${await answer()}\n`)
      }
    })()
    const io: CliIO = {stdout, stderr, stdin, env: {...process.env, DOCKER_HOST: daemon.host, DOCKER_CONTEXT: ''}, cwd: work, color: false, interactive: true}
    const code = await main(['reset'], io)
    await feeder
    expect(prompts).toHaveLength(4)
    expect(out).not.toMatch(/drop it\?|Write this to|Press Enter once/)
    expect(code, out).toBe(0)
    expect(await readFile(daemon.configFile, 'utf8')).toBe('{\n  "registry-mirrors": ["https://127.0.0.1:5999"],\n  "max-concurrent-downloads": 3,\n  "debug": true\n}\n')
    expect(out).toContain('✓ The daemon runs with the new file.')
    await daemon.stop()
  }, 120_000)
})
