import {mkdtemp, readdir, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {COMMANDS, HELP} from '../../src/cli/main.js'
import {CELLS} from '../../src/cells/registry.js'
import {parseCommandArgs, parseTimeoutMs} from '../../src/cli/settings.js'
import {UsageError} from '../../src/cli/io.js'
import {cli} from '../helpers/cli.js'

describe('global options before or after the subcommand', () => {
  // Every global, with a valid value, must be accepted on either side of every command's name.
  const globals = [['--plain'], ['--json'], ['--yes'], ['--verbose'], ['--no-color'], ['--guided'], ['--resume'], ['--timeout', '5000'], ['--notes-dir', 'NOTES'], ['--dagger-src', '.'], ['--image', 'foo'], ['--control', 'none'], ['--refs', 'alpine'], ['--registry-host', '127.0.0.1:5443'], ['--daemon-config', 'daemon.json']]

  it.each(Object.keys(COMMANDS))('%s --help exits 0 with any global before or after its name', async (command) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-globals-'))
    for (const flag of globals) {
      const g = flag.map((a) => (a === 'NOTES' ? dir : a))
      // tree's own --image is a switch after its name; the global --image IMAGE goes before it.
      const afterToo = !(command === 'tree' && g[0] === '--image')
      for (const args of [[...g, command, '--help'], ...(afterToo ? [[command, '--help', ...g]] : [])]) {
        const r = await cli(args)
        expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0)
        expect(r.stdout).toMatch(/Usage/)
      }
    }
  }, 120_000)

  it.each([
    [['--plain', 'daemon-config', '--help']],
    [['--yes', 'tree', '--help']],
    [['--image', 'foo', 'recipe', '--list']],
    [['--notes-dir', '/tmp', 'engine', '--help']],
  ])('%j exits 0 (the cases of issue 13)', async (args) => {
    const r = await cli(args)
    expect(r.exitCode, r.stderr).toBe(0)
  })

  it('a bad global value is the same one-paragraph usage error before and after the name', async () => {
    for (const args of [['--timeout', 'soon', 'recipe', '--list'], ['recipe', '--list', '--timeout', 'soon'], ['daemon-config', '--timeout', 'soon'], ['--timeout', 'soon', 'check'], ['explain', '--timeout', 'soon'], ['--timeout', 'soon', 'tree', 'x'], ['diagnose', 'alpine', '--timeout', 'soon'], ['--timeout', 'soon', 'engine', 'status'], ['notes', '--timeout', 'soon']]) {
      const r = await cli(args)
      expect(r.exitCode, args.join(' ')).toBe(2)
      expect(r.stderr, args.join(' ')).toMatch(/--timeout takes a whole number of milliseconds between 1 and 600000; "soon" is not one/)
      // One paragraph: the message, then what to do on its own line.
      expect(r.stderr.trim().split('\n'), args.join(' ')).toEqual([expect.stringMatching(/"soon" is not one\.$/), 'Fix: Pass one in that range, e.g. --timeout 5000.'])
    }
  })

  it('checks every global the same way in every command, except that --help always answers', async () => {
    const bad = await cli(['--image', 'bad!', 'diagnose', 'alpine'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(/--image: "bad!" is neither a container name nor an image reference/)
    expect((await cli(['--timeout', 'soon', 'explain', '--help'])).exitCode).toBe(0)
  })

  it('a bad global --image before tree is reported as JSON under --json', async () => {
    const r = await cli(['--image', 'bad!', 'tree', '--json'])
    expect(r.exitCode).toBe(2)
    expect(JSON.parse(r.stdout)).toMatchObject({ok: false, error: expect.stringContaining('"bad!" is neither a container name nor an image reference')})
  })

  it('merges globals given before the name into the command values unless the command gives the flag another type', () => {
    const own = {image: {type: 'boolean'}, layer: {type: 'string'}} as const
    const parsed = parseCommandArgs(['x', '--layer', '2', '--json'], own, {image: 'foo', yes: true})
    expect(parsed.values).toMatchObject({layer: '2', json: true, yes: true})
    expect(parsed.values.image).toBeUndefined()
    expect(parsed.globals).toMatchObject({image: 'foo', yes: true, json: true})
    expect(parsed.positionals).toEqual(['x'])
    expect(() => parseCommandArgs(['--bogus'], own)).toThrow(/Unknown option '--bogus'/)
  })
})

describe('one settings object per command', () => {
  const io = {stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {HOME: '/home/u'}, cwd: '/work', color: true, interactive: false}

  it('parseCommandArgs hands the command the parsed globals from either side of its name', () => {
    const {settings} = parseCommandArgs(['status', '--timeout', '250', '--dagger-src', 'src'], {}, {json: true, 'notes-dir': 'notes'}, io)
    expect(settings).toMatchObject({json: true, plain: true, color: false, timeoutMs: 250, dockerTimeoutMs: 250, notesDir: '/work/notes', daggerSrc: '/work/src', cwd: '/work'})
    expect(parseCommandArgs([], {}, {}, io).settings.timeoutMs).toBeUndefined()
    // --help always answers: a bad global then leaves the defaults instead of refusing.
    expect(parseCommandArgs(['--help', '--timeout', 'soon'], {}, {}, io).settings.dockerTimeoutMs).toBe(3000)
    expect(() => parseCommandArgs(['--timeout', 'soon'], {}, {}, io)).toThrow(UsageError)
  })

  it('no command rebuilds the settings or reads a global from the merged values', async () => {
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/commands')
    for (const name of await readdir(dir)) {
      const text = await readFile(path.join(dir, name), 'utf8')
      expect(text, name).not.toMatch(/\b(globalSettings|defaultSettings|parseTimeoutMs)\(/)
      // tree's own --image is a switch, so `values.image` is its flag there, not the global.
      expect(text, name).not.toMatch(/\bvalues(\.(json|yes|timeout|plain|verbose|control|refs)\b|\['(notes-dir|dagger-src|no-color|registry-host|daemon-config)'\])/)
    }
  })
})

describe('one --timeout validator', () => {
  it.each(['abc', '-1', '0', '1.5', '99999999', '', ' '])('refuses %j', (value) => {
    expect(() => parseTimeoutMs(value, {fallback: 3000})).toThrow(UsageError)
  })
  it('reads a whole number, falls back when absent, and honours a command range', () => {
    expect(parseTimeoutMs('5000', {fallback: 3000})).toBe(5000)
    expect(parseTimeoutMs(undefined, {fallback: 3000})).toBe(3000)
    expect(() => parseTimeoutMs('50', {fallback: 5000, min: 100, max: 120_000})).toThrow(/between 100 and 120000/)
  })
})

describe('help made from the tables', () => {
  it('lists every command of COMMANDS with its summary, and every cell of CELLS', () => {
    for (const [name, command] of Object.entries(COMMANDS)) expect(HELP).toContain(`dagger-explore ${`${name} ${command.args}`.padEnd(22)}${command.summary}`)
    expect(HELP).toContain(`Cells: ${CELLS.map((c) => c.id).join(', ')}`)
  })
  it('check --help lists each cell with its title and summary', async () => {
    const r = await cli(['check', '--help'])
    for (const c of CELLS) expect(r.stdout).toContain(`${c.title}: ${c.summary}`)
  })
})
