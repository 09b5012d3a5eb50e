import {createReadStream} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {checkComponents, componentCapture, missingItems} from '../../src/core/tree/components.js'
import {readImageArchive} from '../../src/core/tree/image-archive.js'
import {mergeLayers} from '../../src/core/tree/merge.js'
import {findPackage, parseApkInstalled, parseDpkgStatus} from '../../src/core/tree/packages.js'
import {formatMode, formatSize, treeFiles} from '../../src/core/tree/render.js'
import {resolvePath} from '../../src/core/tree/resolve.js'
import {sniff} from '../../src/core/tree/tar-walk.js'
import {KIND} from '../../src/core/tree/types.js'
import {wolfiLayers} from './era-fixtures.js'
import {layerTar, removeTemp, tempDir, writeArchive} from './fixtures.js'
import {memoryImage} from './memory-image.js'

let dir = ''
beforeAll(async () => {
  dir = await tempDir()
})
afterAll(async () => {
  await removeTemp(dir)
})

async function read(file: string) {
  const image = await readImageArchive(createReadStream(file), {capture: componentCapture()})
  return {image, tree: mergeLayers(image.layers)}
}

describe('image archives in the containerd store layout', () => {
  it('reads zstd and plain OCI layers, a multi-platform index with an absent platform, without Docker manifest.json', async () => {
    const reference = await read(await (async () => {
      const f = join(dir, 'classic.tar')
      await writeArchive(f, 'ref:1', wolfiLayers(), 'classic')
      return f
    })())
    for (const compression of ['zstd', 'none', 'gzip'] as const) {
      const file = join(dir, `oci-${compression}.tar`)
      await writeArchive(file, 'lab/wolfi:dev', wolfiLayers(), 'oci', {}, {compression, multiPlatform: true, noDockerManifest: true})
      const {image, tree} = await read(file)
      expect(image.layout).toBe('oci')
      expect(image.tags).toEqual(['lab/wolfi:dev'])
      expect(image.layers.map((l) => l.compression)).toEqual([compression, compression])
      expect(treeFiles(tree)).toEqual(treeFiles(reference.tree))
      const checklist = checkComponents(image, tree)
      expect(checklist.era).toBe('wolfi')
      expect(missingItems(checklist)).toEqual({components: [], packages: []})
    }
  })

  it('says plainly when a stream is not an image archive', async () => {
    const file = join(dir, 'not-an-image.tar')
    // A layer tar on its own has neither manifest.json nor index.json.
    await writeFile(file, await layerTar([{path: 'hello.txt', type: 'file', content: 'hi'}]))
    await expect(readImageArchive(createReadStream(file))).rejects.toThrow(/neither manifest.json nor index.json/)
  })
})

describe('pure pieces', () => {
  it('formats modes and sizes like ls and dive', () => {
    expect(formatMode(KIND.dir, 0o755)).toBe('drwxr-xr-x')
    expect(formatMode(KIND.file, 0o700)).toBe('-rwx------')
    expect(formatMode(KIND.symlink, 0o777)).toBe('lrwxrwxrwx')
    expect(formatMode(KIND.file, 0o4755)).toBe('-rwsr-xr-x')
    expect(formatMode(KIND.dir, 0o1777)).toBe('drwxrwxrwt')
    expect(formatMode(KIND.file, 0o2644)).toBe('-rw-r-Sr--')
    expect(formatSize(999)).toBe('999 B')
    expect(formatSize(1_234_567)).toBe('1.2 MB')
    expect(formatSize(45_000_000)).toBe('45 MB')
  })

  it('recognises blobs from their first bytes', () => {
    expect(sniff(Buffer.from([0x1f, 0x8b, 8]))).toBe('gzip')
    expect(sniff(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd')
    expect(sniff(Buffer.from('  {"schemaVersion":2}'))).toBe('json')
    expect(sniff(Buffer.alloc(1024))).toBe('none')
    expect(sniff(Buffer.from('hello'))).toBe('other')
  })

  it('parses apk (Alpine and Wolfi) and dpkg package databases', () => {
    const apk = parseApkInstalled('C:Q1x=\nP:git\nV:2.40.1-r0\nA:x86_64\np:cmd:git=2.40.1-r0\n\nP:iptables-legacy\nV:1.8.10-r1\np:iptables=1.8.10\n')
    expect(apk.map((p) => `${p.name} ${p.version}`)).toEqual(['git 2.40.1-r0', 'iptables-legacy 1.8.10-r1'])
    expect(findPackage(apk, 'iptables')?.name).toBe('iptables-legacy')
    expect(findPackage(apk, 'dnsmasq')).toBeUndefined()
    const dpkg = parseDpkgStatus('Package: git\nStatus: install ok installed\nVersion: 1:2.34\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n')
    expect(dpkg.map((p) => p.name)).toEqual(['git'])
  })

  it('resolves paths through symlinks like the kernel (merged /usr, relative and absolute links, loops)', async () => {
    const image = await memoryImage([
      [
        {path: 'usr', type: 'dir'},
        {path: 'usr/lib', type: 'dir'},
        {path: 'usr/lib/os-release', type: 'file', content: 'ID=wolfi\n'},
        {path: 'lib', type: 'symlink', target: 'usr/lib'},
        {path: 'etc', type: 'dir'},
        {path: 'etc/os-release', type: 'symlink', target: '../usr/lib/os-release'},
        {path: 'etc/abs', type: 'symlink', target: '/lib/os-release'},
        {path: 'etc/loop-a', type: 'symlink', target: 'loop-b'},
        {path: 'etc/loop-b', type: 'symlink', target: 'loop-a'},
      ],
    ])
    const tree = mergeLayers(image.layers)
    const target = tree.find('usr/lib/os-release')
    expect(resolvePath(tree, '/lib/os-release')).toBe(target)
    expect(resolvePath(tree, '/etc/os-release')).toBe(target)
    expect(resolvePath(tree, '/etc/abs')).toBe(target)
    expect(resolvePath(tree, '/etc/os-release', false)).toBe(tree.find('etc/os-release'))
    expect(resolvePath(tree, '/etc/loop-a')).toBeUndefined()
    expect(resolvePath(tree, '/etc/missing')).toBeUndefined()
  })

  it('replaces a directory by a file and drops its contents; a hard link whose target went becomes a file', async () => {
    const image = await memoryImage([
      [
        {path: 'd', type: 'dir'},
        {path: 'd/x', type: 'file', content: 'x'},
        {path: 'a', type: 'file', content: 'shared'},
        {path: 'b', type: 'link', target: 'a'},
      ],
      [
        {path: 'd', type: 'file', content: 'now a file'},
        {path: 'a', type: 'whiteout'},
      ],
    ])
    const tree = mergeLayers(image.layers)
    expect(tree.kinds[tree.find('d') ?? -1]).toBe(KIND.file)
    expect(tree.find('d/x')).toBeUndefined()
    expect(tree.kinds[tree.find('b') ?? -1]).toBe(KIND.file)
    expect(tree.sizes[tree.find('b') ?? -1]).toBe(6)
  })
})
