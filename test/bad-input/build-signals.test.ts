import {execa} from 'execa'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN} from '../helpers/cli.js'
import {dockerAvailable} from '../helpers/docker.js'
import {FAKE_GO_DIR, makeCheckout, type FixtureCheckout} from '../engine/fixtures/checkout.js'
import {type EngineLab, makeLab} from '../engine/lab.js'

const skip = !dockerAvailable() && process.env.CI !== 'true'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (check()) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return check()
}

describe.skipIf(skip)('a signal to engine build / check build stops the whole process group of hack/dev', () => {
  let lab: EngineLab
  let fixture: FixtureCheckout
  let env: NodeJS.ProcessEnv
  beforeAll(() => {
    lab = makeLab()
    fixture = makeCheckout('internal-mage', lab.engineTar, {parent: lab.dir})
    env = {...lab.env([FAKE_GO_DIR]), CI: 'true'}
  })
  afterAll(() => lab?.cleanup())

  const runs: [string, string[], NodeJS.Signals][] = [
    ['engine build', ['engine', 'build'], 'SIGTERM'],
    ['engine build', ['engine', 'build'], 'SIGHUP'],
    ['check build', ['check', 'build', '--plain'], 'SIGTERM'],
    ['check build', ['check', 'build', '--plain'], 'SIGHUP'],
  ]
  it.each(runs)('%s gets %s', async (_, args, signal) => {
    // hack/dev starts a grandchild that would outlive a plain kill of its parent.
    const pidFile = path.join(lab.dir, `grandchild-${signal}-${args[0]}.pid`)
    writeFileSync(path.join(fixture.root, 'hack', 'dev'), `#!/usr/bin/env bash\nsleep 300 &\necho $! > ${pidFile}\necho building\nwait\n`, {mode: 0o755})
    const child = execa(process.execPath, [BIN, ...args, '--dagger-src', fixture.root, '--notes-dir', lab.dir], {reject: false, env, extendEnv: false, timeout: 30_000})
    expect(await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 20_000)).toBe(true)
    const grandchild = Number(readFileSync(pidFile, 'utf8'))
    expect(alive(grandchild)).toBe(true)
    const sent = Date.now()
    child.kill(signal)
    const r = await child
    expect(Date.now() - sent).toBeLessThan(4000)
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$|something went wrong inside/m)
    expect(await until(() => !alive(grandchild), 3000)).toBe(true)
  })
})
