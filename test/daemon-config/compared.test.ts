import {testContext} from '../helpers/cell-context.js'
import {existsSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {daemonCell} from '../../src/cells/daemon.js'
import {comparedText} from '../../src/core/daemon-config/analyse.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {skipWithoutDocker} from '../helpers/docker.js'

describe('what the comparison with /info says', () => {
  const checks = [
    {key: 'registry-mirrors', file: '(none)', running: '(none)', same: true},
    {key: 'insecure-registries', file: '(none)', running: '(none)', same: true},
    {key: 'debug', file: 'true', running: 'true', same: true},
    {key: 'live-restore', file: 'true', running: 'false', same: false},
  ]
  test('values are shown; settings neither side sets are named once, never as an empty "key ="', () => {
    expect(comparedText(checks, false)).toBe('debug = true; live-restore: file true ≠ running false; none set in the file or running: registry-mirrors, insecure-registries')
    expect(comparedText(checks.slice(0, 2), false)).not.toMatch(/=/)
  })
  test('without a file it says so and shows only what the daemon runs with', () => {
    expect(comparedText(checks.slice(0, 3), true)).toBe('no file to compare; debug: true running; none set running: registry-mirrors, insecure-registries')
  })
})

describe.skipIf(skipWithoutDocker())('daemon cell with no daemon.json on the lab daemon', () => {
  test('never says the daemon matches a file that is not there', async () => {
    const recorder = new Recorder()
    // The lab's system dockerd (20.10) starts without a daemon.json: the case of the issue.
    const env = {...process.env, DOCKER_HOST: 'unix:///var/run/docker.sock', DOCKER_CONTEXT: ''}
    await daemonCell.run(await testContext({env, recorder, notesDir: '/tmp'}))
    const file = recorder.facts.find((f) => f.label === 'Config file')?.value ?? ''
    expect(existsSync(file)).toBe(false)
    const ids = recorder.findings.map((f) => f.id)
    expect(ids).not.toContain('daemon-config-in-force')
    expect(recorder.findings.find((f) => f.id === 'daemon-config-absent')?.title).toBe(`No ${file}: nothing to lint; the daemon takes its settings from its defaults and command-line flags`)
    const compared = recorder.facts.find((f) => f.label === 'Compared with /info')?.value ?? ''
    expect(compared).toMatch(/^no file to compare; /)
    expect(compared).not.toMatch(/ =(,|;|$)/)
  })
})
