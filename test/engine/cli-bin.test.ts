import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {cli} from '../helpers/cli.js'
import {makeCheckout} from './fixtures/checkout.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'dxeng-bin-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('dagger-explore engine, through the built binary', () => {
  it('prints export lines that eval accepts, from the era defaults before any build', async () => {
    const tar = path.join(dir, 'engine.tar')
    writeFileSync(tar, '')
    const fixture = makeCheckout('hack-build', tar, {parent: dir})
    const r = await cli(['engine', 'env', '--dagger-src', fixture.root], {env: {DAGGER_EXPLORE_STATE_DIR: path.join(dir, 'state')}})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain(`export _EXPERIMENTAL_DAGGER_CLI_BIN=${fixture.root}/bin/dagger`)
    expect(r.stdout).toContain('export _EXPERIMENTAL_DAGGER_RUNNER_HOST=docker-container://dagger-engine.dev')
    expect(r.stdout).toContain(`export PATH=${fixture.root}/bin:"$PATH"`)
    const json = await cli(['--json', 'engine', 'env', '--dagger-src', fixture.root], {env: {DAGGER_EXPLORE_STATE_DIR: path.join(dir, 'state')}})
    expect(JSON.parse(json.stdout).exports).toHaveLength(3)
  })

  it('gives one paragraph, not a stack trace, for a bad action or a missing checkout', async () => {
    const bad = await cli(['engine', 'frobnicate'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('build, load, start, status, env, stop, clean')
    const missing = await cli(['engine', 'build', '--dagger-src', dir])
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr).toContain('No dagger checkout found')
    expect(`${bad.stderr}${missing.stderr}`).not.toMatch(/\n\s+at /)
  })
})
