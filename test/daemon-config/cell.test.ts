import {describe, expect, test} from 'vitest'
import {daemonCell} from '../../src/cells/daemon.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {testContext} from '../helpers/cell-context.js'

describe.skipIf(skipWithoutDocker())('daemon cell against the running daemon', () => {
  test('finds the config in force, says why, and records what it read and asked', async () => {
    const recorder = new Recorder()
    await daemonCell.run(await testContext({env: process.env, recorder, notesDir: '/tmp'}))
    const facts = Object.fromEntries(recorder.facts.map((f) => [f.label, f.value]))
    expect(facts['Config file']).toMatch(/daemon\.json$/)
    expect(facts['Why this file']).toBeTruthy()
    expect(recorder.commands.some((c) => c.kind === 'api' && c.argv.join(' ') === 'GET /info')).toBe(true)
    expect(recorder.commands.some((c) => c.kind === 'file')).toBe(true)
    for (const f of recorder.findings) {
      if (f.status !== 'pass') {
        expect(f.detail, f.id).toBeTruthy()
        expect(f.fix, f.id).toBeTruthy()
      }
    }
  })
})

describe('daemon cell without a daemon', () => {
  test('says the daemon could not be asked, and still reads the default file', async () => {
    const recorder = new Recorder()
    await daemonCell.run(await testContext({env: {...process.env, DOCKER_HOST: 'unix:///tmp/dx-daemoncfg-no-such.sock', DOCKER_CONTEXT: ''}, recorder, notesDir: '/tmp', settings: {dockerTimeoutMs: 1000}}))
    const skipped = recorder.findings.find((f) => f.id === 'daemon-info-unavailable')
    expect(skipped?.status).toBe('skipped')
    expect(skipped?.detail).toContain('socket_missing')
    expect(recorder.facts.find((f) => f.label === 'Config file')?.value).toBe('/etc/docker/daemon.json')
    expect(recorder.commands.some((c) => c.kind === 'file' && c.argv.join(' ') === 'cat /etc/docker/daemon.json')).toBe(true)
  })
})
