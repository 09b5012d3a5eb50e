import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {PassThrough} from 'node:stream'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {main} from '../../src/cli/commands/recipe.js'
import {UsageError, type CliIO} from '../../src/cli/io.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {importImage, removeContainers, removeImages, uniquePrefix} from './fixtures.js'

function harness(overrides: Partial<CliIO> = {}) {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (c: Buffer) => {
    out += c.toString()
  })
  stderr.on('data', (c: Buffer) => {
    err += c.toString()
  })
  const io: CliIO = {stdout, stderr, stdin: new PassThrough(), env: {...process.env, NO_COLOR: '1'}, cwd: process.cwd(), color: false, interactive: false, ...overrides}
  return {io, out: () => out, err: () => err}
}

describe('dagger-explore recipe (no Docker needed)', () => {
  test('--list names every recipe; --json is only JSON', async () => {
    const plain = harness()
    expect(await main(['--list'], plain.io)).toBe(0)
    expect(plain.out()).toMatch(/^debugger-attach\s+Attach Delve/m)
    const json = harness()
    expect(await main(['--list', '--json'], json.io)).toBe(0)
    const list = JSON.parse(json.out()) as {name: string; steps: string[]}[]
    expect(list.map((r) => r.name)).toEqual(['clean-old-engines', 'debugger-attach', 'dev-shell', 'registry-eof', 'reset-daemon-config'])
    expect(list.find((r) => r.name === 'debugger-attach')?.steps).toContain('attach')
  })

  test('--dry-run prints the final command and its argv, with the given values quoted', async () => {
    const h = harness()
    expect(await main(['debugger-attach', '--dry-run', '--no-detect', '--step', 'attach', '--var', 'engine_pid=7', '--var', 'dlv_image=my images/dlv'], h.io)).toBe(0)
    expect(h.out()).toContain("$ docker run -it --privileged --rm --pid=container:dagger-engine.dev --entrypoint dlv 'my images/dlv' attach 7")
    expect(h.out()).toContain('argv: ["docker","run","-it","--privileged","--rm","--pid=container:dagger-engine.dev","--entrypoint","dlv","my images/dlv","attach","7"]')
    expect(h.out()).toContain('interactive: the terminal is handed over')
  })

  test('--print renders the markdown and the filled steps', async () => {
    const h = harness()
    expect(await main(['dev-shell', '--no-detect', '--var', 'dagger_src=/src/dagger'], h.io)).toBe(0)
    expect(h.out()).toContain('Open a shell that talks to the dev engine')
    expect(h.out()).toContain('export _EXPERIMENTAL_DAGGER_RUNNER_HOST=docker-container://dagger-engine.dev')
    expect(h.out()).not.toMatch(/\u001B\[/)
  })

  test('--json describes the plan', async () => {
    const h = harness()
    expect(await main(['reset-daemon-config', '--json', '--no-detect'], h.io)).toBe(0)
    const plan = JSON.parse(h.out()) as {steps: {name: string; runnable: boolean; printOnly?: string}[]}
    expect(plan.steps.find((s) => s.name === 'restart')).toMatchObject({runnable: false, printOnly: expect.stringMatching(/sudo/) as unknown})
  })

  test('running without a terminal needs --yes, and says so', async () => {
    const h = harness()
    await expect(main(['clean-old-engines', '--run', '--no-detect'], h.io)).rejects.toThrow(UsageError)
    await expect(main(['clean-old-engines', '--run', '--no-detect'], h.io)).rejects.toThrow(/needs --yes/)
    await expect(main(['clean-old-engines', '--run', '--no-detect'], h.io)).rejects.toThrow(expect.objectContaining({fix: 'Review what would run with `dagger-explore recipe clean-old-engines --dry-run`, then add --yes.'}))
  })

  test('an unsafe or malformed value is refused before anything runs', async () => {
    await expect(main(['debugger-attach', '--dry-run', '--no-detect', '--var', 'engine_pid=7; reboot'], harness().io)).rejects.toThrow(/engine_pid.*refused/)
    await expect(main(['debugger-attach', '--dry-run', '--no-detect', '--var', 'dlv_image=evil\u001b]52;c;aGk=\u0007'], harness().io)).rejects.toThrow(/escape/)
    await expect(main(['debugger-attach', '--dry-run', '--no-detect', '--var', 'nope=1'], harness().io)).rejects.toThrow(/no variable "nope"/)
    await expect(main(['no-such-recipe'], harness().io)).rejects.toThrow(/no recipe called/)
    await expect(main(['no-such-recipe'], harness().io)).rejects.toThrow(expect.objectContaining({fix: expect.stringMatching(/^Name one of the known recipes: .*debugger-attach/)}))
    await expect(main(['debugger-attach', '--step', 'nope', '--no-detect'], harness().io)).rejects.toThrow(/no step "nope"/)
    await expect(main(['debugger-attach', '--step', 'nope', '--no-detect'], harness().io)).rejects.toThrow(expect.objectContaining({fix: expect.stringMatching(/^Name one of its steps: /)}))
    await expect(main(['debugger-attach', '--print', '--run'], harness().io)).rejects.toThrow(expect.objectContaining({message: '--print, --dry-run and --run exclude each other.', fix: 'Choose one of them.'}))
    await expect(main(['--var', 'novalue', 'debugger-attach'], harness().io)).rejects.toThrow(expect.objectContaining({fix: 'Give the name, =, then the value, e.g. --var engine_pid=7.'}))
  })
})

const skip = skipWithoutDocker()

describe.skipIf(skip)('dagger-explore recipe --run against the real daemon', () => {
  const prefix = uniquePrefix('cli')
  // Not named dagger-engine-*: other suites count those.
  const container = `${prefix}-idle`
  const image = `${prefix}/idle:latest`
  const notesDir = mkdtempSync(path.join(tmpdir(), 'dxr-cli-notes-'))
  beforeAll(async () => {
    await importImage(image, [], ['/bin/sleep'])
    execFileSync('docker', ['run', '-d', '--pull', 'never', '--name', container, '--network', 'none', image, '300'], {stdio: 'pipe', timeout: 30_000})
  })
  afterAll(() => {
    removeContainers([container])
    removeImages([image])
    rmSync(notesDir, {recursive: true, force: true})
  })

  test('a step runs, its output is printed, recorded and lands in the session log', async () => {
    const h = harness()
    const code = await main(['debugger-attach', '--run', '--yes', '--step', 'engine-running', '--no-detect', '--var', `engine_container=${container}`, '--notes-dir', notesDir, '--json'], h.io)
    expect(code).toBe(0)
    const result = JSON.parse(h.out()) as {ok: boolean; sessionLog: string; steps: {step: string; commands: {argv: string[]; exitCode: number; output: string}[]}[]}
    expect(result.ok).toBe(true)
    // The step-by-step progress is on stderr, stdout is the JSON alone.
    expect(h.err()).toContain('▶ engine-running')
    expect(h.err()).toContain('exit 0')
    const command = result.steps[0]?.commands[0]
    expect(command?.argv).toEqual(['docker', 'inspect', '--format', '{{.State.Status}} pid={{.State.Pid}} image={{.Config.Image}}', container])
    expect(command?.exitCode).toBe(0)
    const pid = execFileSync('docker', ['inspect', '--format', '{{.State.Pid}}', container], {encoding: 'utf8'}).trim()
    expect(command?.output).toBe(`running pid=${pid} image=${image}`)
    const log = readFileSync(result.sessionLog, 'utf8')
    expect(path.dirname(result.sessionLog)).toBe(notesDir)
    expect(log).toContain('Recipe debugger-attach, step engine-running: ran')
    expect(log).toContain(`running pid=${pid} image=${image}`)
    expect(log).toContain(`$ docker inspect --format '{{.State.Status}} pid={{.State.Pid}} image={{.Config.Image}}' ${container}`)
  })

  test('a failing step stops the run and exits 1', async () => {
    const h = harness()
    const code = await main(['debugger-attach', '--run', '--yes', '--step', 'engine-running', '--no-detect', '--var', `engine_container=${prefix}-absent`, '--notes-dir', notesDir], h.io)
    expect(code).toBe(1)
    expect(h.out()).toMatch(/No such (object|container)/)
    expect(h.out()).toContain('Step engine-running failed')
    expect(readdirSync(notesDir).filter((f) => f.endsWith('.md')).length).toBeGreaterThanOrEqual(2)
  })
})
