import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {loadTarget, resolveTarget, STREAM_IDLE_TIMEOUT_MS} from '../../src/core/tree/docker-source.js'
import {mergeLayers} from '../../src/core/tree/merge.js'
import {changesOf} from '../../src/core/tree/render.js'
import {KIND} from '../../src/core/tree/types.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {lab} from '../lab/lab.js'
import {busyboxLayer, compareWithExport, docker, exportedFiles, LAB_BASE, PREFIX, removeImages, removeTemp, tempDir, writeArchive} from './fixtures.js'
import {dockerClient} from '../helpers/cell-context.js'

const skip = skipWithoutDocker()
const BUILT = `${PREFIX}/built:1`
const OWN_BASE = `${PREFIX}/busybox:1`
const created: string[] = []
let dir = ''

/** Whiteouts, an opaque directory and links as the daemon's own layer diff writes them (overlay2), not as we would. */
const DOCKERFILE = (base: string): string => `FROM ${base}
RUN ["/bin/sh", "-c", "mkdir -p /app/lib /app/cache && echo one > /app/lib/a && echo two > /app/lib/b && echo tmp > /app/cache/x && echo gone > /app/gone && echo data > /app/data"]
RUN ["/bin/sh", "-c", "rm /app/gone && rm -rf /app/lib && mkdir /app/lib && echo new > /app/lib/c && ln /app/data /app/data-hard && ln -s lib/c /app/c-link && chmod 0700 /app/data && chown 1000:1000 /app/cache/x"]
`

describe.skipIf(skip)('an image built by the daemon (docker build, overlay2 diffs)', () => {
  beforeAll(async () => {
    dir = await tempDir()
    const hasLab = (await execa('docker', ['image', 'inspect', LAB_BASE], {reject: false, timeout: 30_000})).exitCode === 0
    let base = LAB_BASE
    if (!hasLab) {
      await writeArchive(join(dir, 'base.tar'), OWN_BASE, [busyboxLayer()], 'classic')
      await docker(['load', '-i', join(dir, 'base.tar')])
      created.push(OWN_BASE)
      base = OWN_BASE
    }
    await writeFile(join(dir, 'Dockerfile'), DOCKERFILE(base))
    // The legacy builder commits one layer per RUN and needs no network here.
    await execa('docker', ['build', '--network', 'none', '-q', '-t', BUILT, dir], {env: {DOCKER_BUILDKIT: '0'}, timeout: 300_000})
    created.push(BUILT)
  })

  afterAll(async () => {
    await removeImages(created)
    if (dir) await removeTemp(dir)
  })

  it('matches docker export, and marks the last layer changes', async () => {
    const d = await dockerClient(process.env, STREAM_IDLE_TIMEOUT_MS)
    const image = await loadTarget(d, await resolveTarget(d, BUILT, 'image'))
    const tree = mergeLayers(image.layers)
    expect(compareWithExport(tree, await exportedFiles(BUILT))).toEqual([])
    const top = image.layers[image.layers.length - 1]
    expect(top?.whiteouts).toContain('app/gone')
    if (lab().engine.imageStore === 'containerd') {
      // The containerd store's differ (checked by hand on 26.1) whites out each old child instead of marking the directory opaque.
      expect(top?.whiteouts).toEqual(expect.arrayContaining(['app/lib/a', 'app/lib/b']))
    } else {
      expect(top?.opaques).toContain('app/lib')
    }
    expect(tree.find('app/gone')).toBeUndefined()
    expect(tree.find('app/lib/a')).toBeUndefined()
    expect(tree.find('app/lib/c')).toBeDefined()
    const hard = tree.find('app/data-hard') ?? tree.find('app/data')
    expect([tree.kinds[tree.find('app/data-hard') ?? -1], tree.kinds[tree.find('app/data') ?? -1]]).toContain(KIND.hardlink)
    expect(tree.sizes[hard ?? -1]).toBe(5)
    expect(tree.links.get(tree.find('app/c-link') ?? -1)).toBe('lib/c')
    const changes = changesOf(tree)
    expect(changes.removed).toEqual(expect.arrayContaining(['/app/gone', '/app/lib/a', '/app/lib/b']))
    expect(changes.added).toEqual(expect.arrayContaining(['/app/lib/c', '/app/c-link']))
    expect(changes.modified).toEqual(expect.arrayContaining(['/app/data', '/app/cache/x']))
  })
})
