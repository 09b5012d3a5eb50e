import {Readable} from 'node:stream'
import * as zlib from 'node:zlib'
import tar, {type Header} from 'tar-stream'
import type {LayerCompression} from './types.js'

export type TarHeader = Header
export type EntryBody = Readable
/** Called once per entry; the body may be read or ignored (what is left is drained afterwards). */
export type EntryHandler = (header: TarHeader, body: EntryBody) => Promise<void> | void

/**
Streams a tar archive entry by entry without ever holding more than one chunk of a body: the
extractor moves to the next entry only when the handler is done and the body has been drained.
*/
export function walkTar(input: NodeJS.ReadableStream, onEntry: EntryHandler): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const extract = tar.extract()
    let settled = false
    const fail = (error: unknown): void => {
      if (settled) return
      settled = true
      const err = error instanceof Error ? error : new Error(String(error))
      extract.destroy(err)
      ;(input as Readable).destroy?.(err)
      reject(err)
    }
    extract.on('entry', (header, stream, next) => {
      const body = stream as unknown as Readable
      // The next entry waits for both: the body read to its end, and the handler done with it
      // (a nested layer's parser may still be finishing after its last byte arrived).
      let ended = false
      let handled = false
      const advance = (): void => {
        if (ended && handled && !settled) next()
      }
      body.on('end', () => {
        ended = true
        advance()
      })
      Promise.resolve()
        .then(() => onEntry(header, body))
        .then(() => {
          handled = true
          body.resume()
          advance()
        }, fail)
    })
    extract.on('finish', () => {
      if (settled) return
      settled = true
      resolve()
    })
    extract.on('error', fail)
    input.on('error', fail)
    input.pipe(extract as unknown as NodeJS.WritableStream)
  })
}

/**
Keeps up to `limit` bytes from the start of a body while reading it to its end (a tar entry must be
drained anyway, and stopping an async iterator early would destroy the entry stream).
*/
export function readHead(body: Readable, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = []
    let have = 0
    body.on('data', (chunk: Buffer) => {
      if (have >= limit) return
      const piece = chunk.length > limit - have ? chunk.subarray(0, limit - have) : chunk
      parts.push(Buffer.from(piece))
      have += piece.length
    })
    body.on('end', () => resolve(Buffer.concat(parts, have)))
    body.on('error', reject)
  })
}

export type BlobKind = LayerCompression | 'json' | 'other' | 'empty'

/** Recognises a blob from its first bytes: a tar (plain, gzip or zstd) or a JSON document. */
export function sniff(head: Buffer): BlobKind {
  if (head.length === 0) return 'empty'
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd'
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'none'
  // An all-zero first block is an empty tar (end-of-archive marker only).
  if (head.length >= 512 && head.subarray(0, 512).every((b) => b === 0)) return 'none'
  const first = head.subarray(0, 64).toString('utf8').trimStart()[0]
  if (first === '{' || first === '[') return 'json'
  return 'other'
}

/**
Looks at the first 512 bytes of a body and gives back its kind and a stream of the whole body,
decompressed when it is a gzip or zstd layer.
*/
export async function openBlob(body: Readable): Promise<{kind: BlobKind; stream: Readable}> {
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const prefix: Buffer[] = []
  let have = 0
  let ended = false
  while (have < 512) {
    const step = await iterator.next()
    if (step.done) {
      ended = true
      break
    }
    prefix.push(step.value)
    have += step.value.length
  }
  const head = Buffer.concat(prefix, have)
  const kind = sniff(head)
  async function* whole(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head
    if (ended) return
    for (;;) {
      const step = await iterator.next()
      if (step.done) return
      yield step.value
    }
  }
  const raw = Readable.from(whole(), {objectMode: false})
  if (kind === 'gzip') return {kind, stream: pipeInto(raw, zlib.createGunzip())}
  if (kind === 'zstd') {
    const make = (zlib as unknown as {createZstdDecompress?: () => NodeJS.ReadWriteStream}).createZstdDecompress
    if (make === undefined) throw new Error('This layer is zstd-compressed and this Node has no zstd decompressor.')
    return {kind, stream: pipeInto(raw, make() as unknown as zlib.Gunzip)}
  }
  return {kind, stream: raw}
}

function pipeInto<T extends NodeJS.ReadWriteStream & Readable>(source: Readable, target: T): T {
  source.on('error', (error) => target.destroy(error))
  source.pipe(target)
  return target
}

/** `./usr/bin/` → `usr/bin`; the root itself becomes the empty string. */
export function normalizePath(name: string): string {
  let p = name
  while (p.startsWith('./')) p = p.slice(2)
  p = p.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\/{2,}/g, '/')
  if (p === '.') return ''
  return p
}
