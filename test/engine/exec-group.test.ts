import {execFileSync} from 'node:child_process'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {Recorder} from '../../src/core/notebook/recorder.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'dx-execgroup-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function left(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], {encoding: 'utf8'}).split('\n').filter((l) => l.includes(marker))
}

describe('a process that times out is killed with its children', () => {
  it('a wrapper script whose child hangs returns at its limit and leaves nothing running', async () => {
    // A unique sleep length marks this test's processes.
    const marker = `sleep ${1_000_000 + process.pid}`
    const script = path.join(dir, 'hang.sh')
    writeFileSync(script, `#!/bin/sh\necho starting\n${marker}\n`)
    chmodSync(script, 0o755)
    const rec = new Recorder()
    const started = Date.now()
    const run = await rec.exec(script, [], {timeoutMs: 1000})
    expect(Date.now() - started).toBeLessThan(4000)
    expect(run.timedOut).toBe(true)
    expect(run.stdout).toBe('starting')
    expect(rec.commands[0]?.output).toContain('(killed after 1000 ms: no answer in time)')
    await new Promise((r) => setTimeout(r, 300))
    expect(left(marker)).toEqual([])
  })

  it('a command that finishes in time is not touched', async () => {
    const run = await new Recorder().exec('sh', ['-c', 'echo ok'], {timeoutMs: 5000})
    expect(run).toMatchObject({exitCode: 0, stdout: 'ok', timedOut: false})
  })
})
