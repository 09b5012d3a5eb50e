import {mkdtemp} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {DaggerExploreError, UsageError, errorText} from '../../src/core/errors.js'
import type {CliIO} from '../../src/core/io.js'
import {main, reportError} from '../../src/cli/main.js'
import {NothingToResume} from '../../src/cells/session.js'
import {NotesDirError} from '../../src/core/notebook/notes-dir.js'
import {ImageReferenceError, parseReference} from '../../src/core/registry/reference.js'

function io(): {io: CliIO; out: () => string; err: () => string} {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let o = ''
  let e = ''
  stdout.on('data', (d: Buffer) => (o += d.toString()))
  stderr.on('data', (d: Buffer) => (e += d.toString()))
  return {io: {stdout, stderr, stdin: new PassThrough(), env: {DOCKER_HOST: 'unix:///tmp/de-no-such.sock'}, cwd: tmpdir(), color: false, interactive: false}, out: () => o, err: () => e}
}

describe('one error base class', () => {
  it('carries message, fix, docs and exit code; usage errors exit 2', () => {
    const e = new DaggerExploreError('The engine is gone.', {fix: 'Start it with `dagger-explore engine start`.', docs: 'README.md#engine'})
    expect([e.message, e.fix, e.docs, e.exitCode, e.name]).toEqual(['The engine is gone.', 'Start it with `dagger-explore engine start`.', 'README.md#engine', 1, 'DaggerExploreError'])
    expect(new UsageError('bad').exitCode).toBe(2)
    expect(errorText(e)).toBe('The engine is gone. Start it with `dagger-explore engine start`.')
    const resume = new NothingToResume('/n')
    expect(resume).toBeInstanceOf(UsageError)
    expect(resume.message).not.toMatch(/Start one/)
    expect(resume.fix).toMatch(/Start one with `dagger-explore`/)
    expect(new NotesDirError('x').fix).toMatch(/Point --notes-dir at a folder you can write/)
  })

  it('renames the registry reference error so it no longer shadows the built-in', () => {
    expect(() => parseReference('a b')).toThrow(ImageReferenceError)
    expect(() => parseReference('a b')).toThrow(DaggerExploreError)
    expect(ImageReferenceError).not.toBe(globalThis.ReferenceError)
  })
})

describe('reportError', () => {
  it('prints the message and a Fix line in text mode', () => {
    const t = io()
    expect(reportError(new UsageError('No such thing.', {fix: 'Name a real one.'}), t.io)).toBe(2)
    expect(t.err()).toBe('dagger-explore: No such thing.\nFix: Name a real one.\n')
    expect(t.out()).toBe('')
  })

  it('adds {ok:false,error,fix} on stdout with --json', () => {
    const t = io()
    expect(reportError(new DaggerExploreError('Broken', {fix: 'Mend it.'}), t.io, true)).toBe(1)
    expect(JSON.parse(t.out())).toEqual({ok: false, error: 'Broken.', fix: 'Mend it.'})
  })

  it('prints where to read more on a Docs line, and as docs in JSON, when the error says', () => {
    const t = io()
    expect(reportError(new DaggerExploreError('Broken', {fix: 'Mend it.', docs: 'https://example.invalid/mend'}), t.io, true)).toBe(1)
    expect(t.err()).toBe('dagger-explore: Broken.\nFix: Mend it.\nDocs: https://example.invalid/mend\n')
    expect(JSON.parse(t.out())).toEqual({ok: false, error: 'Broken.', fix: 'Mend it.', docs: 'https://example.invalid/mend'})
  })

  it('points a bad Docker endpoint at the docker CLI docs for DOCKER_HOST and DOCKER_CONTEXT', async () => {
    const t = io()
    t.io.env.DOCKER_HOST = 'bogus://x'
    expect(await main(['engine', 'status'], t.io)).toBe(1)
    expect(t.err()).toContain('\nDocs: https://docs.docker.com/engine/reference/commandline/cli/#environment-variables\n')
  })

  it('keeps internal bugs to one paragraph without a stack trace', () => {
    const t = io()
    expect(reportError(new TypeError('x is undefined'), t.io)).toBe(1)
    expect(t.err()).toMatch(/^dagger-explore: something went wrong inside dagger-explore: x is undefined\. Your notes written so far are kept\.\nFix: .*DAGGER_EXPLORE_DEBUG=1/)
    expect(t.err()).not.toMatch(/\n\s+at /)
  })

  it('--resume with nothing to resume: exit 2, the fix on its own line, and JSON on stdout with --json', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'de-errors-'))
    const t = io()
    expect(await main(['check', 'environment', '--resume', '--json', '--notes-dir', dir], t.io)).toBe(2)
    expect(t.err()).toMatch(/no saved session in .* to resume\.\nFix: Start one/)
    expect(JSON.parse(t.out().trim().split('\n').at(-1) ?? '')).toMatchObject({ok: false, error: expect.stringMatching(/to resume/), fix: expect.stringMatching(/Start one/)})
  })
})

describe('engine errors', () => {
  it('an unreachable daemon gets its fix from the error code, on a Fix line, and in the JSON', async () => {
    const {main: engine} = await import('../../src/cli/commands/engine.js')
    const t = io()
    expect(await engine(['status'], t.io)).toBe(1)
    expect(t.err()).toMatch(/^dagger-explore engine status: connect ENOENT \/tmp\/de-no-such\.sock\.\nFix: Is the Docker daemon running, and can you use its socket\?/)
    const j = io()
    expect(await engine(['status', '--json'], j.io)).toBe(1)
    expect(JSON.parse(j.out())).toMatchObject({ok: false, error: expect.stringMatching(/ENOENT/), fix: expect.stringMatching(/Is the Docker daemon running/)})
  })
})

describe('one withTimeout for Docker calls', () => {
  it('is the same function from both modules and rejects with a timeout DockerCallError', async () => {
    const client = await import('../../src/core/docker/client.js')
    const api = await import('../../src/core/engine/docker-api.js')
    expect(api.withTimeout).toBe(client.withTimeout)
    const never = new Promise<never>(() => undefined)
    const error = await client.withTimeout(never, 20, 'GET /_ping').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(client.DockerCallError)
    expect(error).toBeInstanceOf(DaggerExploreError)
    expect(error).toMatchObject({failure: 'timeout', code: 'ETIMEDOUT', message: 'GET /_ping got no answer within 20 ms', fix: undefined})
  })

  it('an unreachable socket is a DockerCallError that carries its fix, read from the code, not the wording', async () => {
    const client = await import('../../src/core/docker/client.js')
    const refused = client.classifyDockerError(Object.assign(new Error('anything at all'), {code: 'ECONNREFUSED'}))
    expect(refused).toMatchObject({failure: 'refused', message: 'anything at all', fix: expect.stringMatching(/^Is the Docker daemon running, and can you use its socket\?/)})
    expect(client.classifyDockerError(Object.assign(new Error('connect ECONNREFUSED'), {code: 'ENOTFOUND'})).fix).toBeUndefined()
  })
})
