import {spawn} from 'node:child_process'
import {createServer} from 'node:net'
import {existsSync} from 'node:fs'
import {mkdtemp, readdir, readFile, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {STATUSES} from '../../src/core/types.js'
import {BIN, cli} from '../helpers/cli.js'
import {skipWithoutDocker} from '../helpers/docker.js'

const notesDir = () => mkdtemp(path.join(tmpdir(), 'de-cli-notes-'))
const MISSING = {DOCKER_HOST: 'unix:///tmp/dagger-explore-no-such.sock'}

describe('usage', () => {
  it('prints --version fast and --help everywhere', async () => {
    const version = await cli(['--version'])
    expect(version.exitCode).toBe(0)
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+$/)
    for (const args of [['check', '--version'], ['explain', '--version'], ['engine', 'status', '--version']]) {
      const r = await cli(args)
      expect(r.exitCode, args.join(' ')).toBe(0)
      expect(r.stdout.trim()).toBe(version.stdout.trim())
    }
    for (const args of [['--help'], ['check', '--help'], ['notes', '--help'], ['daemon-config', '--help'], ['explain', '--help'], ['engine', '--help'], ['tree', '--help'], ['recipe', '--help']]) {
      const r = await cli(args)
      expect(r.exitCode, args.join(' ')).toBe(0)
      expect(r.stdout).toMatch(/Usage/)
    }
  })

  it('on a Node older than 22 says which version it needs instead of crashing', async () => {
    const {execa} = await import('execa')
    const old = await execa('/usr/bin/env', ['node', '--version'], {env: {PATH: '/usr/local/bin:/usr/bin:/bin'}, reject: false})
    const major = Number(/^v(\d+)/.exec(old.stdout)?.[1] ?? 'NaN')
    if (!(major < 22)) return // no older Node on this machine to try it with
    const r = await execa('/usr/bin/env', ['node', BIN, '--help'], {env: {PATH: '/usr/local/bin:/usr/bin:/bin'}, reject: false})
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/needs Node\.js 22 or newer; this is Node \d+/)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('finds the subcommand after global flags that take a value', async () => {
    const dir = await notesDir()
    const r = await cli(['--notes-dir', dir, 'notes'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain(`No saved sessions in ${dir}`)
  })

  it.each([
    [['--bogus'], /Unknown option '--bogus'/, 'Run `dagger-explore --help` for the options.'],
    [['frobnicate'], /"frobnicate" is not a dagger-explore command\. Commands: .*check/, 'Run `dagger-explore --help` for the list with examples.'],
    [['check', 'nosuchcell'], /"nosuchcell" is not a cell\.$/m, /^Name one of the cells: environment, .*; e\.g\. `dagger-explore check environment`\.$/],
    [['engine', 'frob'], /engine needs one action: .*"frob" is not one\.$/m, 'Name one, e.g. `dagger-explore engine status`.'],
    [['--timeout', 'soon'], /--timeout takes a whole number/, 'Pass one in that range, e.g. --timeout 5000.'],
  ])('exits 2 with one paragraph for %j', async (args, message, fix) => {
    const r = await cli(args)
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(message)
    // One paragraph: what is wrong, then what to do on its own "Fix:" line.
    const [said, fixLine, ...more] = r.stderr.trim().split('\n')
    expect(said).toMatch(message)
    expect(fixLine?.startsWith('Fix: ')).toBe(true)
    expect(fixLine?.slice('Fix: '.length)).toMatch(fix)
    expect(more).toEqual([])
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('non-interactive runs', () => {
  it('--plain | cat finishes without waiting for input, and saves the notes', async () => {
    const dir = await notesDir()
    // stdin stays an open pipe nobody writes to: any prompt would hang here.
    const child = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" --plain --notes-dir "${dir}" | cat`], {env: {...process.env, ...MISSING, CI: ''}, stdio: ['pipe', 'pipe', 'pipe']})
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`still running after 20 s; output so far:\n${out}`))
      }, 20_000)
      child.on('exit', (c) => {
        clearTimeout(timer)
        resolve(c)
      })
    })
    expect(code).toBe(0) // `cat` exits 0; the notebook's own code is checked below
    expect(out).toMatch(/\[FAIL\] Environment/)
    expect(out).toMatch(/\[(PASS|WARN|FAIL|SKIP)\] Docker daemon/)
    expect(out).toMatch(/\[(PASS|WARN|FAIL|SKIP)\] Debugger/)
    expect(out).toMatch(/Notes saved to /)
    expect((await readdir(dir)).some((f) => f.endsWith('-session.md'))).toBe(true)
  })

  it('exits 1 when a check fails, and uses no colour without a TTY or with NO_COLOR', async () => {
    const dir = await notesDir()
    const r = await cli(['check', 'environment', '--notes-dir', dir, '--color'], {env: {...MISSING, NO_COLOR: '1'}})
    expect(r.exitCode).toBe(1)
    expect(r.stdout).not.toContain('\u001B')
    const colored = await cli(['check', 'environment', '--notes-dir', dir, '--color'], {env: MISSING})
    expect(colored.stdout).toContain('\u001B[31m')
  })

  it('--json prints one object per finished cell with the documented schema', async () => {
    const dir = await notesDir()
    const r = await cli(['check', 'environment', 'daemon', '--json', '--notes-dir', dir], {env: MISSING})
    expect(r.exitCode).toBe(1)
    expect(r.stdout).not.toContain('\u001B')
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    for (const line of lines) {
      const cell = JSON.parse(line) as Record<string, unknown>
      expect(Object.keys(cell)).toEqual(['cell', 'title', 'status', 'startedAt', 'durationMs', 'facts', 'findings', 'commands'])
      expect(STATUSES).toContain(cell.status)
      expect(new Date(cell.startedAt as string).toISOString()).toBe(cell.startedAt)
      expect(typeof cell.durationMs).toBe('number')
      for (const f of cell.findings as Record<string, unknown>[]) {
        expect(Object.keys(f)).toEqual(['id', 'status', 'title', 'detail', 'fix', 'docs', 'recipe'])
        expect(STATUSES).toContain(f.status)
        if (f.status !== 'pass') {
          expect(typeof f.detail).toBe('string')
          expect(typeof f.fix).toBe('string')
        }
      }
      for (const c of cell.commands as Record<string, unknown>[]) {
        expect(Array.isArray(c.argv)).toBe(true)
        expect(c.exitCode === null || typeof c.exitCode === 'number').toBe(true)
        expect(typeof c.output).toBe('string')
      }
    }
    const [env, daemon] = lines.map((l) => JSON.parse(l) as {cell: string; status: string})
    expect(env).toMatchObject({cell: 'environment', status: 'fail'})
    expect(daemon?.cell).toBe('daemon')
  })

  it('lists saved sessions', async () => {
    const dir = await notesDir()
    await cli(['check', 'environment', '--notes-dir', dir], {env: MISSING})
    const r = await cli(['notes', '--notes-dir', dir])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/-session\.md/)
    expect(r.stdout).toMatch(/FAIL Environment/)
  })
})

