import {execFileSync} from 'node:child_process'
import type Docker from 'dockerode'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {debuggerCell} from '../../src/cells/debugger.js'
import {Recorder} from '../../src/core/notebook/recorder.js'
import {probeDebugger, readEngineElf} from '../../src/core/recipes/debugger-probe.js'
import {readElfFile} from '../../src/core/recipes/elf.js'
import {findEngineContainer, findEnginePid} from '../../src/core/recipes/engine-process.js'
import {loadRecipe} from '../../src/core/recipes/load.js'
import {planRecipe} from '../../src/core/recipes/plan.js'
import {runStep} from '../../src/core/recipes/run.js'
import {sessionValuesFrom} from '../../src/core/recipes/session-values.js'
import {skipWithoutDocker} from '../helpers/docker.js'
import {buildDlvImage, buildEngineImage, removeContainers, removeImages, startEngine, uniquePrefix} from './fixtures.js'
import {dockerClient, testContext} from '../helpers/cell-context.js'

const skip = skipWithoutDocker()
const prefix = uniquePrefix('dbg')
// Whatever DOCKER_HOST or the current context points at, so this runs on every lab engine.
let docker: Docker
const images: string[] = []
const containers: string[] = []
const execEngine = `${prefix}-engine-exec`
const initEngine = `${prefix}-engine-init`
const pprofEngine = `${prefix}-engine-pprof`
const network = `${prefix}-net`
let dlvImage = ''

function findingPid(facts: readonly {label: string; value: string}[]): string | undefined {
  return /^(\d+)/.exec(facts.find((f) => f.label === 'Engine PID in the container')?.value ?? '')?.[1]
}

