import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {PassThrough} from 'node:stream'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {main as recipeMain} from '../../src/cli/commands/recipe.js'
import type {CliIO} from '../../src/cli/io.js'
import {debuggerCell} from '../../src/cells/debugger.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {DELVE_KILL_PROMPT, DELVE_NON_TERMINAL_FLAG, delveNoDebugInfoRefusal} from '../../src/core/recipes/delve-facts.js'
import {loadRecipe} from '../../src/core/recipes/load.js'
import {planRecipe} from '../../src/core/recipes/plan.js'
import {runStep} from '../../src/core/recipes/run.js'
import type {Finding} from '../../src/core/types.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {removeContainers, removeImages, uniquePrefix} from './fixtures.js'
import {buildStandin, engineImage, engineRunArgs, goBuildEnv, skipWithoutGoTools, standinCheckout, type EngineBuild, type Layout} from './go-engine-fixtures.js'
import {testContext} from '../helpers/cell-context.js'

/**
The Debugger cell's verdict against what real Delve (Debian's dlv) then does, on a real Go binary
standing in for the engine: "ready" means the recipe's own attach argv lists main.main; a stripped
engine fails the cell with Delve's own refusal; the rebuild recipe turns it into an attachable one.
Docker is whatever DOCKER_HOST (or the default context) points at, so this runs on every lab engine.
*/

const skip = skipWithoutDocker() || skipWithoutGoTools()
const prefix = uniquePrefix('dlv')
const images: string[] = []
const containers: string[] = []
const volumes: string[] = []
const dirs: string[] = []
// The lab's daemons run with --bridge=none: publishing a port needs a network of our own.
const network = `${prefix}-net`
let dlvImage = ''
const binaries: Partial<Record<EngineBuild, string>> = {}