describe('durability', () => {
  it('kill -9 during a cell keeps every finished cell in a valid log; SIGINT adds a closing line and exits 130', async () => {
    const sockDir = await mkdtemp(path.join(tmpdir(), 'de-hang-'))
    const sock = path.join(sockDir, 'hang.sock')
    const server = createServer(() => {})
    await new Promise<void>((resolve) => server.listen(sock, resolve))
    try {
      for (const signal of ['SIGKILL', 'SIGINT'] as const) {
        const dir = await notesDir()
        // The first run ends after its 2 s timeout; two more keep it busy for 4 s when the signal comes.
        const child = spawn(process.execPath, [BIN, 'check', 'environment', 'environment', 'environment', '--timeout', '2000', '--notes-dir', dir], {
          env: {...process.env, DOCKER_HOST: `unix://${sock}`, CI: ''},
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let out = ''
        child.stdout.on('data', (d: Buffer) => (out += d.toString()))
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`first cell never finished: ${out}`)), 15_000)
          child.stdout.on('data', () => {
            if (out.includes('[FAIL] Environment')) {
              clearTimeout(timer)
              resolve()
            }
          })
        })
        await new Promise((r) => setTimeout(r, 200))
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
        child.kill(signal)
        const code = await exited
        const [file] = (await readdir(dir)).filter((f) => f.endsWith('-session.md'))
        const text = await readFile(path.join(dir, file!), 'utf8')
        expect(text).toContain('## Environment')
        expect(text).toContain('Ran at ')
        expect(text).toContain('does not answer')
        expect(text.endsWith('\n')).toBe(true)
        expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toHaveLength(0)
        if (signal === 'SIGINT') {
          expect(code).toBe(130)
          expect(text).toMatch(/Session interrupted \(Ctrl-C\) at /)
        } else {
          expect(text).not.toMatch(/Session (interrupted|ended)/)
        }
      }
    } finally {
      server.close()
    }
  })
})

describe('Ctrl-C while a child process runs', () => {
  it('still closes the log and exits 130 (execa\'s child cleanup must not re-raise the signal)', async () => {
    // A docker CLI that never answers, as Debian's 20.10 one did against a hung daemon: SIGINT comes
    // while it runs, when execa's signal-exit listens too and kills us if it finds itself alone.
    const bin = await mkdtemp(path.join(tmpdir(), 'de-hung-cli-'))
    const started = path.join(bin, 'started')
    await writeFile(path.join(bin, 'docker'), `#!/bin/sh\n: > '${started}'\nexec sleep 30\n`, {mode: 0o755})
    const dir = await notesDir()
    const child = spawn(process.execPath, [BIN, 'check', 'environment', '--notes-dir', dir], {
      env: {...process.env, ...MISSING, PATH: `${bin}:${process.env.PATH ?? ''}`, CI: ''},
      stdio: 'ignore',
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    for (let i = 0; !existsSync(started); i++) {
      if (i > 150) throw new Error('the docker stand-in never started')
      await new Promise((r) => setTimeout(r, 100))
    }
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    const [file] = (await readdir(dir)).filter((f) => f.endsWith('-session.md'))
    expect(await readFile(path.join(dir, file!), 'utf8')).toMatch(/Session interrupted \(Ctrl-C\) at /)
  })
})

describe.skipIf(skipWithoutDocker())('against the real daemon', () => {
  it('check environment passes (warnings allowed) and exits 0', async () => {
    const dir = await notesDir()
    const r = await cli(['check', 'environment', '--notes-dir', dir])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/\[(PASS|WARN)\] Environment/)
    expect(r.stdout).toMatch(/Docker server: \d+/)
  })
})

describe('--resume', () => {
  it('carries on the latest session in the same file, and says so when there is none', async () => {
    const dir = await notesDir()
    const none = await cli(['check', 'environment', '--resume', '--notes-dir', dir], {env: MISSING})
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toMatch(/no saved session in .* to resume/)
    await cli(['check', 'environment', '--notes-dir', dir], {env: MISSING})
    const again = await cli(['check', 'daemon', '--resume', '--notes-dir', dir], {env: MISSING})
    expect(again.exitCode).toBeLessThan(2)
    const files = (await readdir(dir)).filter((f) => f.endsWith('-session.md'))
    expect(files).toHaveLength(1)
    const text = await readFile(path.join(dir, files[0]!), 'utf8')
    expect(text).toContain('## Environment')
    expect(text).toContain('## Docker daemon')
  })
})
