import {createReadStream} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {checkComponents, checklistFindings, componentCapture, missingItems} from '../../src/core/tree/components.js'
import {loadTarget, readFileHead, resolveTarget, STREAM_IDLE_TIMEOUT_MS, TreeTargetError} from '../../src/core/tree/docker-source.js'
import {readImageArchive} from '../../src/core/tree/image-archive.js'
import {collectVersions, inspectTarget} from '../../src/core/tree/inspect.js'
import {mergeLayers} from '../../src/core/tree/merge.js'
import {changesOf} from '../../src/core/tree/render.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {ENGINE_JSON, ENGINE_TOML, ENTRYPOINT_V09, v09BrokenLayers, v09Layers, wolfiLayers} from './era-fixtures.js'
import {compareWithExport, docker, exportedFiles, PREFIX, removeImages, removeTemp, savedLayout, tempDir, writeArchive} from './fixtures.js'
import {dockerClient} from '../helpers/cell-context.js'

const skip = skipWithoutDocker()

const V09 = `${PREFIX}/v09:complete`
const V09_BROKEN = `${PREFIX}/v09:broken`
const WOLFI = `${PREFIX}/wolfi:oci`
const created: string[] = []
let dir = ''

describe.skipIf(skip)('engine images read through the Docker API, checked against docker export', () => {
  beforeAll(async () => {
    dir = await tempDir()
    await writeArchive(join(dir, 'v09.tar'), V09, v09Layers(), 'classic', {Entrypoint: ['dagger-entrypoint.sh']})
    await writeArchive(join(dir, 'v09-broken.tar'), V09_BROKEN, v09BrokenLayers(), 'classic')
    await writeArchive(join(dir, 'wolfi.tar'), WOLFI, wolfiLayers(), 'oci')
    for (const [file, tag] of [['v09.tar', V09], ['v09-broken.tar', V09_BROKEN], ['wolfi.tar', WOLFI]] as const) {
      await docker(['load', '-i', join(dir, file)])
      created.push(tag)
    }
  })

  afterAll(async () => {
    await removeImages(created)
    if (dir) await removeTemp(dir)
  })

  for (const tag of [V09, V09_BROKEN, WOLFI]) {
    it(`${tag.split('/')[1]}: the merged tree matches docker export (paths, kinds, modes, owners, sizes, links)`, async () => {
      const d = await dockerClient(process.env, STREAM_IDLE_TIMEOUT_MS)
      const image = await loadTarget(d, await resolveTarget(d, tag, 'image'))
      const tree = mergeLayers(image.layers)
      expect(compareWithExport(tree, await exportedFiles(tag))).toEqual([])
    })
  }

  it('applies whiteouts and opaque directories, and reports the top layer changes', async () => {
    const d = await dockerClient(process.env, STREAM_IDLE_TIMEOUT_MS)
    const {tree, image} = await inspectTarget(d, V09)
    expect(image.layout).toBe(await savedLayout(V09))
    expect(image.layers).toHaveLength(3)
    expect(tree.find('usr/local/bin/old-tool')).toBeUndefined()
    expect(tree.find('usr/local/share/dagger/python-sdk/src')).toBeUndefined()
    expect(tree.find('usr/local/share/dagger/python-sdk/runtime/old.py')).toBeUndefined()
    expect(tree.find('usr/local/share/dagger/python-sdk/runtime/main.py')).toBeDefined()
    const changes = changesOf(tree)
    expect(changes.removed).toEqual(expect.arrayContaining(['/usr/local/bin/old-tool', '/usr/local/share/dagger/python-sdk/src', '/usr/local/share/dagger/python-sdk/runtime/old.py']))
    expect(changes.added).toEqual(expect.arrayContaining(['/usr/local/bin/tool-a', '/usr/local/bin/tool-b', '/home/dev/.profile']))
    expect(changes.modified).toEqual(expect.arrayContaining(['/usr/local/share/dagger/python-sdk/pyproject.toml']))
    // The view of layer 1 still has what layer 2 removed.
    const layer1 = mergeLayers(image.layers, 1)
    expect(layer1.find('usr/local/bin/old-tool')).toBeDefined()
    expect(changesOf(layer1).added).toContain('/usr/local/bin/runc')
  })

  it('checks the v0.9 layout: all present, runc 0700, engine.toml 0600, packages from apk', async () => {
    const d = await dockerClient(process.env, STREAM_IDLE_TIMEOUT_MS)
    const {checklist} = await inspectTarget(d, V09)
    expect(checklist.era).toBe('v0.9-alpine')
    expect(checklist.confident).toBe(true)
    expect(missingItems(checklist)).toEqual({components: [], packages: []})
    const runc = checklist.items.find((i) => i.id === 'runc')
    expect(runc).toMatchObject({state: 'present', mode: '0700', size: 36})
    expect(checklist.items.find((i) => i.id === 'engine-config')).toMatchObject({state: 'present', mode: '0600'})
    expect(checklist.items.find((i) => i.id === 'qemu')?.matches).toEqual(['buildkit-qemu-aarch64', 'buildkit-qemu-riscv64'])
    expect(checklist.packageDb).toBe('/lib/apk/db/installed')
    expect(checklist.packages?.every((p) => p.present)).toBe(true)
    const findings = checklistFindings(checklist, V09)
    expect(findings.map((f) => f.status)).toEqual(['pass'])
  })

  it('finds the missing component, the wrong mode and the missing package of the broken image', async () => {
    const d = await dockerClient(process.env, STREAM_IDLE_TIMEOUT_MS)
    const {checklist} = await inspectTarget(d, V09_BROKEN)
    const missing = missingItems(checklist)
    expect(missing.components.map((c) => c.id)).toEqual(['cni-dnsname'])
    expect(missing.packages.map((p) => p.name)).toEqual(['dnsmasq'])
    expect(checklist.items.find((i) => i.id === 'runc')).toMatchObject({state: 'problem', mode: '0755', problem: 'mode 0755, expected 0700'})
    const findings = checklistFindings(checklist, V09_BROKEN)
    const dnsname = findings.find((f) => f.id === 'component-missing-cni-dnsname')
    expect(dnsname?.status).toBe('fail')
    expect(dnsname?.detail).toMatch(/service hostnames/)
    expect(dnsname?.fix).toBeTruthy()
    expect(findings.find((f) => f.id === 'component-wrong-runc')?.fix).toMatch(/chmod 0700/)
    expect(findings.find((f) => f.id === 'package-missing-dnsmasq')?.status).toBe('fail')
  })

  it('checks the Wolfi layout through merged-/usr symlinks (os-release and apk db behind /etc and /lib)', async () => {
    const d = await dockerClient(process.env, STREAM_IDLE_TIMEOUT_MS)
    const {checklist} = await inspectTarget(d, WOLFI)
    expect(checklist.era).toBe('wolfi')
    expect(checklist.os).toBe('Wolfi')
    expect(checklist.packageDb).toBe('/lib/apk/db/installed')
    expect(missingItems(checklist)).toEqual({components: [], packages: []})
    expect(checklist.items.find((i) => i.id === 'buildctl')).toMatchObject({state: 'present', kind: 'symlink', link: 'dial-stdio'})
  })

  it('reads the OCI layout (gzip blobs, index.json) straight from the archive, same tree as the daemon gives', async () => {
    const fromFile = await readImageArchive(createReadStream(join(dir, 'wolfi.tar')), {capture: componentCapture()})
    expect(fromFile.layout).toBe('oci')
    expect(fromFile.layers.map((l) => l.compression)).toEqual(['gzip', 'gzip'])
    expect(fromFile.tags).toEqual([WOLFI])
    const tree = mergeLayers(fromFile.layers)
    expect(compareWithExport(tree, await exportedFiles(WOLFI))).toEqual([])
    const checklist = checkComponents(fromFile, tree)
    expect(checklist.era).toBe('wolfi')
    expect(missingItems(checklist)).toEqual({components: [], packages: []})
  })

  it('reads the first part of a file: captured config, and an uncaptured file with one more pass', async () => {
    const d = await dockerClient(process.env, STREAM_IDLE_TIMEOUT_MS)
    const target = await resolveTarget(d, V09)
    const {image, tree} = await inspectTarget(d, V09)
    const loaded = {image, tree}
    expect((await readFileHead(d, target, '/etc/dagger/engine.toml', 4096, loaded))?.toString()).toBe(ENGINE_TOML)
    expect((await readFileHead(d, target, '/usr/local/bin/dagger-entrypoint.sh', 20, loaded))?.toString()).toBe(ENTRYPOINT_V09.slice(0, 20))
    expect((await readFileHead(d, target, '/usr/local/share/dagger/python-sdk/pyproject.toml', 4096, loaded))?.toString()).toContain('0.9.3')
    expect(await readFileHead(d, target, '/usr/local/bin/old-tool', 100, loaded)).toBeUndefined()
    const wolfi = await inspectTarget(d, WOLFI)
    expect((await readFileHead(d, wolfi.target, '/etc/dagger/engine.json', 4096, wolfi))?.toString()).toBe(ENGINE_JSON)
    // Through symlinks (etc/os-release -> ../usr/lib/os-release), a hard link, and a file that is not there.
    expect((await readFileHead(d, wolfi.target, '/etc/os-release', 4096, wolfi))?.toString()).toMatch(/^ID=wolfi/)
    expect((await readFileHead(d, target, '/usr/local/bin/tool-b', 4096, loaded))?.toString()).toBe('hard linked content')
    expect(await readFileHead(d, target, '/etc/dagger/engine.json', 4096, loaded)).toBeUndefined()
    expect(await readFileHead(d, target, '/usr/local/bin', 4096, loaded)).toBeUndefined()
  })

  it('reads a running container through its export and asks the binaries for their versions, with a deadline', async () => {
    const name = `${PREFIX}-engine`
    await docker(['run', '-d', '--network', 'none', '--name', name, '--entrypoint', '/bin/sleep', V09, '300'])
    try {
      const d = await dockerClient(process.env, STREAM_IDLE_TIMEOUT_MS)
      const found = await inspectTarget(d, name)
      expect(found.target).toMatchObject({kind: 'container', running: true})
      expect(found.image.layout).toBe('container-export')
      expect(found.checklist.era).toBe('v0.9-alpine')
      expect(missingItems(found.checklist)).toEqual({components: [], packages: []})
      const seen: string[] = []
      const started = Date.now()
      const checklist = await collectVersions(d, found.target, found.checklist, {timeoutMs: 1500, onExec: (argv) => seen.push(argv.join(' '))})
      expect(Date.now() - started).toBeLessThan(15_000)
      const version = (id: string): string | undefined => checklist.items.find((i) => i.id === id)?.version
      expect(version('runc')).toBe('runc version 1.1.9')
      expect(version('dagger-cli')).toBe('dagger v0.9.3 (registry.dagger.io/engine) linux/amd64')
      expect(version('dagger-engine')).toMatch(/no answer within/)
      // The hung stand-in (`sleep 30` in a script) was killed in the container, not left running.
      expect(version('dagger-engine')).toContain('killed in the container')
      expect((await docker(['top', name, '-o', 'pid,args'])).split('\n').filter((l) => /sleep 30$/.test(l.trim()))).toEqual([])
      expect(seen).toContain('runc --version')
      // A file of the running container, through the archive API.
      expect((await readFileHead(d, found.target, '/etc/dagger/engine.toml', 4096))?.toString()).toBe(ENGINE_TOML)
    } finally {
      await docker(['rm', '-f', name])
    }
  })

  it('gives the same checklist for the image and for a stopped container made from it', async () => {
    const name = `${PREFIX}-stopped`
    await docker(['create', '--network', 'none', '--name', name, V09_BROKEN, '/bin/sh'])
    try {
      const d = await dockerClient(process.env, STREAM_IDLE_TIMEOUT_MS)
      const fromImage = await inspectTarget(d, V09_BROKEN, {prefer: 'image'})
      const fromContainer = await inspectTarget(d, name, {prefer: 'container'})
      expect(fromContainer.target).toMatchObject({kind: 'container', running: false})
      const strip = (items: readonly {node?: number}[]) => items.map(({node: _node, ...rest}) => rest)
      expect(strip(fromContainer.checklist.items)).toEqual(strip(fromImage.checklist.items))
      expect(fromContainer.checklist.packages).toEqual(fromImage.checklist.packages)
    } finally {
      await docker(['rm', '-f', name])
    }
  })

  it('gives a one-paragraph error for an unknown image', async () => {
    const d = await dockerClient(process.env, STREAM_IDLE_TIMEOUT_MS)
    const error = await resolveTarget(d, `${PREFIX}/does-not-exist:1`).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TreeTargetError)
    expect((error as Error).message).toMatch(/^Docker has no container and no image called/)
    expect((error as Error).message).not.toMatch(/\n/)
    expect((error as Error).message).not.toMatch(/Give an image name/)
    expect([(error as TreeTargetError).reason, (error as TreeTargetError).exitCode]).toEqual(['not-found', 2])
    expect((error as TreeTargetError).fix).toMatch(/^Give an image name or ID as `docker images` lists it/)
  })
})
