import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {PassThrough} from 'node:stream'
import {afterAll, describe, expect, it} from 'vitest'
import type {CliIO} from '../../src/cli/io.js'
import {main} from '../../src/cli/main.js'
import {checkoutText, identifyCheckout, resumeCheckout} from '../../src/core/notebook/checkout-id.js'
import {SessionLog} from '../../src/core/notebook/session-log.js'

const temps: string[] = []
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, {recursive: true, force: true})))
})

const COMMIT_A = 'a'.repeat(40)
const COMMIT_B = '1b2c3d4e5f60718293a4b5c6d7e8f90123456789'

/** A folder that is a dagger checkout as far as the tool can tell: the go.mod and git files it reads. */
async function checkout(parent: string, name: string, commit: string, packed = false): Promise<string> {
  const root = path.join(parent, name)
  await mkdir(path.join(root, '.git', 'refs', 'heads'), {recursive: true})
  await writeFile(path.join(root, 'go.mod'), 'module github.com/dagger/dagger\n\ngo 1.21\n')
  await writeFile(path.join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n')
  if (packed) await writeFile(path.join(root, '.git', 'packed-refs'), `# pack-refs with: peeled fully-peeled sorted\n${commit} refs/heads/main\n`)
  else await writeFile(path.join(root, '.git', 'refs', 'heads', 'main'), `${commit}\n`)
  return root
}

const cells = [{id: 'environment', title: 'Environment'}] as const

async function setup(): Promise<{dir: string; notes: string; a: string; b: string; log: SessionLog}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'de-resume-co-'))
  temps.push(dir)
  const a = await checkout(dir, 'dagger-a', COMMIT_A)
  const b = await checkout(dir, 'dagger-b', COMMIT_B, true)
  const notes = path.join(dir, 'notes')
  const id = (await identifyCheckout(b))!
  const log = await SessionLog.create(notes, {startedAt: new Date('2026-11-23T10:11:12Z'), host: 'h', os: 'o', versions: 'v', dockerEndpoint: 'e', checkout: checkoutText(id), checkoutRoot: id.root}, cells)
  return {dir, notes, a, b, log}
}

async function run(argv: string[], cwd: string): Promise<{code: number; stdout: string; stderr: string}> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const io: CliIO = {stdout, stderr, stdin: new PassThrough(), env: {HOME: cwd, DOCKER_HOST: 'unix:///nonexistent.sock'}, cwd, color: false, interactive: false}
  const code = await main(argv, io)
  return {code, stdout: out, stderr: err}
}

describe('--resume names the checkout and does not mix two', () => {
  it('reads the checkout and its commit from the git files (loose ref and packed-refs)', async () => {
    const {a, b, log} = await setup()
    expect(checkoutText((await identifyCheckout(path.join(a, '.git')))!)).toBe(`${a} (main at aaaaaaaaaaaa)`)
    expect(log.checkout).toBe(`${b} (main at 1b2c3d4e5f60)`)
    expect(await readFile(log.path, 'utf8')).toContain(`| Checkout | ${b} (main at 1b2c3d4e5f60) |`)
  })

  it('refuses --resume --dagger-src A for a session of checkout B in one paragraph, exit 2', async () => {
    const {dir, notes, a, b} = await setup()
    const r = await run(['--plain', '--resume', '--dagger-src', a, '--notes-dir', notes], dir)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    // One paragraph: what was found, then the one Fix line every expected error ends with.
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[1]).toMatch(/^Fix: /)
    expect(r.stderr).toContain(`works on the checkout ${b} (main at 1b2c3d4e5f60), not on ${a} (main at aaaaaaaaaaaa)`)
    expect(r.stderr).toContain('--resume-any-checkout')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('--resume-any-checkout without --resume is a usage error', async () => {
    const {dir, notes} = await setup()
    const r = await run(['--plain', '--resume-any-checkout', '--notes-dir', notes], dir)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--resume-any-checkout goes with --resume/)
  })

  it('carries on with the same checkout, with the session’s own outside any checkout, and with another only when told', async () => {
    const {dir, a, b, log} = await setup()
    const same = await SessionLog.resume(log.path, cells)
    expect(await resumeCheckout(same, {daggerSrc: path.join(b, 'sub'), cwd: dir, anyCheckout: false})).toBeUndefined()
    const outside = await SessionLog.resume(log.path, cells)
    expect(await resumeCheckout(outside, {daggerSrc: undefined, cwd: dir, anyCheckout: false})).toBe(b)
    const other = await SessionLog.resume(log.path, cells)
    await expect(resumeCheckout(other, {daggerSrc: undefined, cwd: a, anyCheckout: false})).rejects.toThrow(/works on the checkout/)
    expect(await resumeCheckout(other, {daggerSrc: a, cwd: dir, anyCheckout: true})).toBeUndefined()
    await other.addNote('environment', 'x')
    expect(await readFile(log.path, 'utf8')).toContain(`| Checkout | ${a} (main at aaaaaaaaaaaa); before the resume: ${b} (main at 1b2c3d4e5f60) |`)
  })
})
