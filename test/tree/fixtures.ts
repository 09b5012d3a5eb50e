import {createHash, randomBytes} from 'node:crypto'
import {createWriteStream, readFileSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync, zstdCompressSync} from 'node:zlib'
import {execa} from 'execa'
import tar from 'tar-stream'
import type {FileTree} from '../../src/core/tree/file-tree.js'
import {normalizePath, walkTar} from '../../src/core/tree/tar-walk.js'
import {KIND, KIND_NAMES} from '../../src/core/tree/types.js'

/** Everything the tests create carries this prefix, plus a per-run suffix. */
export const PREFIX = `dxtree-test-${randomBytes(3).toString('hex')}`
export const LAB_BASE = 'dagger-explore-lab/busybox:latest'

export type FixtureEntry =
  | {path: string; type: 'dir'; mode?: number; uid?: number; gid?: number}
  | {path: string; type: 'file'; mode?: number; uid?: number; gid?: number; content?: string | Buffer}
  | {path: string; type: 'symlink'; target: string}
  | {path: string; type: 'link'; target: string}
  | {path: string; type: 'whiteout'}
  | {path: string; type: 'opaque'}

export type FixtureLayer = readonly FixtureEntry[]

const MTIME = new Date(1_700_000_000_000)

/** A layer tar made the way a daemon makes one: `.wh.` files for deletions, `.wh..wh..opq` for opaque dirs. */
export async function layerTar(entries: FixtureLayer): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  pack.on('data', (c: unknown) => chunks.push(c as Buffer))
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()))
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '')
    switch (e.type) {
      case 'dir':
        pack.entry({name: `${name}/`, type: 'directory', mode: e.mode ?? 0o755, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: MTIME})
        break
      case 'file': {
        const body = typeof e.content === 'string' ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0))
        pack.entry({name, type: 'file', mode: e.mode ?? 0o644, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: MTIME, size: body.length}, body)
        break
      }
      case 'symlink':
        pack.entry({name, type: 'symlink', linkname: e.target, mode: 0o777, mtime: MTIME})
        break
      case 'link':
        pack.entry({name, type: 'link', linkname: e.target.replace(/^\/+/, ''), mode: 0o644, mtime: MTIME})
        break
      case 'whiteout': {
        const slash = name.lastIndexOf('/')
        pack.entry({name: `${name.slice(0, slash + 1)}.wh.${name.slice(slash + 1)}`, type: 'file', mode: 0o600, mtime: MTIME, size: 0}, Buffer.alloc(0))
        break
      }
      case 'opaque':
        pack.entry({name: `${name}/.wh..wh..opq`, type: 'file', mode: 0o600, mtime: MTIME, size: 0}, Buffer.alloc(0))
        break
    }
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex')

/**
Writes an image archive in one of the two layouts `docker save` produces: the classic store's
(`manifest.json`, `<id>/layer.tar`, manifest last) or the containerd store's OCI layout
(`index.json`, `oci-layout`, gzip blobs under `blobs/sha256/`, plus the `manifest.json` Docker adds).
*/
export interface OciOptions {
  /** How layer blobs are compressed (Docker's containerd store writes gzip; zstd is allowed by the spec). */
  readonly compression?: 'gzip' | 'zstd' | 'none'
  /** Wrap the manifest in a multi-platform index whose other platform's blobs are absent, as `docker save` of a pulled multi-arch image does. */
  readonly multiPlatform?: boolean
  /** Leave out Docker's compatibility manifest.json (a plain OCI layout). */
  readonly noDockerManifest?: boolean
}

