import {mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {exportSession} from '../../src/core/notebook/export.js'
import {SessionLog} from '../../src/core/notebook/session-log.js'

const root = mkdtempSync(path.join(tmpdir(), 'de-export-link-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))

describe('notes export folds only files inside the notes folder', () => {
  it('leaves out a sidecar that is a symlink to a file outside', async () => {
    const notes = path.join(root, 'notes')
    const outside = path.join(root, 'outside.txt')
    writeFileSync(outside, 'OUTSIDE-FILE-CONTENT\n')
    const log = await SessionLog.create(notes, {startedAt: new Date(), host: 'h', os: 'o', versions: 'v', dockerEndpoint: 'e'}, [{id: 'build', title: 'Build'}])
    await log.addResult({cell: 'build', title: 'Build', status: 'pass', startedAt: new Date().toISOString(), durationMs: 1, facts: [], findings: [], commands: [{kind: 'exec', argv: ['x'], exitCode: 0, output: 'line\n'.repeat(5000), startedAt: new Date().toISOString(), durationMs: 1}]})
    const sidecar = readdirSync(notes).find((n) => n.endsWith('.log'))
    expect(sidecar).toBeDefined()
    unlinkSync(path.join(notes, sidecar ?? ''))
    symlinkSync(outside, path.join(notes, sidecar ?? ''))
    const out = await exportSession(log.path, {maxSidecarLines: 1000})
    expect(JSON.stringify(out)).not.toContain('OUTSIDE-FILE-CONTENT')
  })
})
