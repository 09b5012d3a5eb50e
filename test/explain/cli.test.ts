import {execFile} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {PassThrough, Readable} from 'node:stream'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {main} from '../../src/cli/commands/explain.js'
import type {CliIO} from '../../src/cli/io.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
const SEED = [fixture('seed-manifest-eof.log'), fixture('seed-docker-pull.log'), fixture('seed-blob-eof.log')].join('')

let dir: string
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'explain-cli-'))
  writeFileSync(path.join(dir, 'build.log'), SEED)
  writeFileSync(path.join(dir, 'clean.log'), '1: exec go build ./...\n1: exec go build ./... DONE\n')
  writeFileSync(path.join(dir, 'binary.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function run(argv: string[], stdin: string | null = null, stdinIsTTY = false): Promise<Run> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (d: Buffer) => (out += d.toString()))
  stderr.on('data', (d: Buffer) => (err += d.toString()))
  const input = Object.assign(Readable.from(stdin === null ? [] : [Buffer.from(stdin)]), {isTTY: stdinIsTTY})
  const io: CliIO = {stdout, stderr, stdin: input, env: {}, cwd: dir, color: false, interactive: false}
  const code = await main(argv, io)
  return {code, stdout: out, stderr: err}
}

describe('explain command (in process)', () => {
  it('prints JSON with the contract shape for a file', async () => {
    const r = await run(['build.log', '--json'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('')
    const json = JSON.parse(r.stdout) as {failures: Record<string, unknown>[]}
    expect(Object.keys(json)).toEqual(['failures'])
    expect(json.failures.map((f) => Object.keys(f))).toEqual(Array(3).fill(['category', 'op', 'url', 'host', 'ref', 'count', 'line', 'text', 'why', 'fix', 'next']))
    expect(json.failures.map((f) => [f.category, f.op, f.count])).toEqual([
      ['eof', 'manifest HEAD', 2],
      ['eof', 'token GET', 1],
      ['eof', 'blob GET', 4],
    ])
  })

  it('reads standard input with - and plain output offers diagnose', async () => {
    const r = await run(['-'], SEED)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('3 failures in standard input')
    expect(r.stdout).toContain('eof: The connection was accepted and then closed quietly')
    expect(r.stdout).toContain('Fix: ')
    expect(r.stdout).toContain('manifest HEAD  registry-1.docker.io  docker.io/library/golang:1.21.3-alpine3.18  (2 times, first at line 7)')
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      'Diagnose these references with: dagger-explore diagnose docker.io/library/golang:1.21.3-alpine3.18 docker.io/tonistiigi/xx:1.2.1',
    )
  })

  it('exits 0 when no failure is found', async () => {
    const r = await run(['clean.log'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('No failures found in clean.log (2 lines).\n')
    expect(JSON.parse((await run(['clean.log', '--json'])).stdout)).toEqual({failures: []})
  })

  it('explains a missing file in one paragraph, exit 2', async () => {
    const r = await run(['nope.log'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^dagger-explore explain: there is no file nope\.log\.\nFix: Save the build output first .+\n$/)
    expect(r.stderr.trim().split('\n')).toHaveLength(2)
  })

  it.each([
    [['a.log', 'b.log'], /one log file/, /^To read several, join them: cat a\.log b\.log \| dagger-explore explain -$/],
    [['--bogus'], /bogus/, /^Run `dagger-explore explain --help` for the options\.$/],
    [['.'], /is a directory\.$/m, /^Give the path of a log file/],
    [['binary.bin'], /looks like a binary file/, /^Give the saved output of the build/],
  ])('rejects bad usage %j with exit 2', async (argv, message, fix) => {
    const r = await run(argv)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    // The message, then what to do on its own "Fix:" line.
    const [said, fixLine, ...more] = r.stderr.trim().split('\n')
    expect(said).toMatch(message)
    expect(fixLine?.replace(/^Fix: /, '')).toMatch(fix)
    expect(fixLine).toMatch(/^Fix: /)
    expect(more).toEqual([])
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('with --json, a refusal is also {ok:false,error,fix} on stdout', async () => {
    const r = await run(['a.log', 'b.log', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({ok: false, error: expect.stringMatching(/reads one log file .* not 2/), fix: 'To read several, join them: cat a.log b.log | dagger-explore explain -'})
  })

  it('does not wait on a terminal when no log is given', async () => {
    const r = await run([], null, true)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/standard input is a terminal\.\nFix: Give a log file \(dagger-explore explain build\.log\) or pipe one in/)
  })

  it('prints help', async () => {
    const r = await run(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Usage: dagger-explore explain \[FILE\|-\] \[--json\]/)
  })
})

function exec(file: string, args: string[], input: string | null): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, {cwd: dir, timeout: 30_000, env: {...process.env, NO_COLOR: '1'}}, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({code, stdout, stderr})
    })
    if (input !== null) child.stdin?.end(input)
    else child.stdin?.end()
  })
}

describe('explain command (as a process)', () => {
  let entry: string
  beforeAll(async () => {
    // The command bundled behind a minimal entry, so it runs with real stdin/stdout and exit codes.
    const source = path.join(dir, 'entry.ts')
    writeFileSync(
      source,
      `import {main} from ${JSON.stringify(path.join(ROOT, 'src/cli/commands/explain.ts'))}
const io = {stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), color: false, interactive: false}
process.exitCode = await main(process.argv.slice(2), io)
`,
    )
    entry = path.join(dir, 'entry.mjs')
    await build({entryPoints: [source], outfile: entry, bundle: true, format: 'esm', platform: 'node', target: 'node22', logLevel: 'silent', external: ['dockerode', 'ssh2', 'cpu-features', 'react-devtools-core'], banner: {js: "import {createRequire as __cr} from 'node:module';const require = __cr(import.meta.url);"}})
  })

  it('explains a file and standard input alike', async () => {
    const fromFile = await exec(process.execPath, [entry, 'build.log', '--json'], null)
    const fromStdin = await exec(process.execPath, [entry, '-', '--json'], SEED)
    expect(fromFile.code).toBe(1)
    expect(fromStdin.code).toBe(1)
    expect(fromStdin.stdout).toBe(fromFile.stdout)
    expect((JSON.parse(fromFile.stdout) as {failures: unknown[]}).failures).toHaveLength(3)
  })

  it('exits 2 on a missing file without a stack trace', async () => {
    const r = await exec(process.execPath, [entry, 'missing.log'], null)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/there is no file missing\.log/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})

// Once the lead wires `explain` into the dispatcher, the built CLI must behave the same.
const BUILT = path.join(ROOT, 'dist/cli.js')
const wired = (() => {
  try {
    return readFileSync(path.join(ROOT, 'src/cli/main.ts'), 'utf8').includes("commands/explain.js") && readFileSync(BUILT, 'utf8').length > 0
  } catch {
    return false
  }
})()

describe.skipIf(!wired)('dagger-explore explain (built CLI)', () => {
  it('runs on a file and on stdin', async () => {
    const bin = path.join(ROOT, 'bin/dagger-explore.js')
    const fromFile = await exec(process.execPath, [bin, 'explain', 'build.log', '--json'], null)
    const fromStdin = await exec(process.execPath, [bin, 'explain', '-', '--json'], SEED)
    expect(fromFile.code).toBe(1)
    expect(fromStdin.stdout).toBe(fromFile.stdout)
    const missing = await exec(process.execPath, [bin, 'explain', 'missing.log'], null)
    expect(missing.code).toBe(2)
  })
})

describe('explain command, long lists', () => {
  it('shows the first failures in plain mode and points to --json for the rest', async () => {
    let log = ''
    for (let i = 0; i < 45; i++) log += `${i}: exec step-${i} ERROR: process "/bin/sh -c step-${i}" did not complete successfully: exit code: 1\n`
    const r = await run(['-'], log)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('45 failures in standard input')
    expect(r.stdout).toContain('5 more distinct failures are not shown here; --json lists 45 of them.')
    expect(r.stdout).not.toContain('Diagnose these references')
  })
})