export async function writeArchive(file: string, tag: string, layers: readonly FixtureLayer[], layout: 'classic' | 'oci', config: object = {}, oci: OciOptions = {}): Promise<void> {
  const tars = await Promise.all(layers.map(layerTar))
  const diffIds = tars.map((t) => `sha256:${sha(t)}`)
  const imageConfig = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {Cmd: ['/bin/sh'], ...config},
    rootfs: {type: 'layers', diff_ids: diffIds},
    history: tars.map(() => ({created_by: 'dagger-explore test'})),
  })
  const pack = tar.pack()
  const out = createWriteStream(file)
  const written = new Promise<void>((resolve, reject) => {
    out.on('finish', () => resolve())
    out.on('error', reject)
  })
  pack.pipe(out as unknown as NodeJS.WritableStream)
  const add = (name: string, body: Buffer | string): void => {
    pack.entry({name, mtime: MTIME, mode: 0o644}, typeof body === 'string' ? Buffer.from(body) : body)
  }
  if (layout === 'classic') {
    const paths: string[] = []
    tars.forEach((t, i) => {
      const id = sha(`${i}:${sha(t)}`)
      pack.entry({name: `${id}/`, type: 'directory', mtime: MTIME})
      add(`${id}/VERSION`, '1.0')
      add(`${id}/json`, JSON.stringify({id}))
      add(`${id}/layer.tar`, t)
      paths.push(`${id}/layer.tar`)
    })
    const configName = `${sha(imageConfig)}.json`
    add(configName, imageConfig)
    add('manifest.json', JSON.stringify([{Config: configName, RepoTags: [tag], Layers: paths}]))
  } else {
    const blobs: {digest: string; size: number; mediaType: string}[] = []
    const compression = oci.compression ?? 'gzip'
    for (const t of tars) {
      const packed = compression === 'gzip' ? gzipSync(t) : compression === 'zstd' ? zstdCompressSync(t) : t
      const mediaType = `application/vnd.oci.image.layer.v1.tar${compression === 'none' ? '' : `+${compression}`}`
      add(`blobs/sha256/${sha(packed)}`, packed)
      blobs.push({digest: `sha256:${sha(packed)}`, size: packed.length, mediaType})
    }
    add(`blobs/sha256/${sha(imageConfig)}`, imageConfig)
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha(imageConfig)}`, size: imageConfig.length},
      layers: blobs,
    })
    add(`blobs/sha256/${sha(manifest)}`, manifest)
    const own = {mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha(manifest)}`, size: manifest.length, platform: {architecture: 'amd64', os: 'linux'}}
    let top: object = {...own, annotations: {'io.containerd.image.name': tag}}
    if (oci.multiPlatform) {
      // The arm64 manifest is listed but its blob is not in the archive.
      const missing = {mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha('absent arm64 manifest')}`, size: 100, platform: {architecture: 'arm64', os: 'linux'}}
      const list = JSON.stringify({schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [missing, own]})
      add(`blobs/sha256/${sha(list)}`, list)
      top = {mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${sha(list)}`, size: list.length, annotations: {'io.containerd.image.name': tag}}
    }
    add('index.json', JSON.stringify({schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [top]}))
    add('oci-layout', JSON.stringify({imageLayoutVersion: '1.0.0'}))
    if (!oci.noDockerManifest) {
      add('manifest.json', JSON.stringify([{Config: `blobs/sha256/${sha(imageConfig)}`, RepoTags: [tag], Layers: blobs.map((b) => `blobs/sha256/${b.digest.slice(7)}`)}]))
    }
  }
  pack.finalize()
  await written
}

export async function docker(args: readonly string[], timeout = 120_000): Promise<string> {
  const r = await execa('docker', [...args], {timeout})
  return r.stdout
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), `${PREFIX}-`))
}

export async function removeTemp(dir: string): Promise<void> {
  await rm(dir, {recursive: true, force: true})
}

/** A busybox layer: the binary and the applets the fixtures use. */
export function busyboxLayer(): FixtureEntry[] {
  const applets = ['sh', 'echo', 'cat', 'sleep', 'ls', 'true', 'chmod', 'ln', 'rm', 'mkdir']
  return [
    {path: 'bin', type: 'dir'},
    {path: 'bin/busybox', type: 'file', mode: 0o755, content: readFileSync('/bin/busybox')},
    ...applets.map((a): FixtureEntry => ({path: `bin/${a}`, type: 'symlink', target: 'busybox'})),
  ]
}

export interface ExportedEntry {
  readonly type: string
  readonly mode: number
  readonly uid: number
  readonly gid: number
  readonly size: number
  readonly linkname?: string
}

/** Paths the daemon adds to every container (the init layer) and that no image holds. */
const INIT_PATHS = ['.dockerenv', 'dev', 'proc', 'sys', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'etc/mtab']

export function isInitPath(path: string): boolean {
  return INIT_PATHS.some((p) => path === p || path.startsWith(`${p}/`))
}

/**
The layout `docker save` writes for this image on the engine under test, read from the archive's own
entry names: Docker 25 and later write an OCI image layout (index.json, oci-layout) next to
manifest.json, 20.10 the classic layout alone.
*/
export async function savedLayout(image: string): Promise<'oci' | 'docker-classic'> {
  const dir = await tempDir()
  try {
    await docker(['save', '-o', join(dir, 'saved.tar'), image])
    const names = (await execa('tar', ['-tf', join(dir, 'saved.tar')], {timeout: 60_000})).stdout.split('\n')
    return names.includes('index.json') || names.includes('oci-layout') ? 'oci' : 'docker-classic'
  } finally {
    await removeTemp(dir)
  }
}

