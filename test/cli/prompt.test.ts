import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'
import type {CliIO} from '../../src/core/io.js'
import {askOnce, Prompter} from '../../src/cli/prompt.js'

function io(input: string) {
  const stdin = new PassThrough()
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (d: Buffer) => (out += d.toString()))
  stderr.on('data', (d: Buffer) => (err += d.toString()))
  stdin.end(input)
  const value: CliIO = {stdin, stdout, stderr, env: {}, cwd: '/', color: false, interactive: true}
  return {io: value, out: () => out, err: () => err}
}

describe('the prompt module', () => {
  it('asks on stderr, never on stdout, and reads several answers from one stdin', async () => {
    const t = io('n\n d \n')
    const p = new Prompter(t.io)
    expect(await p.ask('first? ')).toBe('n')
    expect(await p.ask('second? ')).toBe('d')
    expect(await p.ask('third? ')).toBeUndefined() // input ended
    p.close()
    expect(t.err()).toBe('first? second? third? ')
    expect(t.out()).toBe('')
  })

  it.each([
    ['y\n', 'yes'], ['YES\n', 'yes'], ['q\n', 'quit'], ['n\n', 'no'], ['\n', 'no'], ['', 'no'],
  ] as const)('askOnce reads %j as %s', async (input, expected) => {
    const t = io(input)
    expect(await askOnce(t.io, 'Run this? [y/N/q] ')).toBe(expected)
    expect(t.out()).toBe('')
  })
})
