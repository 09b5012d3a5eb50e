import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {Readable} from 'node:stream'
import {afterAll, describe, expect, it} from 'vitest'
import {MAX_FAILURES} from '../../src/core/explain/collector.js'
import {createExplainer, explainFile, explainStream, explainText, refsFrom} from '../../src/core/explain/explain.js'
import type {ExplainReport} from '../../src/core/explain/report.js'

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
const SEED = [fixture('seed-manifest-eof.log'), fixture('seed-docker-pull.log'), fixture('seed-blob-eof.log')].join('')

/** The report with the same log pushed in chunks of `size` bytes. */
function inChunks(text: string, size: number): ExplainReport {
  const bytes = Buffer.from(text)
  const explainer = createExplainer()
  for (let at = 0; at < bytes.length; at += size) explainer.push(bytes.subarray(at, at + size))
  return explainer.end()
}

const pick = (r: ExplainReport) => r.failures.map((f) => ({category: f.category, op: f.op, host: f.host, ref: f.ref, count: f.count, line: f.line}))

describe('the field report logs', () => {
  it('finds the manifest HEAD EOF once, counted twice, at its first line', () => {
    const report = explainText(fixture('seed-manifest-eof.log'))
    expect(pick(report)).toEqual([
      {category: 'eof', op: 'manifest HEAD', host: 'registry-1.docker.io', ref: 'docker.io/library/golang:1.21.3-alpine3.18', count: 2, line: 7},
    ])
    expect(report.failures[0]?.url).toBe('https://registry-1.docker.io/v2/library/golang/manifests/1.21.3-alpine3.18')
    expect(report.failures[0]?.text).toBe(
      '21: resolve image config for docker.io/library/golang:1.21.3-alpine3.18 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21.3-alpine3.18": EOF',
    )
    expect(report.lines).toBe(13)
  })

  it('joins the docker pull error wrapped over five lines into one token GET failure', () => {
    const report = explainText(fixture('seed-docker-pull.log'))
    expect(pick(report)).toEqual([
      {category: 'eof', op: 'token GET', host: 'auth.docker.io', ref: 'docker.io/library/golang:1.21.3-alpine3.18', count: 1, line: 9},
    ])
    expect(report.failures[0]?.url).toBe(
      'https://auth.docker.io/token?account=cirocosta&scope=repository%3Alibrary%2Fgolang%3Apull&service=registry.docker.io',
    )
  })

  it('counts the blob EOF printed four times (step, step twice, pipeline) as one failure', () => {
    const report = explainText(fixture('seed-blob-eof.log'))
    expect(pick(report)).toEqual([{category: 'eof', op: 'blob GET', host: 'registry-1.docker.io', ref: 'docker.io/tonistiigi/xx', count: 4, line: 4}])
    // The step title next to the failure gives the tag to diagnose.
    expect(report.images).toContain('docker.io/tonistiigi/xx:1.2.1')
    expect(refsFrom(report)).toEqual(['docker.io/tonistiigi/xx:1.2.1'])
  })

  it('offers every reference of the whole session, in order', () => {
    const report = explainText(SEED)
    expect(report.failures.map((f) => f.op)).toEqual(['manifest HEAD', 'token GET', 'blob GET'])
    expect(refsFrom(report)).toEqual(['docker.io/library/golang:1.21.3-alpine3.18', 'docker.io/tonistiigi/xx:1.2.1'])
  })

  it.each([1, 2, 3, 7, 16, 64, 100, 1000, 4096])('gives the same report when the log arrives in chunks of %i bytes', (size) => {
    expect(inChunks(SEED, size)).toEqual(explainText(SEED))
  })
})

