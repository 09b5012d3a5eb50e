import {createHash, randomBytes} from 'node:crypto'
import {Writable} from 'node:stream'
import {execa} from 'execa'
import tar from 'tar-stream'

/** The bench image: 100,000 files and about 1 GB of content over 10 layers, plus a layer of whiteouts. */
export const BENCH_IMAGE = 'dagger-explore-bench/tree-100k:v1'
const LAYERS = 10
const DIRS = 100
const FILES = 100
const POOL = randomBytes(4 * 1024 * 1024)

export function fileSize(n: number): number {
  // Spread between 500 B and 20.5 kB, mean about 10.5 kB: 100k files make about 1.05 GB.
  return 500 + ((n * 7919) % 20_000)
}

interface Entry {
  readonly name: string
  readonly type: 'file' | 'directory'
  readonly size: number
  readonly seed: number
}

function* layerEntries(layer: number): Generator<Entry> {
  if (layer === LAYERS) {
    // The top layer removes some files and makes one directory opaque, so whiteouts are exercised too.
    yield {name: 'data/', type: 'directory', size: 0, seed: 0}
    yield {name: 'data/l0/', type: 'directory', size: 0, seed: 0}
    yield {name: 'data/l0/d0/', type: 'directory', size: 0, seed: 0}
    for (let f = 0; f < 100; f++) yield {name: `data/l0/d0/.wh.f${String(f).padStart(5, '0')}.bin`, type: 'file', size: 0, seed: 0}
    yield {name: 'data/l1/', type: 'directory', size: 0, seed: 0}
    yield {name: 'data/l1/d1/', type: 'directory', size: 0, seed: 0}
    yield {name: 'data/l1/d1/.wh..wh..opq', type: 'file', size: 0, seed: 0}
    yield {name: 'data/l1/d1/replacement.txt', type: 'file', size: 100, seed: 1}
    return
  }
  yield {name: 'data/', type: 'directory', size: 0, seed: 0}
  yield {name: `data/l${layer}/`, type: 'directory', size: 0, seed: 0}
  for (let d = 0; d < DIRS; d++) {
    yield {name: `data/l${layer}/d${d}/`, type: 'directory', size: 0, seed: 0}
    for (let f = 0; f < FILES; f++) {
      const n = layer * DIRS * FILES + d * FILES + f
      yield {name: `data/l${layer}/d${d}/f${String(f).padStart(5, '0')}.bin`, type: 'file', size: fileSize(n), seed: n}
    }
  }
}

function tarSize(layer: number): number {
  let total = 1024
  for (const e of layerEntries(layer)) total += 512 + Math.ceil(e.size / 512) * 512
  return total
}

function content(e: Entry): Buffer {
  const offset = (e.seed * 4099) % (POOL.length - e.size)
  return POOL.subarray(offset, offset + e.size)
}

/** Writes one layer tar into `sink`, returning its sha256 (the diff ID). */
async function writeLayer(layer: number, sink: Writable): Promise<string> {
  const hash = createHash('sha256')
  const inner = tar.pack()
  let written = 0
  const done = new Promise<void>((resolve, reject) => {
    inner.on('data', (data: unknown) => {
      const chunk = data as Buffer
      hash.update(chunk)
      written += chunk.length
      if (!sink.write(chunk)) {
        inner.pause()
        sink.once('drain', () => inner.resume())
      }
    })
    inner.on('end', () => resolve())
    inner.on('error', reject)
  })
  let pending = 0
  for (const e of layerEntries(layer)) {
    const mode = e.type === 'directory' ? 0o755 : 0o644
    const mtime = new Date(1_700_000_000_000)
    if (e.type === 'directory') inner.entry({name: e.name, type: 'directory', mode, mtime})
    else inner.entry({name: e.name, type: 'file', mode, mtime, size: e.size}, content(e))
    if (++pending % 256 === 0) await new Promise((resolve) => setImmediate(resolve))
  }
  inner.finalize()
  await done
  const expected = tarSize(layer)
  if (written !== expected) throw new Error(`layer ${layer}: wrote ${written} bytes, expected ${expected}`)
  return `sha256:${hash.digest('hex')}`
}

export async function imageExists(tag: string): Promise<boolean> {
  const r = await execa('docker', ['image', 'inspect', tag], {reject: false, timeout: 30_000})
  return r.exitCode === 0
}

/** Builds the bench image with `docker load` from an archive generated on the fly; skipped when the tag exists. */
export async function buildBenchImage(tag = BENCH_IMAGE): Promise<{built: boolean; ms: number}> {
  const started = Date.now()
  if (await imageExists(tag)) return {built: false, ms: Date.now() - started}
  const outer = tar.pack()
  const load = execa('docker', ['load'], {stdin: 'pipe', timeout: 3_600_000})
  outer.pipe(load.stdin as unknown as NodeJS.WritableStream)
  const diffIds: string[] = []
  const layerPaths: string[] = []
  for (let l = 0; l <= LAYERS; l++) {
    const name = `layer${String(l).padStart(2, '0')}/layer.tar`
    layerPaths.push(name)
    const sink = outer.entry({name, size: tarSize(l), mode: 0o644, mtime: new Date(1_700_000_000_000)}) as unknown as Writable
    const finished = new Promise<void>((resolve, reject) => {
      sink.on('finish', () => resolve())
      sink.on('error', reject)
    })
    diffIds.push(await writeLayer(l, sink))
    sink.end()
    await finished
  }
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {Cmd: ['/bin/sh']},
    rootfs: {type: 'layers', diff_ids: diffIds},
    history: diffIds.map(() => ({created_by: 'dagger-explore bench'})),
  })
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`
  outer.entry({name: configName}, config)
  outer.entry({name: 'manifest.json'}, JSON.stringify([{Config: configName, RepoTags: [tag], Layers: layerPaths}]))
  outer.finalize()
  await load
  return {built: true, ms: Date.now() - started}
}
