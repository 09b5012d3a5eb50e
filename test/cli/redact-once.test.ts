import {PassThrough} from 'node:stream'
import {beforeEach, describe, expect, it, vi} from 'vitest'

// Counts the redaction passes: every byte that leaves should be read by the redaction table once.
const calls = vi.hoisted(() => ({redact: 0}))
vi.mock('../../src/core/notebook/sanitize.js', async (original) => {
  const real = await original<typeof import('../../src/core/notebook/sanitize.js')>()
  return {
    ...real,
    redact: (text: string): string => {
      calls.redact++
      return real.redact(text)
    },
  }
})

const {cleanOutput} = await import('../../src/core/present/clean-output.js')
const {guardOutput} = await import('../../src/cli/redacting-output.js')

const TOKEN = `ghp_${'a1B2'.repeat(9)}`

/** A stand-in for process.stdout that keeps what reached the terminal. */
function terminal(): {stream: NodeJS.WriteStream; written: () => string} {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream
  const chunks: Buffer[] = []
  ;(stream as unknown as PassThrough).on('data', (c: Buffer) => chunks.push(c))
  return {stream, written: () => Buffer.concat(chunks).toString('utf8')}
}

beforeEach(() => {
  calls.redact = 0
})

describe('each byte is redacted once', () => {
  it('cleanOutput reads the text once, with colour kept or not', () => {
    for (const keepSgr of [false, true]) {
      calls.redact = 0
      expect(cleanOutput(`\u001B[31mred\u001B[39m token ${TOKEN}`, {keepSgr})).toBe('red token [REDACTED]')
      expect(calls.redact, `keepSgr ${keepSgr}, a secret`).toBe(1)
      calls.redact = 0
      expect(cleanOutput('\u001B[31mred\u001B[39m plain', {keepSgr})).toBe(keepSgr ? '\u001B[31mred\u001B[39m plain' : 'red plain')
      expect(calls.redact, `keepSgr ${keepSgr}, no secret`).toBe(1)
    }
  })

  it('a plain write through the commands’ writer is redacted once, and so is what Ink writes to the stream itself', async () => {
    const {stream, written} = terminal()
    const writer = guardOutput(stream, {keepSgr: false})
    writer.write(`[FAIL] Registry\n    login: ${TOKEN}\n`)
    expect(calls.redact).toBe(1)
    // Ink renders to the process stream directly, past the writer.
    stream.write(`\u001B[2K frame with ${TOKEN}\n`)
    expect(calls.redact).toBe(2)
    writer.write(Buffer.from(`bytes ${TOKEN}\n`))
    expect(calls.redact).toBe(3)
    await new Promise((resolve) => setImmediate(resolve))
    const out = written()
    expect(out).not.toContain(TOKEN)
    expect(out.split('[REDACTED]')).toHaveLength(4)
    expect(out).toContain('[FAIL] Registry\n    login: [REDACTED]\n')
  })
})
