import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {componentsCell} from '../../src/cells/components.js'
import type {ComponentsView} from '../../src/cells/cell.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {v09BrokenLayers} from './era-fixtures.js'
import {docker, PREFIX, removeImages, removeTemp, tempDir, writeArchive} from './fixtures.js'
import {testContext} from '../helpers/cell-context.js'

const skip = skipWithoutDocker()
const IMAGE = `${PREFIX}/cell:broken`
let dir = ''

describe.skipIf(skip)('the Components cell', () => {
  beforeAll(async () => {
    dir = await tempDir()
    await writeArchive(join(dir, 'img.tar'), IMAGE, v09BrokenLayers(), 'classic', {Entrypoint: ['dagger-entrypoint.sh']})
    await docker(['load', '-i', join(dir, 'img.tar')])
  })

  afterAll(async () => {
    await removeImages([IMAGE])
    if (dir) await removeTemp(dir)
  })

  it('records the checklist as facts, findings with detail and fix, the API calls and a sidecar', async () => {
    const recorder = new Recorder()
    const output = await componentsCell.run(await testContext({env: process.env, recorder, signal: new AbortController().signal, notesDir: dir, settings: {image: IMAGE}}))
    const facts = Object.fromEntries(recorder.facts.map((f) => [f.label, f.value]))
    expect(facts.Layout).toMatch(/^v0.9-era dev engine/)
    expect(facts['/etc/dagger/engine.toml']).toMatch(/debug = true/)
    expect(facts.Entrypoint).toBe('dagger-entrypoint.sh')
    const ids = recorder.findings.map((f) => f.id)
    expect(ids).toEqual(expect.arrayContaining(['component-missing-cni-dnsname', 'component-wrong-runc', 'package-missing-dnsmasq']))
    for (const f of recorder.findings) if (f.status !== 'pass') expect(f.detail && f.fix, f.id).toBeTruthy()
    expect(recorder.commands.some((c) => c.kind === 'api' && c.argv.join(' ').includes('/get'))).toBe(true)
    expect(recorder.sidecars).toHaveLength(1)
    const sidecar = await readFile(join(dir, recorder.sidecars[0] ?? ''), 'utf8')
    expect(sidecar).toMatch(/MISS\s+\/opt\/cni\/bin\/dnsname/)
    expect(sidecar).toMatch(/dagger-entrypoint\.sh/)
    // The explorer's view travels on the result, not through a module global.
    expect(output?.view?.kind).toBe('components')
    expect((output?.view as ComponentsView | undefined)?.checklist.era).toBe('v0.9-alpine')
  })

  it('is skipped with a plain reason when the named image does not exist', async () => {
    const recorder = new Recorder()
    await componentsCell.run(await testContext({env: process.env, recorder, signal: new AbortController().signal, notesDir: dir, settings: {image: `${PREFIX}/none:1`}}))
    expect(recorder.findings).toHaveLength(1)
    expect(recorder.findings[0]).toMatchObject({id: 'components-target-missing', status: 'fail'})
    expect(recorder.findings[0]?.detail).toMatch(/no container and no image/)
  })
})
