import {mkdir, readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {NoteSaveError} from '../../src/core/notebook/save-error.js'
import {SessionLog} from '../../src/core/notebook/session-log.js'
import type {CellResult} from '../../src/core/types.js'
import {tinyDisk} from '../helpers/tiny-disk.js'

const header = {startedAt: new Date('2026-11-23T10:11:12Z'), host: 'box', os: 'Debian 12', versions: 'v', dockerEndpoint: 'unix:///var/run/docker.sock'}
const cells = [
  {id: 'environment', title: 'Environment'},
  {id: 'daemon', title: 'Docker daemon'},
] as const
const result = (cell: 'environment' | 'daemon', marker: string): CellResult => ({
  cell,
  title: cell,
  status: 'pass',
  startedAt: '2026-11-23T10:11:13.000Z',
  durationMs: 1,
  facts: [{label: 'marker', value: marker}],
  findings: [],
  commands: [{kind: 'exec', argv: ['x'], exitCode: 0, output: `${marker}\n`.repeat(200), startedAt: '2026-11-23T10:11:13.000Z', durationMs: 1}],
})

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

describe('a full disk (a real 64k tmpfs)', () => {
  it('reports the path and free space, leaves no temp file, keeps what was on disk, and saves everything once space is free', async () => {
    const disk = await tinyDisk('64k')
    cleanup = disk.done
    const log = await SessionLog.create(disk.dir, header, cells)
    await log.addResult({...result('environment', 'first-cell'), commands: []})
    const before = await readFile(log.path, 'utf8')
    await disk.fill()

    const failed = await log.addResult(result('daemon', 'second-cell')).then(() => undefined, (e: unknown) => e)
    expect(failed).toBeInstanceOf(NoteSaveError)
    expect((failed as NoteSaveError).code).toBe('ENOSPC')
    expect((failed as Error).message).toContain(log.path)
    expect((failed as Error).message).toMatch(/free on that filesystem/)
    expect((await readdir(disk.dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
    expect(await readFile(log.path, 'utf8')).toBe(before)
    // A note while the disk is still full fails the same way and is kept in memory.
    await expect(log.addNote('environment', 'my draft note')).rejects.toBeInstanceOf(NoteSaveError)

    await disk.free()
    await log.addNote('daemon', 'after space came back')
    const after = await readFile(log.path, 'utf8')
    expect(after).toContain('first-cell')
    expect(after).toContain('second-cell')
    expect(after).toContain('my draft note')
    expect(after).toContain('after space came back')
    expect((await readdir(disk.dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('starts a session on a full disk and saves it on the first save after space is freed', async () => {
    const disk = await tinyDisk('64k')
    cleanup = disk.done
    const dir = path.join(disk.dir, 'notes')
    await mkdir(dir)
    await disk.fill()
    const log = await SessionLog.create(dir, header, cells)
    await disk.free()
    await log.addResult({...result('environment', 'saved-later'), commands: []})
    expect(await readFile(log.path, 'utf8')).toContain('saved-later')
  })
})
