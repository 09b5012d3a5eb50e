import type {Readable} from 'node:stream'
import {normalizePath, readHead, walkTar, type TarHeader} from './tar-walk.js'
import {KIND, type KindCode, type LayerCompression, type LayerData} from './types.js'

/** Says, for a path, how many bytes of its content to keep while streaming (0: none). */
export type CapturePolicy = (path: string) => number

const WHITEOUT = '.wh.'
const OPAQUE = '.wh..wh..opq'

function kindOf(type: TarHeader['type']): KindCode | undefined {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return KIND.file
    case 'directory':
      return KIND.dir
    case 'symlink':
      return KIND.symlink
    case 'link':
      return KIND.hardlink
    case 'character-device':
      return KIND.char
    case 'block-device':
      return KIND.block
    case 'fifo':
      return KIND.fifo
    default:
      return undefined
  }
}

/** Growable columns; turned into typed arrays once the layer is read. */
class LayerBuilder {
  readonly paths: string[] = []
  readonly kinds: number[] = []
  readonly modes: number[] = []
  readonly uids: number[] = []
  readonly gids: number[] = []
  readonly sizes: number[] = []
  readonly links = new Map<number, string>()
  readonly whiteouts: string[] = []
  readonly opaques: string[] = []
  readonly captured = new Map<string, Buffer>()
  bytes = 0

  add(path: string, kind: KindCode, header: TarHeader): void {
    const index = this.paths.length
    this.paths.push(path)
    this.kinds.push(kind)
    this.modes.push((header.mode ?? 0) & 0o7777)
    this.uids.push(header.uid ?? 0)
    this.gids.push(header.gid ?? 0)
    const size = kind === KIND.file ? (header.size ?? 0) : 0
    this.sizes.push(size)
    this.bytes += size
    if (kind === KIND.symlink && header.linkname) this.links.set(index, header.linkname)
    if (kind === KIND.hardlink && header.linkname) this.links.set(index, normalizePath(header.linkname))
  }

  finish(key: string, compression: LayerCompression): LayerData {
    return {
      key,
      compression,
      paths: this.paths,
      kinds: Uint8Array.from(this.kinds),
      modes: Uint32Array.from(this.modes),
      uids: Uint32Array.from(this.uids),
      gids: Uint32Array.from(this.gids),
      sizes: Float64Array.from(this.sizes),
      links: this.links,
      whiteouts: this.whiteouts,
      opaques: this.opaques,
      captured: this.captured,
      bytes: this.bytes,
    }
  }
}

/**
Reads one (already decompressed) layer tar: entries become columns, whiteout markers become
deletions, and the heads of the files the policy asks for are kept.
*/
export async function readLayer(
  stream: Readable | NodeJS.ReadableStream,
  key: string,
  compression: LayerCompression,
  capture: CapturePolicy = () => 0,
): Promise<LayerData> {
  const builder = new LayerBuilder()
  await walkTar(stream, async (header, body) => {
    const path = normalizePath(header.name)
    if (path === '') return
    const slash = path.lastIndexOf('/')
    const base = slash === -1 ? path : path.slice(slash + 1)
    const dir = slash === -1 ? '' : path.slice(0, slash)
    if (base.startsWith(WHITEOUT)) {
      if (base === OPAQUE) builder.opaques.push(dir)
      // Other `.wh..wh.` names are aufs bookkeeping (hard-link dirs), not part of the filesystem.
      else if (!base.startsWith(`${WHITEOUT}${WHITEOUT}`)) builder.whiteouts.push(dir === '' ? base.slice(4) : `${dir}/${base.slice(4)}`)
      return
    }
    const kind = kindOf(header.type)
    if (kind === undefined) return
    builder.add(path, kind, header)
    if (kind === KIND.file) {
      const limit = capture(path)
      if (limit > 0) builder.captured.set(path, await readHead(body, limit))
    }
  })
  return builder.finish(key, compression)
}