function docker(args: string[]): string {
  return execFileSync('docker', args, {encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe']}).trim()
}

async function cell(container: string): Promise<{recorder: Recorder; byId: Map<string, Finding>}> {
  const recorder = new Recorder()
  await debuggerCell.run(await testContext({env: process.env, recorder, notesDir: tmpdir(), settings: {dockerTimeoutMs: 30_000}, tuning: {engineContainer: container}}))
  return {recorder, byId: new Map(recorder.findings.map((f) => [f.id, f]))}
}

// Other test files make stand-in Delve images that detection may prefer while they run: ours is named.
async function plan(overrides: Record<string, string>) {
  const dlv: Record<string, string> = dlvImage === '' ? {} : {dlv_image: dlvImage, dlv_path: '/usr/local/bin/dlv'}
  return planRecipe(await loadRecipe('debugger-attach'), {env: process.env, cwd: process.cwd(), timeoutMs: 30_000, overrides: {...dlv, ...overrides}})
}

/** The recipe's attach argv for this engine, as the notebook would run it. */
async function attachArgv(container: string, pid?: string): Promise<string[]> {
  const p = await plan({engine_container: container, ...(pid === undefined ? {} : {engine_pid: pid})})
  return [...p.steps.find((s) => s.step.name === 'attach')!.prepared!.commands[0]!.argv]
}

/**
Runs that argv without a terminal: -it becomes -i (and --pull never, so nothing is pulled), Delve gets
the flag it needs to read commands from a pipe, and the commands are typed on stdin.
*/
function runAttach(argv: readonly string[]): {status: number | null; output: string} {
  const [program, ...rest] = argv.flatMap((a) => (a === '-it' ? ['-i', '--pull', 'never'] : [a]))
  const result = spawnSync(program!, [...rest, DELVE_NON_TERMINAL_FLAG], {input: 'goroutines\nexit\nn\n', encoding: 'utf8', timeout: 90_000})
  return {status: result.status, output: `${result.stdout}${result.stderr}`}
}

function startEngine(name: string, image: string, layout: Layout, extra: readonly string[] = []): void {
  const volume = `${name}-vol`
  volumes.push(volume)
  containers.push(name)
  const {options, args} = engineRunArgs(layout)
  docker(['run', '-d', '--pull', 'never', '--name', name, '--network', network, ...options, '-v', `${volume}:/var/lib/dagger`, ...extra, image, ...args])
}

function running(name: string): boolean {
  return docker(['inspect', '--format', '{{.State.Running}}', name]) === 'true'
}

/** The line Delve printed when it refused, to compare with what the cell quotes. */
function refusalLine(output: string): string | undefined {
  return output.split('\n').find((l) => l.startsWith('could not attach'))?.trim()
}

const engines: {name: string; layout: Layout; build: EngineBuild}[] = [
  {name: `${prefix}-cur-debug`, layout: 'current', build: 'debug'},
  {name: `${prefix}-cur-stripped`, layout: 'current', build: 'stripped'},
  {name: `${prefix}-cur-nodwarf`, layout: 'current', build: 'no-dwarf'},
  {name: `${prefix}-v09-debug`, layout: 'v0.9', build: 'debug'},
  {name: `${prefix}-v09-stripped`, layout: 'v0.9', build: 'stripped'},
]

describe.skipIf(skip)('real Delve against a real Go engine binary', () => {
  beforeAll(async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'dxr-dlv-bin-'))
    dirs.push(out)
    for (const build of ['debug', 'stripped', 'no-dwarf'] as const) binaries[build] = buildStandin(out, build)
    // The Delve image is made by the recipe's own step, from the dlv on this machine.
    const p = await plan({new_dlv_image: `${prefix}/dlv:latest`})
    const step = p.steps.find((s) => s.step.name === 'build-dlv-image')!.prepared!
    const made = await runStep(step, {recorder: new Recorder()})
    expect(made.ok).toBe(true)
    dlvImage = `${prefix}/dlv:latest`
    images.push(dlvImage)
    docker(['network', 'create', network])
    for (const e of engines) {
      const tag = `${prefix}/engine-${e.layout.replace('.', '')}-${e.build}:latest`
      images.push(await engineImage(tag, binaries[e.build]!, e.layout))
      startEngine(e.name, tag, e.layout)
    }
    // Give each engine a moment to be past its runtime start-up.
    await new Promise((r) => setTimeout(r, 1000))
  }, 600_000)

  afterAll(() => {
    removeContainers(containers)
    for (const v of volumes) spawnSync('docker', ['volume', 'rm', '-f', v], {stdio: 'ignore', timeout: 30_000})
    removeImages(images)
    spawnSync('docker', ['network', 'rm', network], {stdio: 'ignore', timeout: 30_000})
    for (const d of dirs) rmSync(d, {recursive: true, force: true})
  })

  test('the Delve image made by the recipe runs dlv from an image that has nothing else', () => {
    expect(docker(['run', '--rm', '--pull', 'never', '--network', 'none', dlvImage, 'version'])).toMatch(/^Delve Debugger\nVersion: \d+\.\d+/)
  })

  for (const e of engines) {
    const stripped = e.build !== 'debug'
    test(`${e.layout} layout, ${e.build} engine: the cell says ${stripped ? 'FAIL with Delve\'s refusal' : 'ready'}, and dlv agrees`, async () => {
      const {byId, recorder} = await cell(e.name)
      const pid = e.layout === 'v0.9' ? '1' : /^(\d+)/.exec(recorder.facts.find((f) => f.label === 'Engine PID in the container')?.value ?? '')?.[1]
      expect(byId.get(e.layout === 'v0.9' ? 'debugger-engine-pid' : 'debugger-engine-under-init')?.status).toBe('pass')
      if (e.layout === 'current') expect(pid).not.toBe('1')
      expect(byId.get('debugger-dlv-image')?.status).toBe('pass')
      const argv = await attachArgv(e.name)
      expect(argv.at(-1)).toBe(pid)
      const attach = runAttach(argv)
      if (stripped) {
        expect(byId.get('debugger-ready')).toBeUndefined()
        expect(byId.get('debugger-not-ready')?.status).toBe('fail')
        const finding = byId.get('debugger-engine-stripped')!
        expect(finding.status).toBe('fail')
        // What dlv printed is what the cell quotes, word for word.
        expect(attach.status).toBe(1)
        const said = refusalLine(attach.output)
        expect(said).toBe(delveNoDebugInfoRefusal(pid!))
        expect(finding.detail).toContain(said)
        expect(finding.fix).toContain('--step build-unstripped --step debug-image --step restart-debug-engine')
        expect(finding.recipe).toBe('debugger-attach')
        expect(attach.output).not.toContain('main.main')
      } else {
        expect(byId.get('debugger-engine-symbols')?.status).toBe('pass')
        expect(byId.get('debugger-ready')?.status).toBe('pass')
        expect(byId.get('debugger-ready')?.detail).toContain(`--pid=container:${e.name} --entrypoint `)
        expect(byId.get('debugger-ready')?.detail).toContain(` attach ${pid}\``)
        expect(attach.output).toMatch(/Goroutine 1 - User: .*main\.go:\d+ main\.main/)
        expect(attach.output).toContain(DELVE_KILL_PROMPT)
        expect(attach.status).toBe(0)
      }
      // Answering n leaves the engine running; a refusal never touched it.
      expect(running(e.name)).toBe(true)
    }, 120_000)
  }

  test('under tini, dlv attach 1 reaches tini and Delve refuses it, as the under-init finding says', async () => {
    const name = engines[0]!.name
    const attach = runAttach(await attachArgv(name, '1'))
    expect(attach.status).toBe(1)
    const said = refusalLine(attach.output)!
    expect(said).toBe(delveNoDebugInfoRefusal(1))
    const {byId} = await cell(name)
    expect(byId.get('debugger-engine-under-init')?.detail).toContain(said)
    expect(docker(['exec', name, 'ps'])).toMatch(/\n\s*1 .*\/usr\/local\/bin\/tini -- \/usr\/local\/bin\/dagger-engine --config \/etc\/dagger\/engine.toml --extra-debug/)
  }, 120_000)

  test('the real debug server answers the pprof steps: the goroutine dump names main.main', async () => {
    const name = engines[0]!.name
    const {recorder, byId} = await cell(name)
    expect(recorder.facts.find((f) => f.label === 'Debug server (pprof)')?.value).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/ answers$/)
    expect(byId.has('debugger-pprof-silent')).toBe(false)
    const p = await plan({engine_container: name})
    const stepRecorder = new Recorder()
    const outcome = await runStep(p.steps.find((s) => s.step.name === 'goroutines')!.prepared!, {recorder: stepRecorder})
    expect(outcome.ok).toBe(true)
    expect(stepRecorder.commands[0]?.output).toMatch(/goroutine 1 \[.*\]:\nmain\.main\(\)/)
  }, 60_000)

  test('the rebuild recipe, run on the stand-in checkout, restarts the engine with the same name, volume, --privileged and flags, and then Delve attaches', async () => {
    const name = `${prefix}-rebuild`
    const checkout = standinCheckout()
    dirs.push(checkout)
    const image = images.find((i) => i.includes('current-stripped'))!
    startEngine(name, image, 'current', ['-e', 'DAGGER_CLOUD_TOKEN=dxr-not-a-secret'])
    const before = (await cell(name)).byId
    expect(before.get('debugger-engine-stripped')?.status).toBe('fail')

    const debugImage = `${prefix}/engine:debug`
    images.push(debugImage)
    const p = await plan({engine_container: name, dagger_src: checkout, debug_image: debugImage})
    const step = (n: string) => p.steps.find((s) => s.step.name === n)!.prepared!
    // The exact argv shown for approval: copied from the running container, no environment values in it.
    expect(step('restart-debug-engine').commands.map((c) => c.argv)).toEqual([
      ['docker', 'rm', '-f', name],
      ['docker', 'run', '-d', '--name', name, '--privileged', '-v', `${name}-vol:/var/lib/dagger`, '-p', '127.0.0.1::6060', '--network', network, '-e', 'DAGGER_CLOUD_TOKEN', debugImage, '--extra-debug', '--debugaddr=0.0.0.0:6060'],
    ])
    expect(JSON.stringify(p)).not.toContain('dxr-not-a-secret')

    // Asked first, in a terminal: the commands are shown as they will run, and "n" runs nothing.
    const stdin = new PassThrough()
    const stdout = new PassThrough()
    let shown = ''
    stdout.on('data', (c: Buffer) => (shown += c.toString()))
    const stderr = new PassThrough()
    let asked = ''
    stderr.on('data', (c: Buffer) => (asked += c.toString()))
    stdin.end('n\n')
    const io: CliIO = {stdin, stdout, stderr, env: {...process.env, NO_COLOR: '1'}, cwd: process.cwd(), color: false, interactive: true}
    expect(await recipeMain(['debugger-attach', '--run', '--step', 'restart-debug-engine', '--var', `engine_container=${name}`, '--var', `debug_image=${debugImage}`, '--notes-dir', checkout], io)).toBe(0)
    expect(shown).toContain(`$ docker rm -f ${name}\n$ docker run -d --name ${name} --privileged -v ${name}-vol:/var/lib/dagger -p 127.0.0.1::6060 --network ${network} -e DAGGER_CLOUD_TOKEN ${debugImage} --extra-debug --debugaddr=0.0.0.0:6060\n`)
    // The question itself goes to stderr (src/cli/prompt.ts).
    expect(asked).toContain('Run this? [y/N/q]')
    expect(docker(['inspect', '--format', '{{.Config.Image}} {{.State.Running}}', name])).toBe(`${image} true`)
    for (const n of ['build-unstripped', 'debug-image', 'restart-debug-engine']) {
      const recorder = new Recorder()
      const outcome = await runStep(step(n), {recorder, env: {...goBuildEnv(), DAGGER_CLOUD_TOKEN: 'dxr-not-a-secret'}})
      expect(outcome.ok, `${n}: ${recorder.commands.map((c) => c.output).join('\n')}`).toBe(true)
    }
    const info = JSON.parse(docker(['inspect', name])) as [{Config: {Image: string; Cmd: string[]; Env: string[]}; HostConfig: {Privileged: boolean; Binds: string[]; PortBindings: unknown}}]
    expect(info[0].Config.Image).toBe(debugImage)
    expect(info[0].HostConfig.Privileged).toBe(true)
    expect(info[0].HostConfig.Binds).toEqual([`${name}-vol:/var/lib/dagger`])
    expect(info[0].HostConfig.PortBindings).toEqual({'6060/tcp': [{HostIp: '127.0.0.1', HostPort: ''}]})
    expect(info[0].Config.Cmd).toEqual(['--extra-debug', '--debugaddr=0.0.0.0:6060'])
    expect(info[0].Config.Env).toContain('DAGGER_CLOUD_TOKEN=dxr-not-a-secret')
    await new Promise((r) => setTimeout(r, 1000))

    const after = await cell(name)
    expect(after.byId.get('debugger-engine-symbols')?.status).toBe('pass')
    expect(after.byId.get('debugger-ready')?.status).toBe('pass')
    const attach = runAttach(await attachArgv(name))
    expect(attach.output).toMatch(/Goroutine \d+ - User: .*main\.go:\d+ main\.main/)
    expect(attach.output).toMatch(/Goroutine \d+ - User: .*time\.Sleep/)
    expect(attach.status).toBe(0)
  }, 600_000)

  test('headless: the recipe\'s headless step serves Delve on loopback, and its connect step lists the goroutines', async () => {
    const name = engines[0]!.name
    const port = String(20_000 + Math.floor(Math.random() * 20_000))
    const p = await plan({engine_container: name, headless_port: port})
    const [program, ...rest] = p.steps.find((s) => s.step.name === 'headless')!.prepared!.commands[0]!.argv
    const server = `${prefix}-headless`
    containers.push(server)
    // Detached instead of on a terminal; on the lab's network, since its daemons have no default bridge.
    expect(program).toBe('docker')
    docker(rest.flatMap((a) => (a === '-it' ? ['-d', '--pull', 'never', '--name', server, '--network', network] : a === '--rm' ? [] : [a])))
    let logs = ''
    for (let i = 0; i < 50 && !logs.includes('API server listening'); i++) {
      await new Promise((r) => setTimeout(r, 200))
      const out = spawnSync('docker', ['logs', server], {encoding: 'utf8', timeout: 30_000})
      logs = `${out.stdout}${out.stderr}`
    }
    expect(logs).toContain('not authenticated nor encrypted')
    const connect = p.steps.find((s) => s.step.name === 'connect')!.prepared!.commands[0]!.argv
    expect(connect).toEqual(['dlv', 'connect', `127.0.0.1:${port}`])
    const client = spawnSync(connect[0]!, [...connect.slice(1), DELVE_NON_TERMINAL_FLAG], {input: 'goroutines\nexit\nn\n', encoding: 'utf8', timeout: 60_000})
    expect(client.stdout + client.stderr).toMatch(/Goroutine \d+ - User: .*main\.go:\d+ main\.main/)
    expect(client.stdout + client.stderr).toContain('Would you like to kill the headless instance? [Y/n]')
    expect(running(server)).toBe(true)
    removeContainers([server])
    expect(running(name)).toBe(true)
  }, 120_000)

  for (const flags of [['--debug'], ['--debugaddr=127.0.0.1:6060']]) {
    test(`a published 6060 with the engine on ${flags.join(' ')}: the cell says pprof does not answer`, async () => {
      const name = `${prefix}-silent-${flags[0]!.length}`
      containers.push(name)
      docker(['run', '-d', '--pull', 'never', '--name', name, '--network', network, '-p', '127.0.0.1::6060', images.find((i) => i.includes('current-debug'))!, ...flags])
      await new Promise((r) => setTimeout(r, 500))
      const {byId} = await cell(name)
      expect(byId.get('debugger-pprof-silent')?.status).toBe('warn')
    }, 60_000)
  }

  test('docker rm -fv removes a container\'s anonymous volume and keeps its named one, as clean-old-engines says', () => {
    const name = `${prefix}-volumes`
    const named = `${name}-named`
    volumes.push(named)
    docker(['run', '-d', '--pull', 'never', '--network', 'none', '--name', name, '-v', `${named}:/var/lib/dagger`, '-v', '/anon', images[1]!, '--debug'])
    const anon = (JSON.parse(docker(['inspect', name])) as [{Mounts: {Name: string; Destination: string}[]}])[0].Mounts.find((m) => m.Destination === '/anon')!.Name
    docker(['rm', '-fv', name])
    const left = docker(['volume', 'ls', '-q']).split('\n')
    expect(left).toContain(named)
    expect(left).not.toContain(anon)
  })

  test('SIGQUIT to the engine PID dumps every goroutine to the log and stops the container, as the recipe warns', async () => {
    const name = engines[1]!.name
    const {recorder} = await cell(name)
    const pid = /^(\d+)/.exec(recorder.facts.find((f) => f.label === 'Engine PID in the container')?.value ?? '')?.[1]
    const p = await plan({engine_container: name, engine_pid: pid!})
    const stepRecorder = new Recorder()
    await runStep(p.steps.find((s) => s.step.name === 'sigquit')!.prepared!, {recorder: stepRecorder})
    const log = stepRecorder.commands.map((c) => c.output).join('\n')
    // The log's last 200 lines: the end of the dump (goroutines, then the registers).
    expect(log).toMatch(/goroutine \d+ \[/)
    expect(log).toMatch(/\nrip +0x/)
    await new Promise((r) => setTimeout(r, 1000))
    expect(running(name)).toBe(false)
    const full = spawnSync('docker', ['logs', name], {encoding: 'utf8', timeout: 30_000})
    expect(`${full.stdout}${full.stderr}`).toMatch(/SIGQUIT: quit[\s\S]*main\.main\(\)/)
  }, 60_000)
})