describe('log shapes', () => {
  it('reads buildkit plain progress and counts the final summary as a repeat', () => {
    const log = [
      '#1 [internal] load build definition from Dockerfile',
      '#1 transferring dockerfile: 77B done',
      '#1 DONE 0.0s',
      '#2 [internal] load metadata for docker.io/library/golang:1.21',
      '#2 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21": dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: no such host',
      '------',
      ' > [internal] load metadata for docker.io/library/golang:1.21:',
      '------',
      'Dockerfile:1',
      '--------------------',
      '   1 | >>> FROM golang:1.21',
      '--------------------',
      'ERROR: failed to solve: golang:1.21: failed to resolve source metadata for docker.io/library/golang:1.21: failed to do request: Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21": dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: no such host',
    ].join('\n')
    const report = explainText(log)
    expect(pick(report)).toEqual([{category: 'dns', op: 'manifest HEAD', host: 'registry-1.docker.io', ref: 'docker.io/library/golang:1.21', count: 2, line: 5}])
  })

  it('strips colour codes', () => {
    const log = '\u001b[31m12: exec apk add git \u001b[1mERROR\u001b[0m\u001b[31m: failed to do request: Get "https://registry-1.docker.io/v2/": x509: certificate signed by unknown authority\u001b[0m\n'
    const [failure] = explainText(log).failures
    expect(failure?.category).toBe('x509')
    expect(failure?.op).toBe('ping GET')
    expect(failure?.text).not.toMatch(/\u001b/)
  })

  it('sees a word in colour as a word', () => {
    const log = '12: exec make \u001b[1;31mERROR\u001b[0m\n12: > in engine\n'
    expect(pick(explainText(log))).toEqual([{category: 'other', op: 'step', host: null, ref: null, count: 1, line: 1}])
  })

  it('reads JSON logs with escaped quotes (docker json-file and buildkit rawjson)', () => {
    const log = [
      '{"log":"Error response from daemon: Get \\"https://registry-1.docker.io/v2/\\": net/http: TLS handshake timeout\\n","stream":"stderr","time":"2026-11-23T10:00:00Z"}',
      '{"vertexes":[{"digest":"sha256:0a","name":"resolve image config for docker.io/library/alpine:3.18","error":"failed to do request: Head \\"https://registry-1.docker.io/v2/library/alpine/manifests/3.18\\": toomanyrequests: You have reached your pull rate limit."}]}',
      // Logged twice over: the quotes are escaped two levels deep.
      '{"msg":"{\\"error\\":\\"Get \\\\\\"https://auth.docker.io/token?scope=repository%3Alibrary%2Falpine%3Apull&service=registry.docker.io\\\\\\": EOF\\"}"}',
    ].join('\n')
    expect(pick(explainText(log))).toEqual([
      {category: 'tls_handshake_timeout', op: 'ping GET', host: 'registry-1.docker.io', ref: null, count: 1, line: 1},
      {category: 'rate_limit', op: 'manifest HEAD', host: 'registry-1.docker.io', ref: 'docker.io/library/alpine:3.18', count: 1, line: 2},
      {category: 'eof', op: 'token GET', host: 'auth.docker.io', ref: 'docker.io/library/alpine', count: 1, line: 3},
    ])
  })

  it('glues a URL a terminal hard-wrapped in the middle', () => {
    const log = [
      'ERROR: failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://registry-1.docker.io/v2/tonisti',
      'igi/xx/blobs/sha256:1b0dfc2f3a464bee155c6e863e879c5b6024610a49654d225ea46127e48ed7a7": connection reset by peer',
    ].join('\n')
    const [failure] = explainText(log).failures
    expect(failure).toMatchObject({category: 'reset', op: 'blob GET', ref: 'docker.io/tonistiigi/xx@sha256:1b0dfc2f3a464bee155c6e863e879c5b6024610a49654d225ea46127e48ed7a7', line: 1})
  })

  it('handles CRLF line ends and a last line without a newline', () => {
    const log = 'step one\r\nError response from daemon: Get "https://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused'
    expect(pick(explainText(log))).toEqual([{category: 'tcp_refused', op: 'ping GET', host: '127.0.0.1:5999', ref: null, count: 1, line: 2}])
  })

  it('finds engine-side failures', () => {
    const log = [
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      'Error: failed to connect to engine: dial unix /run/buildkit/buildkitd.sock: connect: no such file or directory',
      'docker: Error response from daemon: Conflict. The container name "/dagger-engine.dev" is already in use by container "cb3f00". You have to remove (or rename) that container to be able to reuse that name.',
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    ].join('\n')
    const report = explainText(log)
    expect(report.failures.map((f) => [f.category, f.count])).toEqual([
      ['docker_unavailable', 2],
      ['engine_unreachable', 1],
      ['engine_start', 1],
    ])
    expect(refsFrom(report)).toEqual([])
  })

  it('ignores ordinary output that merely contains the words', () => {
    const log = [
      '12: [3.1s] go: downloading github.com/pkg/errors v0.9.1',
      '12: [3.2s] ok  github.com/dagger/dagger/engine 0.412s',
      '12: Tests: 40 passed, 0 failed',
      '12: initialized the cache',
      '12: EOF handling test passed',
    ].join('\n')
    expect(explainText(log).failures).toEqual([])
  })

  it('drops a bare step ERROR about an image whose cause is classified elsewhere', () => {
    const log = [
      ' => ERROR [internal] load metadata for docker.io/library/golang:1.21                0.4s',
      '5: resolve image config for docker.io/library/golang:1.21 ERROR',
      'ERROR: failed to solve: failed to resolve source metadata for docker.io/library/golang:1.21: failed to do request: Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21": EOF',
    ].join('\n')
    expect(explainText(log).failures.map((f) => f.category)).toEqual(['eof'])
  })
})

