import {mkdtemp, readdir, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {CellDefinition} from '../../src/cells/cell.js'
import {defaultSettings} from '../../src/cells/context.js'
import {findCell, type CellEntry} from '../../src/cells/registry.js'
import {Session} from '../../src/cells/session.js'

let notesDir: string
beforeAll(async () => {
  notesDir = await mkdtemp(path.join(tmpdir(), 'dx-close-'))
})
afterAll(() => rm(notesDir, {recursive: true, force: true}))

// A stand-in for a long cell: it ends only when the session's signal aborts it, as every exec does.
const slow: CellDefinition<'environment'> = {
  id: 'environment',
  async run(ctx) {
    await new Promise<void>((resolve) => ctx.signal?.addEventListener('abort', () => resolve(), {once: true}))
    ctx.recorder.finding({id: 'late', status: 'warn', title: 'Finished after the session closed'})
  },
}
const entry: CellEntry = {...findCell('environment')!, load: async () => slow}

describe('closing a session while a cell runs (a stop signal)', () => {
  it('writes the closing line last: the stopped cell that ends afterwards starts no write the exit would cut', async () => {
    const session = await Session.start({settings: defaultSettings({notesDir, cwd: notesDir}), env: {...process.env, DOCKER_HOST: 'unix:///tmp/dx-close-no-such.sock'}})
    const running = session.run(entry)
    await new Promise((r) => setTimeout(r, 50))
    await session.close('interrupted')
    const closed = await readFile(session.log.path, 'utf8')
    const closedAt = (await stat(session.log.path)).mtimeMs
    const late = await running
    expect(late.findings.map((f) => f.title)).toContain('Finished after the session closed')
    // Any write the late result started would be queued by now; give it the time a write takes.
    await new Promise((r) => setTimeout(r, 200))
    expect(await readFile(session.log.path, 'utf8')).toBe(closed)
    expect((await stat(session.log.path)).mtimeMs).toBe(closedAt)
    expect(closed).toMatch(/Session interrupted/)
    expect(closed).not.toContain('Finished after the session closed')
    expect((await readdir(notesDir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })
})
