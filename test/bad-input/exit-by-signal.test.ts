import {spawn} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {BIN} from '../helpers/cli.js'

/**
Sends the signal every millisecond from the command's first output until it is gone, so some land
while it ends. A process that ended by draining its event loop closed its signal watchers first and
died by the signal in that window (20 of 20 `--help` runs under SIGHUP); one that ends by
process.exit keeps its handler to the last instruction.
*/
async function endUnderSignals(args: readonly string[], signal: NodeJS.Signals): Promise<{code: number | null; signal: NodeJS.Signals | null}> {
  const child = spawn(process.execPath, [BIN, ...args], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
  const ended = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.on('exit', (code, sig) => resolve({code, signal: sig})))
  let timer: NodeJS.Timeout | undefined
  const start = (): void => {
    timer ??= setInterval(() => {
      try {
        child.kill(signal)
      } catch {
        // gone already
      }
    }, 1)
  }
  child.stdout.once('data', start)
  child.stderr.once('data', start)
  child.stdout.resume()
  child.stderr.resume()
  try {
    return await ended
  } finally {
    clearInterval(timer)
  }
}

describe('a stop signal while the command ends', () => {
  for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: exits with its own code or 130, never dies by the signal`, async () => {
      const outcomes: string[] = []
      for (let i = 0; i < 8; i++) {
        const r = await endUnderSignals(['--help'], signal)
        outcomes.push(r.signal ?? String(r.code))
      }
      for (let i = 0; i < 4; i++) {
        const r = await endUnderSignals(['daemon-config', '/nonexistent/daemon.json'], signal)
        outcomes.push(r.signal ?? String(r.code))
      }
      expect(outcomes.filter((o) => !['0', '1', '2', '130'].includes(o)), outcomes.join(' ')).toEqual([])
    }, 60_000)
  }
})
