import {execa} from 'execa'
import {readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {mkdir, readdir, readFile} from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN} from '../helpers/cli.js'
import {tinyDisk} from '../helpers/tiny-disk.js'
import {buildCases, notesDir, scratch, sockets, STACK, tlsFaults, type BadInputCase} from './cases.js'

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
afterAll(async () => {
  for (const s of servers) s.close()
  await tlsFaults.close()
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

/**
The session a run announced ("notes go to FILE") is on disk with every cell the run printed, and no
temp file is left beside it; a run stopped before it announced a session may have written none.
*/
async function expectNotesOnDisk(dir: string, stdout: string): Promise<void> {
  const names = await readdir(dir)
  expect(names.filter((n) => n.includes('.tmp')), 'no temp file left').toEqual([])
  const announced = /notes go to (\S+-session\.md)/.exec(stdout)?.[1]
  if (!announced) return
  const text = await readFile(announced, 'utf8')
  expect(text, 'the session file has its heading').toMatch(/^# /m)
  for (const [, title] of stdout.matchAll(/^\[(?:PASS|WARN|FAIL|SKIP)\] (.+?) \(\d+ ms\)$/gm)) {
    expect(text, `the printed cell "${title}" is in the notes`).toContain(`${title}`)
  }
}

/**
Resolves once /proc says the process catches SIGHUP (bit 1 of its SigCgt mask), or after 10 s. Node's
C++ start-up already catches SIGINT and SIGTERM (to reset the terminal, then die by the signal), so
their bits say nothing; SIGHUP is caught only by bin's handler, installed last of the three.
*/
async function handlerInstalled(pid: number): Promise<void> {
  const bit = 1n
  const end = Date.now() + 10_000
  while (Date.now() < end) {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''))?.[1]
    if (mask !== undefined && (BigInt(`0x${mask}`) & bit) !== 0n) return
    await new Promise((r) => setTimeout(r, 2))
  }
}

async function runCase(c: BadInputCase): Promise<{code: number; stdout: string; stderr: string; ms: number; quietMs: number}> {
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
  if (c.signal) {
    const {name, afterMs} = c.signal
    // From the moment the process catches the signal (bin's first statement): before that only Node's own
    // bootstrap runs, where no JavaScript can catch anything (measured in README's reliability section).
    void (c.signal.afterHandler && child.pid ? handlerInstalled(child.pid) : Promise.resolve()).then(() => setTimeout(() => child.kill(name), afterMs))
  }
  let lastOutput = started
  child.stdout?.on('data', () => (lastOutput = Date.now()))
  child.stderr?.on('data', () => (lastOutput = Date.now()))
  const r = await child
  const quietMs = Date.now() - lastOutput
  const code = r.exitCode ?? (r.signal ? (SIGNAL_CODE[r.signal] ?? 128) : -1)
  return {code, stdout: String(r.stdout), stderr: String(r.stderr), ms: Date.now() - started, quietMs}
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
    if (c.notesOnDisk) await expectNotesOnDisk(c.notesOnDisk, r.stdout)
    if (c.exitsAfterOutputMs !== undefined) expect(r.quietMs, 'gone soon after its last word (every socket closed)').toBeLessThan(c.exitsAfterOutputMs)
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
