import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {classifyStatement} from '../../src/core/explain/classify.js'
import {FailureCollector} from '../../src/core/explain/collector.js'
import {createExplainer, explainText} from '../../src/core/explain/explain.js'
import {NEEDLE_SEARCH} from '../../src/core/explain/needles.js'
import {StatementBuilder} from '../../src/core/explain/statement.js'

function random(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 0x1_0000_0000
  }
}

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
const SNIPPETS = [
  fixture('seed-manifest-eof.log'),
  fixture('seed-docker-pull.log'),
  fixture('seed-blob-eof.log'),
  'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host\n',
  '#7 ERROR: failed to do request: Head "https://127.0.0.1:5000/v2/app/manifests/1":\n  dial tcp 127.0.0.1:5000: connect: connection refused\n',
  '{"log":"Error response from daemon: toomanyrequests: rate limit\\n"}\n',
  '12: exec go build ERROR: process "/bin/sh -c go build" did not complete successfully: exit code: 1\n',
  'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n',
]
const NORMAL = [
  '21: > in engine > dev > from golang:1.21.3-alpine3.18',
  '12: [3.1s] go: downloading github.com/pkg/errors v0.9.1',
  '14: blob://sha256:b62097f540319097cb1349c4a8578bcfaf7d0b6641094d86c72a51494fb044e4 DONE',
  '  indented: continuation-looking line:',
  'Head',
  '',
  '151: pull docker.io/tonistiigi/xx:1.2.1 DONE',
]

function mixedLog(seed: number, lines: number): string {
  const next = random(seed)
  const out: string[] = []
  for (let i = 0; i < lines; i++) {
    if (next() < 0.08) out.push((SNIPPETS[Math.floor(next() * SNIPPETS.length)] ?? '').replace(/\n$/, ''))
    else out.push(NORMAL[Math.floor(next() * NORMAL.length)] ?? '')
  }
  return `${out.join('\n')}\n`
}

/** The explainer's answer with every line handed to the statement builder: what skipping must not change. */
function everyLineFed(text: string) {
  const collector = new FailureCollector()
  const builder = new StatementBuilder((s) => {
    const c = classifyStatement(s.body)
    if (c !== null) collector.add(c, s.text, s.line)
  })
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  lines.forEach((line, i) => {
    const bytes = Buffer.from(line)
    let trigger = false
    NEEDLE_SEARCH.search(bytes, 0, bytes.length, () => {
      trigger = true
      return bytes.length
    })
    builder.line(line, i + 1, trigger)
  })
  builder.end()
  return collector.report(lines.length, Buffer.byteLength(text)).failures
}

describe('the scanner', () => {
  it.each([1, 2, 3, 4, 5])('finds what feeding every line finds (seed %i)', (seed) => {
    const log = mixedLog(seed, 3000)
    const report = explainText(log)
    expect(report.failures.length).toBeGreaterThan(3)
    expect(report.failures).toEqual(everyLineFed(log))
  })

  it.each([11, 12, 13, 14, 15, 16, 17, 18])('gives the same report in random chunk sizes (seed %i)', (seed) => {
    const log = Buffer.from(mixedLog(seed, 3000))
    const next = random(seed)
    const explainer = createExplainer()
    // Tiny chunks split every line; chunks of a few lines put picks right after a chunk's start.
    const sizes = [40, 400, 1000, 5000]
    for (let at = 0; at < log.length; ) {
      const size = 1 + Math.floor(next() * (sizes[Math.floor(next() * sizes.length)] ?? 40))
      explainer.push(log.subarray(at, at + size))
      at += size
    }
    expect(explainer.end()).toEqual(explainText(log.toString()))
  })
})
