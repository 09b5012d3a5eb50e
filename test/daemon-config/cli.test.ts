import {mkdtemp, readFile, readdir, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {PassThrough} from 'node:stream'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {main} from '../../src/cli/commands/daemon-config.js'
import type {CliIO} from '../../src/cli/io.js'

function fakeIO(options: {interactive?: boolean; input?: string} = {}) {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const stdin = new PassThrough() as PassThrough & {isTTY?: boolean}
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  if (options.input !== undefined) stdin.end(options.input)
  const io: CliIO = {stdout, stderr, stdin, env: process.env, cwd: process.cwd(), color: false, interactive: options.interactive ?? false}
  return {io, out: () => out, err: () => err}
}

describe('dagger-explore daemon-config', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dx-daemoncfg-cli-'))
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })
  const file = async (name: string, content: string) => {
    const p = path.join(dir, name)
    await writeFile(p, content)
    return p
  }

  test('--json gives the documented shape and exit 1 on errors', async () => {
    const p = await file('bad.json', '{\n  "debug": true,\n  "max-concurrent-downloads": 10,\n}\n')
    const {io, out} = fakeIO()
    expect(await main([p, '--json'], io)).toBe(1)
    const json = JSON.parse(out()) as {file: string; source: string; valid: boolean; findings: Record<string, unknown>[]}
    expect(Object.keys(json)).toEqual(['file', 'source', 'valid', 'findings'])
    expect(json).toMatchObject({file: p, source: 'argument', valid: false})
    for (const f of json.findings) expect(Object.keys(f)).toEqual(['id', 'status', 'key', 'line', 'column', 'title', 'detail', 'fix', 'docs', 'recipe'])
    expect(json.findings.map((f) => [f.id, f.status, f.line, f.column])).toEqual([
      ['daemon-max-concurrent-downloads', 'warn', 3, 3],
      ['json-trailing-comma', 'fail', 3, 33],
    ])
  })

  test('warnings only exit 0; plain text names the position, the why and the fix', async () => {
    const p = await file('risky.json', '{"max-concurrent-downloads": 10}')
    const {io, out} = fakeIO()
    expect(await main([p], io)).toBe(0)
    expect(out()).toContain('! WARN line 1, column 2: max-concurrent-downloads is raised to 10')
    expect(out()).toContain('Fix: Remove the key')
    expect(out()).toMatch(/0 errors, 1 warning\./)
  })

  test('the global --daemon-config FILE, before or after the name, is the file linted (as the Docker daemon cell reads it)', async () => {
    const p = await file('global.json', '{"max-concurrent-downloads": 10}')
    for (const [args, before] of [[['--daemon-config', p, '--json'], undefined], [['--json'], {'daemon-config': p}]] as const) {
      const {io, out} = fakeIO()
      expect(await main([...args], io, before)).toBe(0)
      expect(JSON.parse(out())).toMatchObject({file: p, source: 'argument', findings: [{id: 'daemon-max-concurrent-downloads'}]})
    }
  })

  test('a clean file exits 0; --target judges against an older dockerd', async () => {
    const p = await file('clean.json', '{"log-format": "json"}')
    expect(await main([p, '--target', '29.0'], fakeIO().io)).toBe(0)
    const {io, out} = fakeIO()
    expect(await main([p, '--target', '20.10', '--json'], io)).toBe(1)
    expect(JSON.parse(out()).findings[0].id).toBe('key-too-new')
  })

  test('without FILE it lints the file in force and says which and why', async () => {
    const {io, out} = fakeIO()
    const code = await main(['--json'], io)
    const json = JSON.parse(out()) as {file: string; source: string}
    expect(json.file).toMatch(/daemon\.json$/)
    expect(['default', 'dockerd-flag', 'rootless', 'docker-desktop']).toContain(json.source)
    expect([0, 1]).toContain(code)
  })

  test('bad usage exits 2 with one paragraph', async () => {
    for (const argv of [['--bogus'], ['a.json', 'b.json'], [path.join(dir, 'missing.json')], ['--target', 'latest'], ['reset', '--timeout', '0']]) {
      const {io, err} = fakeIO()
      expect(await main(argv, io), argv.join(' ')).toBe(2)
      // One paragraph: what is wrong, then what to do on its own "Fix:" line.
      expect(err().trim().split('\n'), argv.join(' ')).toEqual([expect.stringMatching(/^dagger-explore daemon-config: .*\.$/), expect.stringMatching(/^Fix: [A-Z].*\.$/)])
      expect(err()).not.toMatch(/\n\s+at /)
    }
  })

  test('a folder named as FILE: what it is, then what to name instead, in text and in --json', async () => {
    const text = fakeIO()
    expect(await main([dir], text.io)).toBe(1)
    expect(text.err()).toBe(`dagger-explore daemon-config: ${dir} is a directory, not a regular file, so it was not read: dockerd reads daemon.json as a regular file.\nFix: Name the file itself.\n`)
    const json = fakeIO()
    expect(await main([dir, '--json'], json.io)).toBe(1)
    expect(JSON.parse(json.out())).toMatchObject({valid: false, error: expect.stringMatching(/is a directory, not a regular file/), fix: 'Name the file itself.'})
  })

  test('with --json, bad usage is also {ok:false,error,fix} on stdout', async () => {
    const {io, out} = fakeIO()
    expect(await main(['--json', '--target', 'latest'], io)).toBe(2)
    expect(JSON.parse(out())).toEqual({ok: false, error: '--target takes a Docker Engine version; "latest" is not one.', fix: 'Give it as MAJOR.MINOR, e.g. --target 20.10 or --target 28.2.'})
  })

  test('reset without a terminal shows the diff and needs --yes', async () => {
    const content = '{\n  "debug": true,\n  "max-concurrent-downloads": 10\n}\n'
    const p = await file('reset-no.json', content)
    const {io, out, err} = fakeIO()
    expect(await main(['reset', p], io)).toBe(2)
    expect(out()).toContain('-  "max-concurrent-downloads": 10')
    expect(err()).toContain('--yes')
    expect(await readFile(p, 'utf8')).toBe(content)
  })

  test('reset --yes writes the file with a backup and shows the restart command', async () => {
    const p = await file('reset-yes.json', '{\n  "debug": true,\n  "max-concurrent-downloads": 10\n}\n')
    const {io, out} = fakeIO()
    expect(await main(['reset', p, '--drop', 'max-concurrent-downloads', '--yes'], io)).toBe(0)
    expect(await readFile(p, 'utf8')).toBe('{\n  "debug": true\n}\n')
    const backups = (await readdir(dir)).filter((n) => n.startsWith('reset-yes.json.bak-'))
    expect(backups).toHaveLength(1)
    // A file the running daemon does not read needs no restart; the restart advice is tested in reset.test.ts.
    expect(out()).toContain('nothing to restart')
  })

  test('reset --json --yes with --default', async () => {
    const p = await file('reset-json.json', '{"max-concurrent-downloads": 10}')
    const {io, out} = fakeIO()
    expect(await main(['reset', p, '--default', 'max-concurrent-downloads', '--yes', '--json'], io)).toBe(0)
    const json = JSON.parse(out()) as {written: boolean; backup: string; changes: unknown[]; restart: unknown}
    expect(json.written).toBe(true)
    expect(json.changes).toEqual([{key: 'max-concurrent-downloads', action: 'default', before: '10', after: '3'}])
    expect(await readFile(p, 'utf8')).toBe('{"max-concurrent-downloads": 3}')
    expect(json.restart).toBeNull()
  })

  test('reset with nothing risky, an unknown key, and an interactive "no"', async () => {
    const clean = await file('reset-clean.json', '{"debug": true}')
    const a = fakeIO()
    expect(await main(['reset', clean], a.io)).toBe(0)
    expect(a.out()).toContain('nothing to reset')
    const b = fakeIO()
    expect(await main(['reset', clean, '--drop', 'mtu'], b.io)).toBe(2)
    expect(b.err()).toContain('"mtu" is not set')
    const risky = await file('reset-ask.json', '{"mtu": 9000}')
    const c = fakeIO({interactive: true, input: 'n\n'})
    expect(await main(['reset', risky], c.io)).toBe(0)
    expect(c.out()).toMatch(/nothing written/i)
    expect(await readFile(risky, 'utf8')).toBe('{"mtu": 9000}')
  })
})

