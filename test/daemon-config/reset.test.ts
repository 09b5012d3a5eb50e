import {execa} from 'execa'
import {chmod, mkdtemp, readFile, readdir, rm, stat, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {unifiedDiff} from '../../src/core/daemon-config/diff.js'
import {lintDaemonConfig} from '../../src/core/daemon-config/lint.js'
import {ResetError, backupName, checkPlan, planReset, recheckAfterRestart, restartAdvice, shellQuote, suggestedResetKeys, writeResetPlan} from '../../src/core/daemon-config/reset.js'

const FIELD_REPORT = '{\n  "debug": true,\n  "max-concurrent-downloads": 12,\n  "registry-mirrors": ["https://mirror.example"],\n  "log-driver": "json-file"\n}\n'

describe('reset plan', () => {
  test('drops the chosen keys, keeps the rest byte for byte, and shows a unified diff', () => {
    const plan = planReset('/etc/docker/daemon.json', FIELD_REPORT, ['max-concurrent-downloads', 'registry-mirrors'])
    expect(plan.after).toBe('{\n  "debug": true,\n  "log-driver": "json-file"\n}\n')
    expect(plan.reformatted).toBe(false)
    expect(plan.diff).toBe(
      [
        '--- /etc/docker/daemon.json',
        '+++ /etc/docker/daemon.json (after reset)',
        '@@ -1,6 +1,4 @@',
        ' {',
        '   "debug": true,',
        '-  "max-concurrent-downloads": 12,',
        '-  "registry-mirrors": ["https://mirror.example"],',
        '   "log-driver": "json-file"',
        ' }',
        '',
      ].join('\n'),
    )
    expect(plan.changes).toEqual([
      {key: 'max-concurrent-downloads', action: 'drop', before: '12'},
      {key: 'registry-mirrors', action: 'drop', before: '["https://mirror.example"]'},
    ])
    expect(checkPlan(plan).valid).toBe(true)
  })

  test('sets a key back to its default in place', () => {
    const plan = planReset('f', FIELD_REPORT, [], ['max-concurrent-downloads'])
    expect(plan.after).toBe(FIELD_REPORT.replace('12', '3'))
    expect(plan.diff).toContain('-  "max-concurrent-downloads": 12,\n+  "max-concurrent-downloads": 3,')
  })

  test('drops the last key, the only key, a nested key and every duplicate', () => {
    expect(planReset('f', '{"a": 1, "mtu": 9000}', ['mtu']).after).toBe('{"a": 1}')
    expect(planReset('f', '{\n  "mtu": 9000\n}\n', ['mtu']).after).toBe('{}\n')
    expect(planReset('f', '{"features": {"containerd-snapshotter": true, "cdi": true}}', ['features.containerd-snapshotter']).after).toBe('{"features": {"cdi": true}}')
    expect(planReset('f', '{"mtu": 9000, "debug": true, "mtu": 1600}', ['mtu']).after).toBe('{"debug": true}')
    for (const text of ['{"a": 1, "mtu": 9000}', '{\n  "mtu": 9000\n}\n', '{"mtu": 9000, "debug": true, "mtu": 1600}']) {
      expect(() => JSON.parse(planReset('f', text, ['mtu']).after)).not.toThrow()
    }
  })

  test('a file with comments or trailing commas is rewritten from what it means', () => {
    const plan = planReset('f', '{\n  // fast\n  "max-concurrent-downloads": 10,\n  "debug": true,\n}\n', ['max-concurrent-downloads'])
    expect(plan.reformatted).toBe(true)
    expect(plan.after).toBe('{\n  "debug": true\n}\n')
    expect(lintDaemonConfig(plan.after).findings).toEqual([])
  })

  test('refuses keys that are not in the file, defaults that do not exist, and files that are not objects', () => {
    expect(() => planReset('f', '{"debug": true}', ['mtu'])).toThrow(ResetError)
    expect(() => planReset('f', '{"data-root": "/x"}', [], ['data-root'])).toThrow(/no plain default/)
    expect(() => planReset('f', '{"data-root": "/x"}', [], ['data-root'])).toThrow(expect.objectContaining({message: '"data-root" has no plain default to set back to.', fix: 'Drop it instead: --drop data-root.'}))
    expect(() => planReset('f', '{"debug": true}', ['mtu'])).toThrow(expect.objectContaining({message: '"mtu" is not set in f.', fix: 'Name a key the file sets: debug.'}))
    expect(() => planReset('f', '[1]', ['mtu'])).toThrow(expect.objectContaining({message: expect.stringMatching(/does not parse as a JSON object/), fix: expect.stringMatching(/^Fix or replace the file first/)}))
    expect(() => planReset('f', '{"debug": true,', ['debug'])).toThrow(/does not parse/)
  })

  test('suggests the risky and the refused keys', () => {
    const lint = lintDaemonConfig('{"max-concurrent-downloads": 10, "Debug": true, "debug": true, "log-level": "info", "max-concurrent-uploads": "9"}')
    expect(suggestedResetKeys(lint).sort()).toEqual(['Debug', 'max-concurrent-downloads', 'max-concurrent-uploads'])
  })

  test('unified diff hunks and line numbers', () => {
    const a = Array.from({length: 20}, (_, i) => `line ${i + 1}`).join('\n') + '\n'
    const b = a.replace('line 3\n', '').replace('line 18\n', 'line 18 changed\n')
    expect(unifiedDiff(a, b, 'a', 'b')).toBe(
      ['--- a', '+++ b', '@@ -1,6 +1,5 @@', ' line 1', ' line 2', '-line 3', ' line 4', ' line 5', ' line 6', '@@ -15,6 +14,6 @@', ' line 15', ' line 16', ' line 17', '-line 18', '+line 18 changed', ' line 19', ' line 20', ''].join('\n'),
    )
    expect(unifiedDiff(a, a, 'a', 'b')).toBe('')
    expect(unifiedDiff('{"a": 1, "b": 2}', '{"a": 1}', 'a', 'b')).toBe(['--- a', '+++ b', '@@ -1,1 +1,1 @@', '-{"a": 1, "b": 2}', '\\ No newline at end of file', '+{"a": 1}', '\\ No newline at end of file', ''].join('\n'))
  })
})

describe('writing the reset', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dx-daemoncfg-reset-'))
  })
  afterEach(async () => {
    await execa('chattr', ['-i', path.join(dir, 'daemon.json')], {reject: false})
    await rm(dir, {recursive: true, force: true})
  })

  test('writes atomically with a timestamped backup that keeps the old content and mode', async () => {
    const file = path.join(dir, 'daemon.json')
    await writeFile(file, FIELD_REPORT)
    await chmod(file, 0o640)
    const now = new Date('2026-11-23T16:40:05.123Z')
    const plan = planReset(file, FIELD_REPORT, ['max-concurrent-downloads'])
    const outcome = await writeResetPlan(plan, now, dir)
    expect(outcome).toEqual({written: true, backup: `${file}.bak-20261123T164005Z`})
    expect(backupName(file, now)).toBe(outcome.backup)
    expect(await readFile(file, 'utf8')).toBe(plan.after)
    expect(await readFile(outcome.backup, 'utf8')).toBe(FIELD_REPORT)
    expect((await stat(file)).mode & 0o777).toBe(0o640)
    expect((await stat(outcome.backup)).mode & 0o777).toBe(0o640)
    expect((await readdir(dir)).sort()).toEqual(['daemon.json', 'daemon.json.bak-20261123T164005Z'])
  })

  test('a file this process may not write gives the exact sudo commands, and they work', async () => {
    const file = path.join(dir, 'daemon.json')
    await writeFile(file, FIELD_REPORT)
    // Root may write anything except an immutable file: that is the real "not writable" here.
    const immutable = await execa('chattr', ['+i', file], {reject: false})
    if (immutable.exitCode !== 0) {
      if (process.getuid?.() === 0) throw new Error(`chattr +i failed (${immutable.stderr}); this test needs a filesystem with the immutable attribute`)
      await chmod(dir, 0o555)
    }
    const plan = planReset(file, FIELD_REPORT, ['max-concurrent-downloads'])
    const outcome = await writeResetPlan(plan, new Date('2026-11-23T16:40:05Z'), os.tmpdir())
    expect(outcome.written).toBe(false)
    expect(outcome.reason).toMatch(/^(EPERM|EACCES)/)
    expect(await readFile(file, 'utf8')).toBe(FIELD_REPORT)
    expect(await readFile(outcome.staged ?? '', 'utf8')).toBe(plan.after)
    const temp = `${file}.dagger-explore-new`
    expect(outcome.sudo).toEqual([
      `sudo cp -p -- ${file} ${file}.bak-20261123T164005Z`,
      `sudo install -m 0644 -o ${process.getuid?.() ?? 0} -g ${process.getgid?.() ?? 0} -- ${outcome.staged} ${temp}`,
      `sudo mv -f -- ${temp} ${file}`,
    ])
    // Once the file may be written again, the same commands without sudo do the job.
    await execa('chattr', ['-i', file], {reject: false})
    await chmod(dir, 0o755)
    for (const command of outcome.sudo ?? []) {
      const argv = command.split(' ').slice(1)
      const result = await execa(argv[0] ?? '', argv.slice(1), {reject: false})
      expect(result.exitCode, `${command}: ${result.stderr}`).toBe(0)
    }
    expect(await readFile(file, 'utf8')).toBe(plan.after)
    expect(await readFile(`${file}.bak-20261123T164005Z`, 'utf8')).toBe(FIELD_REPORT)
    await rm(path.dirname(outcome.staged ?? ''), {recursive: true, force: true})
  })

  test('shell quoting of odd paths', () => {
    expect(shellQuote('/etc/docker/daemon.json')).toBe('/etc/docker/daemon.json')
    expect(shellQuote("/tmp/it's here/d.json")).toBe(`'/tmp/it'\\''s here/d.json'`)
  })
})

