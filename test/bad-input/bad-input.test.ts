import {execa} from 'execa'
import {readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {mkdir, readdir, readFile} from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN} from '../helpers/cli.js'
import {tinyDisk} from '../helpers/tiny-disk.js'
import {buildCases, notesDir, scratch, sockets, STACK, type BadInputCase} from './cases.js'

const cases = buildCases()
const ESCAPE = /[\u001B\u0007\u009B\u009D\u0090\u009F]/
const SIGNAL_CODE: Record<string, number> = {SIGHUP: 129, SIGINT: 130, SIGTERM: 143}

const servers: net.Server[] = []
beforeAll(async () => {
  const reply = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'
  const behaviours: Record<keyof typeof sockets, (s: net.Socket) => void> = {
    slow: (s) => {
      let i = 0
      const t = setInterval(() => (i < reply.length ? s.write(reply[i++] ?? '') : clearInterval(t)), 1000)
      s.on('close', () => clearInterval(t))
    },
    garbage: (s) => s.end(Buffer.from('HTTP/9.9 \u0000\u00ff garbage\r\n\r\n')),
    silent: () => undefined,
  }
  for (const [kind, file] of Object.entries(sockets) as [keyof typeof sockets, string][]) {
    const server = net.createServer((s) => {
      s.on('error', () => undefined)
      behaviours[kind](s)
    })
    await new Promise<void>((resolve) => server.listen(file, resolve))
    servers.push(server)
  }
})
afterAll(() => {
  for (const s of servers) s.close()
  rmSync(scratch, {recursive: true, force: true})
})

/** Every file under `dir` (the notes folder), read as text: no planted secret may be in any of them. */
function notesText(dir: string): string {
  let out = ''
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name)
    const info = statSync(file, {throwIfNoEntry: false})
    if (info?.isFile()) out += readFileSync(file, 'utf8')
  }
  return out
}

async function runCase(c: BadInputCase): Promise<{code: number; stdout: string; stderr: string; ms: number}> {
  const started = Date.now()
  const child = execa(process.execPath, [BIN, ...c.args], {
    reject: false,
    // A hard stop well past the bound: a hang fails the bound assertion instead of the whole suite.
    timeout: c.boundMs + 5000,
    env: {...process.env, CI: '', NO_COLOR: '', FORCE_COLOR: '', ...c.env},
    extendEnv: false,
    ...(c.input !== undefined ? {input: c.input} : c.signal ? {stdin: 'pipe'} : {stdin: 'ignore'}),
    maxBuffer: 64 * 1024 * 1024,
  })
  if (c.signal) setTimeout(() => child.kill(c.signal?.name), c.signal.afterMs)
  const r = await child
  const code = r.exitCode ?? (r.signal ? (SIGNAL_CODE[r.signal] ?? 128) : -1)
  return {code, stdout: String(r.stdout), stderr: String(r.stderr), ms: Date.now() - started}
}

describe.concurrent('bad input', () => {
  it.each(cases.map((c) => [`${c.group}: ${c.name}`, c] as const))('%s', async (_, c) => {
    const r = await runCase(c)
    const all = `${r.stdout}\n${r.stderr}`
    expect(all, 'no stack frame or internal error').not.toMatch(STACK)
    expect(r.ms, 'gone within its bound').toBeLessThan(c.boundMs)
    expect(c.codes, `exit code ${r.code}; stderr: ${r.stderr.slice(0, 400)}`).toContain(r.code)
    for (const secret of c.secrets ?? []) {
      expect(all.includes(secret), `secret in output: ${secret}`).toBe(false)
      expect(notesText(notesDir).includes(secret), `secret in the notes folder: ${secret}`).toBe(false)
    }
    if (c.says) expect(all).toMatch(c.says)
    if (c.noEscapes) expect(r.stdout).not.toMatch(ESCAPE)
  })
})

describe('bad input: a full disk (a real 64k tmpfs)', () => {
  it('check keeps running, prints the finished cell, reports the path and free space, leaves no temp file, and exits 1', async () => {
    const disk = await tinyDisk('64k')
    try {
      const dir = path.join(disk.dir, 'notes')
      await mkdir(dir)
      await disk.fill()
      const r = await runCase({group: 'full disk', name: 'check', args: ['check', 'environment', 'daemon', '--plain', '--notes-dir', dir], codes: [1], boundMs: 20_000})
      expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK)
      expect(r.code).toBe(1)
      expect(r.stdout).toMatch(/Environment/)
      expect(r.stdout).toMatch(/Docker daemon/)
      expect(`${r.stdout}${r.stderr}`).toMatch(/no space left on the device \(.* free on that filesystem\)/)
      expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
      // Space comes back: a resumed session saves everything again.
      await disk.free()
      const again = await runCase({group: 'full disk', name: 'check after', args: ['check', 'environment', '--plain', '--notes-dir', dir], codes: [0, 1], boundMs: 20_000})
      expect(again.stdout).toMatch(/Notes saved to/)
      const [log] = (await readdir(dir)).filter((n) => n.endsWith('-session.md'))
      expect(await readFile(path.join(dir, log ?? ''), 'utf8')).toMatch(/## .*Environment/)
    } finally {
      await disk.done()
    }
  })
})

it('the table holds at least 200 cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(200)
})
