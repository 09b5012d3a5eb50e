import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cleanOutput} from '../../src/core/present/clean-output.js'
import {cli} from '../helpers/cli.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {docker, LAB_BASE} from '../tree/fixtures.js'

/** A raw escape, BEL or C1 control: none may reach the terminal from outside text. */
const RAW = /[\u001B\u0007\u009B\u009C\u009D\u0090\u009F]/
const OSC52 = '\u001B]52;c;ZXZpbA==\u0007'
const TITLE = '\u001B]0;pwned\u0007'
const CLEAR = '\u001B[2J'
const EVIL = `${OSC52}${TITLE}${CLEAR}`

const dir = mkdtempSync(path.join(tmpdir(), 'dx-clean-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function clean(r: {stdout: unknown; stderr: unknown}, label: string): void {
  expect(String(r.stdout), `${label} stdout`).not.toMatch(RAW)
  expect(String(r.stderr), `${label} stderr`).not.toMatch(RAW)
}

/** The whole of stdout parses as JSON (one document, or JSON Lines when `lines`). */
function pureJson(stdout: unknown, lines = false): unknown[] {
  const text = String(stdout).trim()
  expect(text, 'stdout is not empty').not.toBe('')
  return lines ? text.split('\n').map((l) => JSON.parse(l) as unknown) : [JSON.parse(text) as unknown]
}

describe('cleanOutput', () => {
  it('strips every escape but keeps SGR only when asked, and never lets a colour code hide a secret', () => {
    expect(cleanOutput(`a${EVIL}b`)).toBe('ab')
    expect(cleanOutput(`\u001B[31mred\u001B[39m${OSC52}`, {keepSgr: true})).toBe('\u001B[31mred\u001B[39m')
    expect(cleanOutput('\u001B[31mred\u001B[39m')).toBe('red')
    // An OSC opened before a colour code and closed after it is still removed whole.
    expect(cleanOutput('\u001B]0;\u001B[31mtitle\u0007x', {keepSgr: true})).not.toMatch(/\u001B\]|\u0007/)
    expect(cleanOutput('Authorization: Bearer abc\u001B[0mdefghijkl', {keepSgr: true})).not.toContain('defghijkl')
  })
})

