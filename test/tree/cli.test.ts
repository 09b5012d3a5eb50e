import {join} from 'node:path'
import {PassThrough} from 'node:stream'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {main} from '../../src/cli/commands/tree.js'
import type {CliIO} from '../../src/cli/io.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {v09BrokenLayers, v09Layers} from './era-fixtures.js'
import {docker, PREFIX, removeImages, removeTemp, savedLayout, tempDir, writeArchive} from './fixtures.js'

const skip = skipWithoutDocker()
const GOOD = `${PREFIX}/cli:good`
const BAD = `${PREFIX}/cli:bad`
let dir = ''

async function run(...argv: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  const out = new PassThrough()
  const err = new PassThrough()
  let stdout = ''
  let stderr = ''
  out.on('data', (c: Buffer) => (stdout += c.toString()))
  err.on('data', (c: Buffer) => (stderr += c.toString()))
  const io: CliIO = {stdout: out, stderr: err, stdin: new PassThrough(), env: process.env, cwd: process.cwd(), color: false, interactive: false}
  const code = await main(argv, io)
  return {code, stdout, stderr}
}

describe('dagger-explore tree: usage', () => {
  it('prints help and exits 0', async () => {
    const r = await run('--help')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Usage: dagger-explore tree IMAGE\|CONTAINER/)
  })

  it('exits 2 on bad usage, with one paragraph on stderr', async () => {
    for (const argv of [[], ['a', 'b'], ['x', '--bogus'], ['x', '--layer', 'two'], ['x', '--era', 'nope']]) {
      const r = await run(...argv)
      expect(r.code, argv.join(' ')).toBe(2)
      expect(r.stdout).toBe('')
      // One paragraph: what is wrong, then what to do on its own "Fix:" line.
      const [said, fix, ...more] = r.stderr.trim().split('\n')
      expect(said, argv.join(' ')).toMatch(/^dagger-explore tree: \S/)
      expect(fix, argv.join(' ')).toMatch(/^Fix: (See `dagger-explore tree --help`|Name one, e\.g\. `dagger-explore tree |Pass one of those|Pass a whole number)/)
      expect(more).toEqual([])
    }
    expect((await run()).stderr).toMatch(/exactly one image or container; none was given\.\nFix: Name one/)
    expect((await run('a', 'b')).stderr).toMatch(/exactly one image or container; 2 were given\.\nFix: Name one/)
    expect((await run('x', '--image', '--container')).stderr).toMatch(/exclude each other\.\nFix: Pass one of them/)
  })
})

describe.skipIf(skip)('dagger-explore tree against the daemon', () => {
  beforeAll(async () => {
    dir = await tempDir()
    await writeArchive(join(dir, 'good.tar'), GOOD, v09Layers(), 'classic')
    await writeArchive(join(dir, 'bad.tar'), BAD, v09BrokenLayers(), 'classic')
    await docker(['load', '-i', join(dir, 'good.tar')])
    await docker(['load', '-i', join(dir, 'bad.tar')])
  })

  afterAll(async () => {
    await removeImages([GOOD, BAD])
    if (dir) await removeTemp(dir)
  })

  it('prints the tree with dive-like rows', async () => {
    const r = await run(GOOD)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^-rwx------\s+0:0\s+36 B\s+[│ ]+├── runc$/m)
    expect(r.stdout).toMatch(/engine -> dagger-engine$/m)
    expect(r.stdout).toMatch(/drwxr-x---\s+1000:1000\s+12 B\s+│   └── dev$/m)
    expect(r.stdout).not.toMatch(/old-tool/)
  })

  it('--components exits 0 when everything is there and 1 when something is missing', async () => {
    const good = await run(GOOD, '--components')
    expect(good.code).toBe(0)
    expect(good.stdout).toMatch(/16 of 16 components present, 7 of 7 packages\./)
    const bad = await run(BAD, '--components')
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/MISS\s+\/opt\/cni\/bin\/dnsname/)
    expect(bad.stdout).toMatch(/WARN\s+\/usr\/local\/bin\/runc\s+0755/)
    expect(bad.stdout).toMatch(/Fix: /)
  })

  it('--json prints only JSON, for the tree and for the checklist', async () => {
    const tree = await run(GOOD, '--json')
    const doc = JSON.parse(tree.stdout) as {layout: string; files: {path: string; mode: string; link?: string}[]; layers: unknown[]}
    expect(doc.layout).toBe(await savedLayout(GOOD))
    expect(doc.layers).toHaveLength(3)
    expect(doc.files.find((f) => f.path === '/usr/local/bin/runc')?.mode).toBe('0700')
    expect(doc.files.find((f) => f.path === '/usr/bin/runc')?.link).toBe('/usr/local/bin/runc')
    const checklist = await run(BAD, '--components', '--json')
    expect(checklist.code).toBe(1)
    const c = JSON.parse(checklist.stdout) as {ok: boolean; findings: {id: string}[]}
    expect(c.ok).toBe(false)
    expect(c.findings.map((f) => f.id)).toContain('component-missing-cni-dnsname')
  })

  it('--layer N --changes shows what that layer did', async () => {
    const r = await run(GOOD, '--layer', '2', '--changes')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/old-tool\s+\[removed\]/)
    expect(r.stdout).toMatch(/tool-b => \/usr\/local\/bin\/tool-a\s+\[added\]/)
    expect(r.stdout).not.toMatch(/dagger-shim/)
    const bad = await run(GOOD, '--layer', '9')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/has 3 layers \(0 to 2\)/)
  })

  it('an unknown image is a clear one-paragraph error, exit 2', async () => {
    const r = await run(`${PREFIX}/nope:1`)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Docker has no container and no image called .*Images are never pulled/)
    expect(r.stderr).toMatch(/\nFix: Give an image name or ID as `docker images` lists it .* or a container name or ID from `docker ps -a`/)
    expect(r.stderr.trim().split('\n')).toHaveLength(2)
  })
})