describe('daemon-config reset in an ESM bundle like dist/', () => {
  test('writes the file (no dependency that needs __filename)', async () => {
    const {build} = await import('esbuild')
    const {execa} = await import('execa')
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dx-daemoncfg-bundle-'))
    try {
      const entry = path.join(dir, 'entry.ts')
      const command = path.resolve(import.meta.dirname, '../../src/cli/commands/daemon-config.ts')
      await writeFile(entry, `import {main} from ${JSON.stringify(command)}\nconst io = {stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), color: false, interactive: false}\nprocess.exitCode = await main(process.argv.slice(2), io)\n`)
      // The same bundling options as scripts/build.mjs.
      await build({
        entryPoints: [entry],
        outfile: path.join(dir, 'cli.mjs'),
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node22',
        external: ['dockerode', 'ssh2', 'cpu-features'],
        banner: {js: "import {createRequire as __createRequire} from 'node:module';const require = __createRequire(import.meta.url);"},
        logLevel: 'silent',
      })
      const config = path.join(dir, 'daemon.json')
      await writeFile(config, '{"max-concurrent-downloads": 10, "debug": true}\n')
      const result = await execa(process.execPath, [path.join(dir, 'cli.mjs'), 'reset', config, '--yes'], {reject: false, timeout: 30_000, cwd: path.resolve(import.meta.dirname, '../..')})
      expect(result.exitCode, result.stderr).toBe(0)
      expect(await readFile(config, 'utf8')).toBe('{"debug": true}\n')
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})