describe('the binary cleans every write (bad input)', () => {
  it('notes: a crafted session title reaches neither stream raw, in text or --json', async () => {
    const notes = path.join(dir, 'notes')
    rmSync(notes, {recursive: true, force: true})
    await import('node:fs/promises').then((fs) => fs.mkdir(notes, {recursive: true}))
    writeFileSync(path.join(notes, '2026-12-02T000000-session.md'), `# dagger-explore session ${EVIL}evil\n\n## Summary\n\n- ${EVIL}summary\n`)
    const text = await cli(['notes', '--notes-dir', notes])
    expect(text.exitCode).toBe(0)
    expect(String(text.stdout)).toContain('evil')
    clean(text, 'notes')
    const json = await cli(['notes', '--notes-dir', notes, '--json'])
    clean(json, 'notes --json')
    pureJson(json.stdout)
  })

  it('daemon-config: a key and a value with OSC 52, OSC 0 and CSI 2J are printed clean, text and --json', async () => {
    const file = path.join(dir, 'daemon.json')
    writeFileSync(file, JSON.stringify({[`x${EVIL}key`]: `v${EVIL}`, 'max-concurrent-downloads': 9, registry_mirrors: [`https://${EVIL}`]}))
    const text = await cli(['daemon-config', file])
    expect(text.exitCode).not.toBe(2)
    expect(String(text.stdout)).toContain('key')
    clean(text, 'daemon-config')
    const json = await cli(['daemon-config', file, '--json'])
    clean(json, 'daemon-config --json')
    const [doc] = pureJson(json.stdout) as [{findings: {id: string; docs: unknown; recipe: unknown}[]}]
    expect(doc.findings.length).toBeGreaterThan(0)
    for (const f of doc.findings) expect(f).toHaveProperty('recipe')
    const reset = await cli(['daemon-config', 'reset', file, '--json'])
    clean(reset, 'daemon-config reset --json')
    pureJson(reset.stdout)
  })

  it('diagnose and tree: an image reference with escapes is refused in one clean paragraph', async () => {
    for (const args of [['diagnose', `alpine${EVIL}`], ['diagnose', `alpine${EVIL}`, '--json'], ['tree', `busybox${EVIL}`], ['tree', `busybox${EVIL}`, '--json']]) {
      const r = await cli(args, {env: {DOCKER_HOST: 'unix:///nonexistent.sock'}})
      expect(r.exitCode, args.join(' ')).toBeGreaterThan(0)
      clean(r, args.join(' '))
    }
  })

  it('recipe and explain: --json stdout is JSON alone', async () => {
    const list = await cli(['recipe', '--list', '--json'])
    clean(list, 'recipe --list')
    pureJson(list.stdout)
    const one = await cli(['recipe', 'debugger-attach', '--json', '--no-detect'])
    clean(one, 'recipe --json')
    pureJson(one.stdout)
    const log = path.join(dir, 'build.log')
    writeFileSync(log, `#5 ERROR: failed to resolve ${OSC52}golang:1.21: failed to do request: Head "https://registry-1.docker.io/v2/library/golang/manifests/1.21": EOF\n`)
    const explain = await cli(['explain', log, '--json'])
    clean(explain, 'explain --json')
    pureJson(explain.stdout)
  })

  it('check --json: JSON Lines on stdout, the notes path on stderr', async () => {
    const r = await cli(['check', 'environment', '--json', '--notes-dir', path.join(dir, 'check-notes')])
    clean(r, 'check --json')
    const [cell] = pureJson(r.stdout, true) as [{findings: Record<string, unknown>[]}]
    for (const f of cell.findings) expect(Object.keys(f)).toEqual(['id', 'status', 'title', 'detail', 'fix', 'docs', 'recipe'])
    expect(String(r.stderr)).toContain('Notes saved to')
  })

  it('--color keeps the program’s own colour through the writer', async () => {
    const r = await cli(['check', 'environment', '--color', '--notes-dir', path.join(dir, 'color-notes')])
    expect(String(r.stdout)).toMatch(/\u001B\[3\dm\[(PASS|WARN|FAIL)\]/)
  })
})

const skip = skipWithoutDocker()
describe.skipIf(skip)('the binary cleans what Docker hands back (lab dockerd)', () => {
  const prefix = `dxout-${randomBytes(3).toString('hex')}`
  const engine = `dagger-engine-${prefix}`
  beforeAll(async () => {
    await docker(['create', '--name', engine, '--label', `evil=${EVIL}`, '--label', `${prefix}=1`, LAB_BASE, 'true'])
  })
  afterAll(async () => {
    await docker(['rm', '-f', engine]).catch(() => undefined)
  })

  it('engine status/stop: a container name from the environment and a labelled engine container print clean, text and --json', async () => {
    const env = {_EXPERIMENTAL_DAGGER_RUNNER_HOST: `docker-container://${EVIL}`, _EXPERIMENTAL_DAGGER_DEV_CONTAINER: `dev${EVIL}`}
    const text = await cli(['engine', 'status'], {env})
    expect(text.exitCode).toBe(0)
    expect(String(text.stdout)).toContain(engine)
    clean(text, 'engine status')
    const json = await cli(['engine', 'status', '--json'], {env})
    clean(json, 'engine status --json')
    const [doc] = pureJson(json.stdout) as [{engines: {name: string}[]}]
    expect(doc.engines.map((e) => e.name)).toContain(engine)
    const stop = await cli(['engine', 'stop', '--yes'], {env})
    clean(stop, 'engine stop')
    const stopJson = await cli(['engine', 'stop', '--yes', '--json'], {env})
    clean(stopJson, 'engine stop --json')
    pureJson(stopJson.stdout)
  })

  it('tree: --json and --components --json are JSON alone; the text view is clean', async () => {
    const json = await cli(['tree', LAB_BASE, '--json'])
    expect(json.exitCode).toBe(0)
    clean(json, 'tree --json')
    pureJson(json.stdout)
    // A global --image before the command, with no name after it, is the image read.
    const byGlobal = await cli(['--image', LAB_BASE, 'tree', '--json'])
    expect(byGlobal.exitCode, byGlobal.stderr).toBe(0)
    expect(byGlobal.stdout).toBe(json.stdout)
    const components = await cli(['tree', engine, '--components', '--json'])
    clean(components, 'tree --components --json')
    const [doc] = pureJson(components.stdout) as [{findings: Record<string, unknown>[]}]
    expect(Array.isArray(doc.findings), components.stdout.slice(0, 400)).toBe(true)
    for (const f of doc.findings) expect(Object.keys(f)).toEqual(['id', 'status', 'title', 'detail', 'fix', 'docs', 'recipe'])
    const text = await cli(['tree', engine, '--components'])
    clean(text, 'tree --components')
    expect(String(text.stdout)).toMatch(/✗ FAIL|! WARN/)
  })
})
