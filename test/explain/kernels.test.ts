import {readFileSync} from 'node:fs'
import {describe, expect, it, vi} from 'vitest'
import {DATA_SIZE, kernels} from '../../src/core/explain/kernels.js'
import {countNewlines} from '../../src/core/explain/line-count.js'
import {NEEDLE_SEARCH, NEEDLES} from '../../src/core/explain/needles.js'

// A small deterministic generator, so a failure can be replayed.
function random(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 0x1_0000_0000
  }
}

const WORDS = ['go', 'build', 'errors', 'DONE', 'sha256:1b0d', '\n', '\n', ' ', '  ', ':', '"', 'https://registry-1.docker.io/v2/', 'xEOFx', ...NEEDLES.map((n) => n.text)]

function text(seed: number, bytes: number): Buffer {
  const next = random(seed)
  let out = ''
  while (out.length < bytes) out += WORDS[Math.floor(next() * WORDS.length)] ?? ''
  return Buffer.from(out.slice(0, bytes), 'latin1')
}

function inScanArea(bytes: Buffer): Buffer {
  const k = kernels()
  if (k === null) throw new Error('no WebAssembly kernels')
  bytes.copy(k.data)
  return k.data.subarray(0, bytes.length)
}

function lineStartsOfHits(bytes: Buffer): number[] {
  const starts = new Set<number>()
  NEEDLE_SEARCH.search(bytes, 0, bytes.length, (at) => {
    starts.add(at === 0 ? 0 : bytes.lastIndexOf(10, at - 1) + 1)
    const lineEnd = bytes.indexOf(10, at)
    return lineEnd === -1 ? bytes.length : lineEnd + 1
  })
  return [...starts].sort((a, b) => a - b)
}

describe('WebAssembly kernels', () => {
  it('load on this Node', () => {
    expect(kernels()).not.toBeNull()
  })

  it('count newlines like the JavaScript loop, at every length and alignment', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const bytes = text(seed, 1 + ((seed * 7919) % 5000))
      for (const start of [0, 1, 3, 15, 16, 17]) {
        if (start >= bytes.length) continue
        const plain = countNewlines(bytes, start, bytes.length)
        expect(countNewlines(inScanArea(bytes), start, bytes.length)).toBe(plain)
      }
    }
  })

  it('find the same lines as the JavaScript search', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const bytes = text(seed * 31, 2000 + seed * 997)
      const plain = lineStartsOfHits(Buffer.from(bytes))
      expect(plain.length).toBeGreaterThan(0)
      expect(lineStartsOfHits(inScanArea(bytes))).toEqual(plain)
    }
  })

  it('handle a full scan area', () => {
    const bytes = text(7, DATA_SIZE)
    expect(lineStartsOfHits(inScanArea(bytes))).toEqual(lineStartsOfHits(Buffer.from(bytes)))
    expect(countNewlines(inScanArea(bytes), 0, bytes.length)).toBe(countNewlines(Buffer.from(bytes), 0, bytes.length))
  })

  it('give the same report as the explainer without them', async () => {
    const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
    const log = [fixture('seed-manifest-eof.log'), fixture('seed-docker-pull.log'), fixture('seed-blob-eof.log')].join('').repeat(300)
    const withKernels = (await import('../../src/core/explain/explain.js')).explainText(log)
    vi.resetModules()
    process.env.DAGGER_EXPLORE_NO_WASM = '1'
    try {
      const without = await import('../../src/core/explain/explain.js')
      const kernelsModule = await import('../../src/core/explain/kernels.js')
      expect(kernelsModule.kernels()).toBeNull()
      expect(without.explainText(log)).toEqual(withKernels)
    } finally {
      delete process.env.DAGGER_EXPLORE_NO_WASM
      vi.resetModules()
    }
  })
})