function docker_(args: string[]): string {
  return execFileSync('docker', args, {encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe']}).trim()
}

describe.skipIf(skip)('the debugger flow against a synthetic engine', () => {
  beforeAll(async () => {
    docker = await dockerClient(process.env, 20_000)
    const unstripped = await buildEngineImage(prefix, {symtab: true, dwarf: 'plain', go: true}, 'engine-debug')
    const stripped = await buildEngineImage(prefix, {go: true}, 'engine-release')
    dlvImage = await buildDlvImage(prefix)
    images.push(unstripped, stripped, dlvImage)
    containers.push(execEngine, initEngine)
    startEngine(unstripped, execEngine, 'exec')
    startEngine(stripped, initEngine, 'init')
  })
  afterAll(() => {
    removeContainers(containers)
    removeImages(images)
    try {
      docker_(['network', 'rm', network])
    } catch {
      // Not created.
    }
  })

  test('an engine exec-ed by its entrypoint is PID 1, with symbols and DWARF, and the dlv image is found', async () => {
    const report = await probeDebugger(docker, {timeoutMs: 20_000, container: execEngine})
    expect(report.engine?.running).toBe(true)
    expect(report.pid).toMatchObject({pid: 1, underInit: false})
    expect(report.elf).toMatchObject({hasSymtab: true, hasDwarf: true, isGo: true, readBy: 'exec'})
    expect(report.dlv).toEqual({image: dlvImage, path: '/usr/local/bin/dlv', how: expect.stringContaining('/usr/local/bin/dlv') as unknown})
  })

  test('under an init process the engine PID is found and is the real one; the stripped binary is seen as such', async () => {
    const report = await probeDebugger(docker, {timeoutMs: 20_000, container: initEngine})
    expect(report.pid?.underInit).toBe(true)
    expect(report.pid?.pid).not.toBe(1)
    expect(report.pid?.initCommand).toMatch(/^\/bin\/sh -c/)
    expect(report.pid?.how).toMatch(/NSpid/)
    // What the container itself says that PID runs.
    const cmdline = docker_(['exec', initEngine, 'cat', `/proc/${report.pid?.pid}/cmdline`]).replace(/\0/g, ' ').trim()
    expect(cmdline).toBe('/usr/local/bin/dagger-engine --debug')
    expect(report.elf).toMatchObject({hasSymtab: false, hasDwarf: false})
  })

  test('the section table read in a running container (dd) matches the copied-out file and readelf', async () => {
    const name = `${prefix}-elfcheck`
    containers.push(name)
    docker_(['run', '-d', '--pull', 'never', '--network', 'none', '--name', name, '--entrypoint', '/bin/sh', images[0]!, '-c', 'sleep 300'])
    docker_(['cp', '/bin/busybox', `${name}:/usr/local/bin/big-binary`])
    const engine = (await findEngineContainer(docker, 20_000, name))!
    const viaExec = await readEngineElf(docker, engine, '/usr/local/bin/big-binary', 20_000)
    const viaCopy = await readEngineElf(docker, {...engine, running: false}, '/usr/local/bin/big-binary', 20_000)
    expect(viaExec.readBy).toBe('exec')
    expect(viaCopy.readBy).toBe('copy')
    const names = (info: {sections: readonly {name: string}[]}) => info.sections.map((s) => s.name)
    expect(names(viaExec)).toEqual(names(viaCopy))
    expect(names(viaExec)).toEqual(names(await readElfFile('/bin/busybox')))
    expect(viaExec.sections.length).toBeGreaterThan(10)
    // A script is an answer (not ELF), not a reason to fall back.
    docker_(['exec', name, 'sh', '-c', 'printf "#!/bin/sh\\necho hi\\n%080d" 0 > /tmp/script'])
    await expect(readEngineElf(docker, engine, '/tmp/script', 20_000)).rejects.toThrow(/script/)
  })

  test('without access to the host /proc the PID comes from a scan inside the container', async () => {
    const engine = await findEngineContainer(docker, 20_000, initEngine)
    const pid = await findEnginePid(docker, engine!, 20_000, '/nonexistent-proc')
    expect(pid.how).toMatch(/scanning \/proc inside/)
    const viaProc = await findEnginePid(docker, engine!, 20_000)
    expect(pid.pid).toBe(viaProc.pid)
  })

  test('the Debugger cell explains it and recommends the recipe', async () => {
    const recorder = new Recorder()
    await debuggerCell.run(await testContext({env: process.env, recorder, notesDir: '/tmp', settings: {dockerTimeoutMs: 20_000}, tuning: {engineContainer: initEngine}}))
    const byId = new Map(recorder.findings.map((f) => [f.id, f]))
    expect(byId.get('debugger-engine-under-init')?.status).toBe('pass')
    // No DWARF: Delve refuses to attach (delve-real.test.ts makes real dlv say so), so the cell fails and offers the rebuild.
    expect(byId.get('debugger-engine-stripped')).toMatchObject({status: 'fail', recipe: 'debugger-attach'})
    expect(byId.get('debugger-engine-stripped')?.fix).toMatch(/unstripped/)
    expect(byId.get('debugger-ready')).toBeUndefined()
    expect(byId.get('debugger-not-ready')).toMatchObject({status: 'fail', recipe: 'debugger-attach'})
    for (const f of recorder.findings) if (f.status !== 'pass') expect(f.detail && f.fix).toBeTruthy()
    expect(recorder.commands.map((c) => c.argv.join(' '))).toEqual(expect.arrayContaining([expect.stringContaining(`/containers/${initEngine}/top`)]))
    // What an opened recipe gets from the session instead of detecting it again.
    const session = sessionValuesFrom(new Map([['debugger', {cell: 'debugger', title: 'Debugger', status: 'pass', startedAt: '', durationMs: 0, facts: recorder.facts, findings: [], commands: []}]]))
    const pid = findingPid(recorder.facts)
    expect(session).toEqual({engine_container: initEngine, engine_image: images[1], engine_pid: pid, dlv_image: dlvImage, dlv_path: '/usr/local/bin/dlv'})
  })

  test('a published debug port is found and probed on loopback, and the pprof step reads it', async () => {
    // An engine that also serves /debug/pprof/ on 6060 (busybox httpd standing in for --debugaddr), published on 127.0.0.1.
    docker_(['network', 'create', network])
    containers.push(pprofEngine)
    const serve = 'mkdir -p /w/debug/pprof && echo pprof > /w/debug/pprof/index.html && echo "goroutine 1 [running]:" > /w/debug/pprof/goroutine && httpd -p 6060 -h /w && /usr/local/bin/dagger-engine --debug & wait'
    docker_(['run', '-d', '--pull', 'never', '--name', pprofEngine, '--network', network, '-p', '127.0.0.1::6060', '--entrypoint', '/bin/sh', images[1]!, '-c', serve])
    const port = docker_(['port', pprofEngine, '6060']).split(':').at(-1)
    const report = await probeDebugger(docker, {timeoutMs: 20_000, container: pprofEngine})
    expect(report.pprofUrl).toBe(`http://127.0.0.1:${port}`)
    expect(report.pprofAnswers).toBe(true)
    const recorder = new Recorder()
    await debuggerCell.run(await testContext({env: process.env, recorder, notesDir: '/tmp', settings: {dockerTimeoutMs: 20_000}, tuning: {engineContainer: pprofEngine}}))
    expect(recorder.facts.find((f) => f.label === 'Debug server (pprof)')?.value).toBe(`http://127.0.0.1:${port}/debug/pprof/ answers`)
    expect(recorder.findings.some((f) => f.id === 'debugger-pprof-silent')).toBe(false)
    expect(sessionValuesFrom(new Map([['debugger', {cell: 'debugger', title: 'Debugger', status: 'pass', startedAt: '', durationMs: 0, facts: recorder.facts, findings: [], commands: []}]])).pprof_url).toBe(`http://127.0.0.1:${port}`)

    const recipe = await loadRecipe('debugger-attach')
    const plan = await planRecipe(recipe, {env: process.env, cwd: process.cwd(), timeoutMs: 20_000, overrides: {engine_container: pprofEngine}})
    expect(plan.variables.find((v) => v.name === 'pprof_url')).toMatchObject({value: `http://127.0.0.1:${port}`, source: 'detected'})
    const goroutines = plan.steps.find((s) => s.step.name === 'goroutines')!.prepared!
    expect(goroutines.commands[0]?.argv).toEqual(['curl', '-sS', '--max-time', '20', `http://127.0.0.1:${port}/debug/pprof/goroutine?debug=2`])
    const stepRecorder = new Recorder()
    const outcome = await runStep(goroutines, {recorder: stepRecorder})
    expect(outcome.ok).toBe(true)
    expect(stepRecorder.commands[0]?.output).toContain('goroutine 1 [running]:')
  })

  test('the cell says plainly when there is no engine', async () => {
    const recorder = new Recorder()
    await debuggerCell.run(await testContext({env: process.env, recorder, notesDir: '/tmp', tuning: {engineContainer: `${prefix}-absent`, engineImage: `${prefix}/absent:latest`}}))
    expect(recorder.findings[0]).toMatchObject({id: 'debugger-engine-missing', status: 'fail'})
    expect(recorder.findings.some((f) => f.id === 'debugger-engine-binary-unreadable')).toBe(false)
  })

  test('with no engine container, the dev image is still read for symbols (through a created container)', async () => {
    const report = await probeDebugger(docker, {timeoutMs: 20_000, container: `${prefix}-absent`, image: images[1]!})
    expect(report.engine).toBeUndefined()
    expect(report.binaryImage).toBe(images[1])
    expect(report.elf).toMatchObject({hasSymtab: false, hasDwarf: false, readBy: 'copy'})
  })

  test('a stopped engine container is read through the archive API', async () => {
    const name = `${prefix}-stopped`
    containers.push(name)
    docker_(['create', '--pull', 'never', '--network', 'none', '--name', name, images[0]!])
    const report = await probeDebugger(docker, {timeoutMs: 20_000, container: name})
    expect(report.engine?.running).toBe(false)
    expect(report.elf).toMatchObject({hasSymtab: true, hasDwarf: true, readBy: 'copy'})
    const recorder = new Recorder()
    await debuggerCell.run(await testContext({env: process.env, recorder, notesDir: '/tmp', tuning: {engineContainer: name}}))
    expect(recorder.findings.map((f) => f.id)).toEqual(['debugger-engine-stopped', 'debugger-engine-symbols'])
  })

  test('the attach step, filled from detection, runs against the real daemon inside the engine PID namespace, and its output reaches the recorder', async () => {
    const recipe = await loadRecipe('debugger-attach')
    const plan = await planRecipe(recipe, {env: process.env, cwd: process.cwd(), timeoutMs: 20_000, overrides: {engine_container: initEngine}})
    const values = Object.fromEntries(plan.variables.map((v) => [v.name, v]))
    expect(values.dlv_image?.value).toBe(dlvImage)
    expect(values.dlv_image?.source).toBe('detected')
    const pid = values.engine_pid?.value
    expect(pid).toMatch(/^[0-9]+$/)
    expect(pid).not.toBe('1')
    const attach = plan.steps.find((s) => s.step.name === 'attach')!.prepared!
    expect(attach.commands[0]?.argv).toEqual(['docker', 'run', '-it', '--privileged', '--rm', `--pid=container:${initEngine}`, '--entrypoint', '/usr/local/bin/dlv', dlvImage, 'attach', pid])

    // No terminal under vitest: the same command without -t, captured instead of handed over.
    // --pull never: a test must never reach a registry, even if the fixture image were missing.
    const argv = attach.commands[0]!.argv.flatMap((a) => (a === '-it' ? ['-i', '--pull', 'never'] : [a]))
    const recorder = new Recorder()
    const outcome = await runStep({step: {...attach.step, interactive: false}, commands: [{text: argv.join(' '), argv}]}, {recorder})
    expect(outcome.ok).toBe(true)
    const record = recorder.commands.at(-1)!
    expect(record.argv).toEqual(argv)
    expect(record.exitCode).toBe(0)
    expect(record.output).toContain(`dlv stand-in: attach ${pid}`)
    expect(record.output).toContain(`sees pid ${pid}: /usr/local/bin/dagger-engine --debug`)
    expect(record.output).toContain('sees pid 1: /bin/sh -c /usr/local/bin/dagger-engine --debug & wait')
  })

  test('docker inspect of the debugger container shows the PID namespace join and privileged mode', async () => {
    const recipe = await loadRecipe('debugger-attach')
    const plan = await planRecipe(recipe, {env: process.env, cwd: process.cwd(), timeoutMs: 20_000, overrides: {engine_container: execEngine}})
    const argv = plan.steps.find((s) => s.step.name === 'attach')!.prepared!.commands[0]!.argv
    const name = `${prefix}-debugger`
    containers.push(name)
    // Detached for the inspection: -it becomes -d, --rm is dropped so it can be inspected, and it stays up a while.
    const detached = argv.slice(1).flatMap((a) => (a === '-it' ? ['-d', '--pull', 'never', '--name', name, '-e', 'DLV_STANDIN_SLEEP=60'] : a === '--rm' ? [] : [a]))
    docker_(detached)
    const engineId = docker_(['inspect', '--format', '{{.Id}}', execEngine])
    const info = JSON.parse(docker_(['inspect', name])) as [{HostConfig: {PidMode: string; Privileged: boolean}; State: {Running: boolean}}]
    expect(info[0].HostConfig.PidMode).toBe(`container:${engineId}`)
    expect(info[0].HostConfig.Privileged).toBe(true)
    expect(docker_(['logs', name])).toContain('dlv stand-in: attach 1')
    removeContainers([name])
  })
})