describe('restart and re-check', () => {
  test('restart advice per platform, with a reload when every key reloads', () => {
    expect(restartAdvice(['max-concurrent-downloads'], {systemd: true})).toMatchObject({restart: 'sudo systemctl restart docker.service', reload: 'sudo systemctl reload docker.service'})
    expect(restartAdvice(['mtu'], {systemd: true}).reload).toBeUndefined()
    expect(restartAdvice(['mtu'], {rootless: true}).restart).toBe('systemctl --user restart docker.service')
    expect(restartAdvice(['mtu'], {desktop: true}).restart).toMatch(/Docker Desktop.*Restart/)
    expect(restartAdvice(['debug'], {systemd: false, pid: 42, argv: ['dockerd', '--bridge=none']})).toMatchObject({restart: 'sudo kill 42 && sudo dockerd --bridge=none', reload: 'sudo kill -HUP 42'})
  })

  test('re-check: drift means not picked up, an old daemon means not restarted, a newer one means done', () => {
    const drift = [{id: 'daemon-config-drift', status: 'warn' as const, title: 't', detail: 'd', fix: 'f'}]
    expect(recheckAfterRestart(drift, 2000, 3000).pickedUp).toBe(false)
    expect(recheckAfterRestart([], 10_000, 3000).findings.map((f) => f.id)).toEqual(['daemon-not-restarted'])
    expect(recheckAfterRestart([], 2000, 3000).pickedUp).toBe(true)
    expect(recheckAfterRestart([], 2000, undefined).pickedUp).toBeUndefined()
  })
})