describe('large logs', () => {
  function filler(count: number, from: number): string {
    let out = ''
    for (let i = 0; i < count; i++) out += `${from + (i % 200)}: [${(i % 900) / 10}s] sha256:${'ab'.repeat(32)} ${i % 16}MiB / 15.8MiB\n`
    return out
  }
  const failure = 'ERROR: failed to do request: Head "https://registry-1.docker.io/v2/library/alpine/manifests/3.18": EOF\n'
  const big = filler(20_000, 10) + failure + filler(30_000, 30) + failure + filler(5, 40)

  it('keeps line numbers right in any chunking', () => {
    for (const size of [4093, 65536, 1 << 20]) {
      const report = inChunks(big, size)
      expect(report.lines).toBe(50_007)
      expect(pick(report)).toEqual([{category: 'eof', op: 'manifest HEAD', host: 'registry-1.docker.io', ref: 'docker.io/library/alpine:3.18', count: 2, line: 20_001}])
    }
  })

  it('streams from a Readable and from a file with the same result', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'explain-test-'))
    try {
      const file = path.join(dir, 'build.log')
      writeFileSync(file, big)
      const expected = explainText(big)
      expect(await explainFile(file)).toEqual(expected)
      expect(await explainStream(Readable.from([big.slice(0, 12345), big.slice(12345)]))).toEqual(expected)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('caps the number of distinct failures it keeps', () => {
    let log = ''
    for (let i = 0; i < MAX_FAILURES + 50; i++) log += `Error response from daemon: Get "https://host-${i}.test/v2/": EOF\n`
    const report = explainText(log)
    expect(report.failures).toHaveLength(MAX_FAILURES)
    expect(report.omitted).toBe(50)
  })

  it('survives a single huge line', () => {
    const report = explainText(`${'x'.repeat(3 << 20)}\nError: failed to connect to engine: connection refused\n`)
    expect(pick(report)).toEqual([{category: 'engine_unreachable', op: 'engine connect', host: null, ref: null, count: 1, line: 2}])
  })
})

afterAll(() => undefined)

describe('more log shapes', () => {
  it('joins the body of a step in the dagger TUI and skips warnings', () => {
    const log = [
      'time="2026-11-23T10:00:00Z" level=warning msg="failed to read config, using defaults"',
      '✘ container.from(address: "alpine:3.99") ERROR [0.6s]',
      '┃ failed to resolve source metadata for docker.io/library/alpine:3.99: docker.io/library/alpine:3.99: not found',
    ].join('\n')
    expect(pick(explainText(log))).toEqual([{category: 'http_404', op: 'resolve image', host: null, ref: 'docker.io/library/alpine:3.99', count: 1, line: 2}])
  })

  it('reads buildkit TTY output, docker pull and go module errors', () => {
    const log = [
      ' => ERROR [internal] load metadata for docker.io/library/golang:1.21         0.4s',
      '------',
      ' > [internal] load metadata for docker.io/library/golang:1.21:',
      '------',
      'ERROR: failed to solve: golang:1.21: failed to resolve source metadata for docker.io/library/golang:1.21: failed to do request: Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21": proxyconnect tcp: dial tcp 10.0.0.1:3128: connect: connection refused',
      'a1b2c3d4e5f6: Retrying in 5 seconds',
      'error pulling image configuration: download failed after attempts=6: dial tcp 104.16.100.207:443: i/o timeout',
      'go: github.com/moby/buildkit@v0.12.3: Get "https://proxy.golang.org/github.com/moby/buildkit/@v/v0.12.3.mod": dial tcp: lookup proxy.golang.org on 127.0.0.53:53: server misbehaving',
    ].join('\n')
    expect(pick(explainText(log))).toEqual([
      {category: 'proxy', op: 'manifest HEAD', host: '10.0.0.1:3128', ref: 'docker.io/library/golang:1.21', count: 1, line: 5},
      {category: 'tcp_timeout', op: 'dial', host: '104.16.100.207:443', ref: null, count: 1, line: 7},
      {category: 'go_toolchain', op: 'go', host: 'proxy.golang.org', ref: null, count: 1, line: 8},
    ])
  })
})
