import {PassThrough} from 'node:stream'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {main} from '../../src/cli/commands/diagnose.js'
import {UsageError, type CliIO} from '../../src/cli/io.js'
import {startFronts, type Fronts} from './fronts.js'

let fronts: Fronts

beforeAll(async () => {
  fronts = await startFronts()
})

afterAll(async () => {
  await fronts?.close()
})

function makeIO(): {io: CliIO; out: () => string; err: () => string} {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => (out += c.toString()))
  stderr.on('data', (c: Buffer) => (err += c.toString()))
  const io: CliIO = {
    stdout,
    stderr,
    stdin: new PassThrough(),
    // Only the fronts' CA and an empty home: no proxy, no docker credentials, nothing off loopback.
    env: {HOME: fronts.certs.dir, DOCKER_CONFIG: fronts.certs.dir, NODE_EXTRA_CA_CERTS: fronts.certs.caFile},
    cwd: process.cwd(),
    color: false,
    interactive: false,
  }
  return {io, out: () => out, err: () => err}
}

describe('dagger-explore diagnose', () => {
  it('exits 0 and prints every layer for a healthy registry', async () => {
    const {io, out} = makeIO()
    const code = await main([fronts.ref('healthy'), '--control', 'none', '--platform', 'linux/arm64'], io)
    expect(code).toBe(0)
    expect(out()).toMatch(/✓ blob/)
    expect(out()).toMatch(/Verdict: ok/)
    expect(out()).toMatch(/All 1 reference\(s\) pass/)
  })

  it('prints the documented JSON shape and exits 1 on a failure, with the control scope', async () => {
    const {io, out} = makeIO()
    const code = await main([fronts.ref('closeOnAccept'), '--control', fronts.ref('healthy'), '--json', '--timeout', '2000'], io)
    expect(code).toBe(1)
    const report = JSON.parse(out()) as Record<string, unknown> & {results: Record<string, unknown>[]}
    expect(Object.keys(report).sort()).toEqual(['control', 'ms', 'ok', 'results'])
    const result = report.results[0] as Record<string, unknown>
    expect(Object.keys(result).sort()).toEqual(
      ['attempts', 'auth', 'canonical', 'control', 'digest', 'families', 'layers', 'notes', 'ms', 'ok', 'rateLimit', 'redirects', 'ref', 'verdict'].sort(),
    )
    expect(result.verdict).toMatchObject({category: 'eof', layer: 'tls', host: '127.0.0.1', scope: 'registry_specific', flaky: false, successRatio: 0})
    const layer = (result.layers as Record<string, unknown>[])[0] as Record<string, unknown>
    expect(Object.keys(layer).sort()).toEqual(['address', 'category', 'detail', 'family', 'host', 'ms', 'name', 'status'])
  })

  it('gives a never-answering registry its verdict within the per-layer wait', async () => {
    const {io, out, err} = makeIO()
    const started = performance.now()
    const code = await main([fronts.ref('neverAnswer'), '--control', 'none', '--layer-timeout', '800'], io)
    expect(performance.now() - started).toBeLessThan(1400)
    expect(code).toBe(1)
    expect(out()).toMatch(/tls_handshake_timeout at tls on 127\.0\.0\.1:\d+/)
    expect(out()).toMatch(/Fix: /)
    expect(err()).toBe('')
  })

  it('takes --timeout (the Docker wait everywhere else) as the per-layer wait, and says so', async () => {
    const {io, err} = makeIO()
    const started = performance.now()
    const code = await main([fronts.ref('neverAnswer'), '--control', 'none', '--timeout', '800'], io)
    expect(performance.now() - started).toBeLessThan(1400)
    expect(code).toBe(1)
    expect(err()).toBe('dagger-explore: diagnose takes --timeout 800 as --layer-timeout 800, the wait per layer (it makes no Docker call).\n')
  })

  it('reports flaky attempts', async () => {
    const {io, out} = makeIO()
    const code = await main([fronts.ref('flaky'), '--control', 'none', '--attempts', '4'], io)
    expect(code).toBe(1)
    expect(out()).toMatch(/Attempts: 2 of 4 passed \(flaky\)/)
  })

  it.each([
    [[], /at least one image reference/, /^Name one, e\.g\. `dagger-explore diagnose golang/],
    [['Golang:1'], /lowercase/, /^Write it as \[registry\/\]name\[:tag\]\[@digest\]/],
    [['alpine', '--attempts', '0'], /--attempts takes a whole number/, /^Pass one in that range, e\.g\. --attempts 8\.$/],
    [['alpine', '--timeout', 'soon'], /--timeout takes a whole number/, /--timeout 5000/],
    [['alpine', '--platform', 'amd64'], /os\/arch/, /^Write it as os\/arch, e\.g\. linux\/amd64/],
    [['https://gcr.io/x'], /is a URL, not an image reference/, /^Give an image reference without the scheme/],
    [['alpine', '--control', 'https://gcr.io/x'], /is a URL/, /^Give an image reference such as gcr\.io\/distroless\/static-debian12, or `none`/],
  ])('refuses bad usage %j before any network use', async (args, message, fix) => {
    const {io} = makeIO()
    await expect(main(args, io)).rejects.toThrow(UsageError)
    await expect(main(args, io)).rejects.toThrow(message)
    // What to do is the error's fix, not part of its message.
    const error = (await main(args, io).catch((e: unknown) => e)) as UsageError
    expect(error.fix).toMatch(fix)
    expect(error.message).not.toMatch(fix)
  })

  it('prints help', async () => {
    const {io, out} = makeIO()
    expect(await main(['--help'], io)).toBe(0)
    expect(out()).toMatch(/Usage: dagger-explore diagnose REF/)
  })
})
