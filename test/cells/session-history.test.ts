import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {confirmRecordingDeclines, earlierData, type CellDefinition} from '../../src/cells/cell.js'
import {defaultSettings} from '../../src/cells/context.js'
import {findCell, type CellEntry} from '../../src/cells/registry.js'
import {Session} from '../../src/cells/session.js'

let notesDir: string
beforeAll(async () => {
  notesDir = await mkdtemp(path.join(tmpdir(), 'dx-history-'))
})
afterAll(() => rm(notesDir, {recursive: true, force: true}))

// A stand-in for Build engine: asks before it acts, and reads the Registry cell's data by type.
let runs = 0
const asking: CellDefinition<'build'> = {
  id: 'build',
  async run(ctx) {
    runs++
    const confirm = confirmRecordingDeclines(ctx.confirm, ctx.recorder)
    const request = {action: `Build number ${runs}`, why: 'it replaces the engine', commands: ['./hack/dev']}
    if (confirm !== undefined && !(await confirm(request))) {
      ctx.recorder.finding({id: 'build-would-replace-engine', status: 'warn', title: 'Not built: the build would replace the running dev engine'})
      return
    }
    ctx.recorder.fact('Registry problems seen', String(earlierData(ctx, 'registry')?.problems.length ?? 'none'))
    ctx.recorder.finding({id: 'build-failed', status: 'fail', title: `Build ${runs} failed on a registry EOF`})
    return {data: {registryRefs: ['docker.io/library/golang:1.21']}}
  },
}
const entry: CellEntry = {...findCell('build')!, load: async () => asking}

describe('run history in the Session', () => {
  it('keeps every run oldest first; a decline is kept but never replaces the result or its log section', async () => {
    const session = await Session.start({settings: defaultSettings({notesDir, cwd: notesDir}), env: {...process.env, DOCKER_HOST: 'unix:///tmp/dx-history-no-such.sock'}})
    expect(session.history('build')).toEqual([])

    const failed = await session.run(entry)
    expect(failed.status).toBe('fail')
    expect(failed.declined).toBeUndefined()
    expect(failed.data).toEqual({registryRefs: ['docker.io/library/golang:1.21']})

    const declined = await session.run(entry, {confirm: async () => false})
    expect(declined.declined).toBe('Build number 2')
    expect(declined.status).toBe('warn')
    expect(session.history('build')).toEqual([failed, declined])
    expect(session.results.get('build')).toBe(failed)
    const log = await readFile(session.log.path, 'utf8')
    expect(log).toContain('Build 1 failed on a registry EOF')
    expect(log).not.toContain('Not built: the build would replace the running dev engine')

    const approved = await session.run(entry, {confirm: async () => true})
    expect(approved.declined).toBeUndefined()
    expect(session.history('build')).toEqual([failed, declined, approved])
    expect(session.results.get('build')).toBe(approved)
    expect(session.history('registry')).toEqual([])
    await session.close('finished')
  })

  it('gives later cells the data of the latest result that was not a decline', async () => {
    const session = await Session.start({settings: defaultSettings({notesDir, cwd: notesDir}), env: {...process.env, DOCKER_HOST: 'unix:///tmp/dx-history-no-such.sock'}})
    const registry: CellEntry = {...findCell('registry')!, load: async () => ({id: 'registry', run: async () => ({data: {problems: ['EOF from registry-1.docker.io']}})})}
    await session.run(registry)
    const built = await session.run(entry)
    expect(built.facts.find((f) => f.label === 'Registry problems seen')?.value).toBe('1')
    expect(session.settings.cwd).toBe(notesDir)
    expect(session.cwd).toBe(notesDir)
    expect(session.docker.host).toBe('unix:///tmp/dx-history-no-such.sock')
    await session.close('finished')
  })
})