/** What `docker export` of a container made from the image contains: the ground truth. */
export async function exportedFiles(image: string): Promise<Map<string, ExportedEntry>> {
  // Docker 26's containerd store lists an OCI archive's raw name but finds no image by it: create
  // from the ID `docker images` shows for that name, and never let the daemon try to pull.
  const listed = (await docker(['images', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'])).split('\n').find((l) => l.endsWith(` ${image}`))
  const source = listed?.split(' ')[0] ?? image
  const id = (await docker(['create', '--pull=never', '--network', 'none', '--name', `${PREFIX}-exp-${randomBytes(3).toString('hex')}`, source, '/bin/sh'])).trim()
  try {
    const proc = execa('docker', ['export', id], {buffer: false, timeout: 120_000})
    const files = new Map<string, ExportedEntry>()
    await walkTar(proc.stdout as NodeJS.ReadableStream, (h) => {
      const path = normalizePath(h.name)
      if (path === '') return
      files.set(path, {type: h.type, mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, size: h.size ?? 0, ...(h.linkname ? {linkname: h.linkname} : {})})
    })
    await proc
    return files
  } finally {
    await execa('docker', ['rm', '-f', id], {reject: false, timeout: 60_000})
  }
}

export async function removeImages(tags: readonly string[]): Promise<void> {
  if (tags.length > 0) await execa('docker', ['rmi', '-f', ...tags], {reject: false, timeout: 60_000})
}


const EXPORT_KIND: Record<string, string> = {directory: 'dir', file: 'file', 'contiguous-file': 'file', symlink: 'symlink', link: 'file'}

/**
Compares the merged tree with a `docker export` of a container from the same image: same paths,
kinds, modes, owners, sizes, symlink targets, and hard links within the same group. Returns the
differences (empty when they agree).
*/
export function compareWithExport(tree: FileTree, exported: ReadonlyMap<string, ExportedEntry>): string[] {
  const diffs: string[] = []
  const mine = new Map<string, number>()
  for (const node of tree.walk()) if (node !== 0) mine.set(tree.pathOf(node), node)
  const groupOf = (path: string): string => {
    let p = path
    for (let i = 0; i < 10; i++) {
      const n = mine.get(p)
      if (n === undefined || tree.kinds[n] !== KIND.hardlink) return p
      p = tree.links.get(n) ?? p
    }
    return p
  }
  const exportedSize = (path: string, e: ExportedEntry): number => (e.type === 'link' && e.linkname ? (exported.get(normalizePath(e.linkname))?.size ?? -1) : e.size)
  for (const [path, e] of exported) {
    if (isInitPath(path)) continue
    const node = mine.get(path)
    if (node === undefined) {
      if (e.type === 'directory' && [...exported.keys()].some((p) => p.startsWith(`${path}/`) && isInitPath(p)) && ![...exported.keys()].some((p) => p.startsWith(`${path}/`) && !isInitPath(p))) continue
      diffs.push(`only in docker export: /${path} (${e.type})`)
      continue
    }
    const kind = KIND_NAMES[tree.kinds[node] ?? 0] === 'hardlink' ? 'file' : KIND_NAMES[tree.kinds[node] ?? 0]
    if (kind !== EXPORT_KIND[e.type]) diffs.push(`/${path}: kind ${kind}, export says ${e.type}`)
    if (e.type !== 'symlink' && (tree.modes[node] ?? 0) !== e.mode) diffs.push(`/${path}: mode ${(tree.modes[node] ?? 0).toString(8)}, export says ${e.mode.toString(8)}`)
    if (tree.uids[node] !== e.uid || tree.gids[node] !== e.gid) diffs.push(`/${path}: owner ${tree.uids[node]}:${tree.gids[node]}, export says ${e.uid}:${e.gid}`)
    if (kind === 'file' && (tree.sizes[node] ?? 0) !== exportedSize(path, e)) diffs.push(`/${path}: size ${tree.sizes[node]}, export says ${exportedSize(path, e)}`)
    if (e.type === 'symlink' && tree.links.get(node) !== e.linkname) diffs.push(`/${path}: symlink to ${tree.links.get(node)}, export says ${e.linkname}`)
    if (e.type === 'link' && e.linkname && groupOf(path) !== groupOf(normalizePath(e.linkname))) diffs.push(`/${path}: export hard-links it to ${e.linkname}, the tree does not`)
  }
  for (const path of mine.keys()) if (!exported.has(path) && !isInitPath(path)) diffs.push(`only in the tree: /${path}`)
  return diffs
}
